import type { ViewStateValue } from '@slack/bolt'
import { z } from 'zod'
import { err, ok, type Result } from '../domain/result.ts'

/**
 * The action_id of the one element of every input block in our modals: a block's values are
 * read as `values[blockId][modalInput]`, and an error goes back keyed by the block id.
 */
export const modalInput = 'input'

/** What a modal's input blocks hold, as zod reads them. */
export const modalField = {
  /** A plain text input: its text, or nothing. */
  text: () => z.object({ [modalInput]: z.object({ value: z.string().nullish() }) }).optional(),
  /** Radio buttons or a static select: one of `values`. */
  choice: <T extends readonly [string, ...string[]]>(values: T) =>
    z.object({ [modalInput]: z.object({ selected_option: z.object({ value: z.enum(values) }) }) }),
  /** Checkboxes or a multi-select: the values picked, none when left empty. */
  picked: () => z.object({ [modalInput]: z.object({ selected_options: z.array(z.object({ value: z.string() })).nullish() }) }).optional(),
  /** A file input: the ids of the files chosen. */
  files: () => z.object({ [modalInput]: z.object({ files: z.array(z.object({ id: z.string().min(1) })).nullish() }) }).optional(),
}

/** Errors for a modal, keyed by block id, as Slack's `response_action: 'errors'` wants them. */
export type ModalErrors<Block extends string> = Partial<Record<Block, string>>

/**
 * Reads a modal's `view.state.values` with `shape`, one field per block id. Slack enforces the
 * inputs a modal requires, so a missing or odd value means a form that was tampered with: it is
 * answered on its block with the words of `missing`.
 */
export function readModalState<Shape extends Record<string, z.ZodType>>(
  values: Record<string, Record<string, ViewStateValue>>,
  shape: Shape,
  missing: Record<keyof Shape & string, string>,
): Result<z.output<z.ZodObject<Shape>>, ModalErrors<keyof Shape & string>> {
  const parsed = z.object(shape).safeParse(values)
  if (parsed.success) return ok(parsed.data)
  const errors: ModalErrors<keyof Shape & string> = {}
  for (const issue of parsed.error.issues) {
    const block = issue.path[0] as keyof Shape & string
    errors[block] = missing[block] ?? issue.message
  }
  return err(errors)
}

/** The text of a `text` field. */
export const textOf = (field: { [modalInput]: { value?: string | null } } | undefined): string => field?.[modalInput].value ?? ''
/** The values picked in a `picked` field. */
export const pickedOf = (field: { [modalInput]: { selected_options?: Array<{ value: string }> | null } } | undefined): string[] =>
  (field?.[modalInput].selected_options ?? []).map((option) => option.value)
/** The value chosen in a `choice` field. */
export const chosenOf = <T extends string>(field: { [modalInput]: { selected_option: { value: T } } }): T => field[modalInput].selected_option.value
