import type { ViewStateValue } from '@slack/bolt'
import { z } from 'zod'
import { type PurgeFilter, type PurgePageSize, purgePageSizes } from '../../domain/purge/purge-view.ts'
import { modalInput } from '../modal-state.ts'
import { anyChoice, type CandidatesState, type EveryoneState, type LoseLoansState, purgeBlocks, wholePageChoice } from './modal-views.ts'

type Values = Record<string, Record<string, ViewStateValue>>

const pageSize = z.coerce
  .number()
  .pipe(z.union(purgePageSizes.map((size) => z.literal(size)) as [z.ZodLiteral<20>, z.ZodLiteral<50>, ...z.ZodLiteral<PurgePageSize>[]]))
const filter = z.object({ academicLevel: z.string().min(1).optional(), group: z.string().min(1).optional() })
const candidatesState = z.object({ channelId: z.string().min(1), page: z.number().int().min(1), pageSize, filter })
const loseLoansState = z.object({ parentViewId: z.string().min(1), username: z.string().min(1), list: candidatesState })
const everyoneState = z.object({ requestId: z.number().int().positive(), page: z.number().int().min(1) })
const positive = z.coerce.number().int().positive()

function parseJson<T>(schema: z.ZodType<T>, text: string | undefined): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(text ?? ''))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}

/** The candidates modal's private_metadata; undefined when it is not one of ours. */
export const parseCandidatesState = (text: string | undefined): CandidatesState | undefined => parseJson(candidatesState, text) as CandidatesState | undefined
export const parseLoseLoansState = (text: string | undefined): LoseLoansState | undefined => parseJson(loseLoansState, text) as LoseLoansState | undefined
export const parseEveryoneState = (text: string | undefined): EveryoneState | undefined => parseJson(everyoneState, text)

/** A button's value: a request id or a page number. */
export function parsePositive(value: string | undefined): number | undefined {
  const parsed = positive.safeParse(value)
  return parsed.success ? parsed.data : undefined
}

// A select's choice, or the name typed where the library has too many to list (empty: any).
const selected = (values: Values, blockId: string): string | undefined => {
  const field = values[blockId]?.[modalInput]
  const value = field?.selected_option?.value ?? (field?.type === 'plain_text_input' ? (field.value ?? '').trim() || anyChoice : undefined)
  return typeof value === 'string' ? value : undefined
}

/** The filter and page size the modal's selects hold now, chosen but perhaps not shown yet. */
export function readFilters(values: Values, shown: CandidatesState): { filter: PurgeFilter; pageSize: PurgePageSize } {
  const level = selected(values, purgeBlocks.level)
  const group = selected(values, purgeBlocks.group)
  const size = pageSize.safeParse(selected(values, purgeBlocks.pageSize))
  return {
    filter: {
      ...(level !== undefined && level !== anyChoice && { academicLevel: level }),
      ...(group !== undefined && group !== anyChoice && { group }),
    },
    pageSize: size.success ? size.data : shown.pageSize,
  }
}

const sameFilter = (a: PurgeFilter, b: PurgeFilter) => (a.academicLevel ?? '') === (b.academicLevel ?? '') && (a.group ?? '') === (b.group ?? '')

/** The page to show for a click: `page` when the filters are those shown, else the first page of the new filters. */
export function nextState(values: Values, shown: CandidatesState, page: number): CandidatesState {
  const chosen = readFilters(values, shown)
  const same = sameFilter(chosen.filter, shown.filter) && chosen.pageSize === shown.pageSize
  return { channelId: shown.channelId, filter: chosen.filter, pageSize: chosen.pageSize, page: same ? page : 1 }
}

/**
 * The usernames ticked on the page: every box ticked, or with "Tick the whole page" every patron the
 * page offered (the options of the view as it was shown, not a fresh read).
 */
export function tickedUsernames(view: { blocks: unknown[]; state: { values: Values } }): string[] {
  const { values } = view.state
  const wholePage = (values[purgeBlocks.wholePage]?.[modalInput]?.selected_options ?? []).some((o) => o.value === wholePageChoice)
  const picked = new Set<string>()
  for (const block of view.blocks as Array<{ block_id?: string; element?: { options?: Array<{ value?: string }> } }>) {
    if (!block.block_id?.startsWith(purgeBlocks.pickPrefix)) continue
    const options = wholePage ? (block.element?.options ?? []) : (values[block.block_id]?.[modalInput]?.selected_options ?? [])
    for (const option of options) if (option.value) picked.add(option.value)
  }
  return [...picked]
}

/** What `/purge …` asks for: the modal, or how the command is used. */
export function parsePurgeCommand(text: string): { kind: 'modal' } | { kind: 'help'; unknown?: string } {
  const word = text.trim()
  if (word === '') return { kind: 'modal' }
  if (word.toLowerCase() === 'help') return { kind: 'help' }
  return { kind: 'help', unknown: word }
}
