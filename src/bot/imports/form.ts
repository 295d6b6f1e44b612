import type { ViewStateValue } from '@slack/bolt'
import { z } from 'zod'
import type { ImportKind } from '../../domain/batches/batch.ts'
import { type ContactImportMode, contactImportModes } from '../../domain/imports/contacts-plan.ts'
import { err, ok, type Result } from '../../domain/result.ts'
import { chosenOf, type ModalErrors, modalField, modalInput, pickedOf, readModalState } from '../modal-state.ts'
import { type ImportModalTarget, importBlocks, keepCustomChoice } from './modal-views.ts'

type ImportBlock = (typeof importBlocks)[keyof typeof importBlocks]
type ImportModalErrors = ModalErrors<ImportBlock>

/** What the staff member asked for: the Slack file, and for contacts how to apply it. */
export type ImportRequestForm =
  | { kind: 'contacts'; fileId: string; mode: ContactImportMode; levels: string[]; keepCustom: boolean }
  | { kind: 'patrons'; fileId: string }

const importKinds = ['contacts', 'patrons'] as const satisfies readonly ImportKind[]

const importForm = {
  [importBlocks.kind]: modalField.choice(importKinds),
  [importBlocks.file]: modalField.files(),
  [importBlocks.mode]: modalField.choice(contactImportModes),
  [importBlocks.levels]: modalField.picked(),
  [importBlocks.keepCustom]: modalField.picked(),
}

// Slack enforces required inputs, so the first three show only for a form that was tampered with.
const missingChoice: Record<ImportBlock, string> = {
  [importBlocks.kind]: 'Choose contacts or patrons',
  [importBlocks.file]: 'Choose a CSV file',
  [importBlocks.mode]: 'Choose a mode',
  [importBlocks.levels]: 'Choose academic levels, or none',
  [importBlocks.keepCustom]: 'Tick the box, or leave it empty',
}

/** Reads the import modal's `view.state.values`, and checks the fields against each other. */
export function parseImportForm(values: Record<string, Record<string, ViewStateValue>>): Result<ImportRequestForm, ImportModalErrors> {
  const read = readModalState(values, importForm, missingChoice)
  if (!read.ok) return read
  const form = read.value
  const kind = chosenOf(form[importBlocks.kind])
  const files = form[importBlocks.file]?.[modalInput].files ?? []
  const mode = chosenOf(form[importBlocks.mode])
  const levels = pickedOf(form[importBlocks.levels])
  const keepCustom = pickedOf(form[importBlocks.keepCustom]).includes(keepCustomChoice)

  const errors: ImportModalErrors = {}
  if (files.length === 0) errors[importBlocks.file] = missingChoice[importBlocks.file]
  if (files.length > 1) errors[importBlocks.file] = 'Choose one file'
  if (kind === 'patrons' && mode !== 'add') {
    errors[importBlocks.mode] = 'A patrons file creates and updates patrons by username: leave the mode on Add'
  } else if (mode === 'replace-levels' && levels.length === 0) {
    // Without the levels block the library has no levels to choose from.
    if (importBlocks.levels in values) errors[importBlocks.levels] = 'Choose the academic levels whose contacts are replaced'
    else errors[importBlocks.mode] = 'This library has no academic levels yet: import patrons with an academic_level column first'
  } else if (mode !== 'replace-levels' && levels.length > 0) {
    // A staff member who chose levels and then another mode must not think the levels still limit it.
    errors[importBlocks.levels] = 'Levels are used only with Replace academic levels: clear them, or choose that mode'
  }
  if (Object.keys(errors).length > 0) return err(errors)
  const fileId = files[0].id
  return ok(kind === 'patrons' ? { kind, fileId } : { kind, fileId, mode, levels, keepCustom })
}

const modalTarget = z.object({ channelId: z.string().min(1) })
const batchId = z.coerce.number().int().positive()
const messageRef = z.object({ channel_id: z.string().min(1), message_ts: z.string().min(1) })

/** The modal's private_metadata; undefined when it is not one of ours. */
export function parseImportTarget(privateMetadata: string): ImportModalTarget | undefined {
  try {
    const parsed = modalTarget.safeParse(JSON.parse(privateMetadata))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}

/** A Confirm or Cancel button's value: the batch id. */
export function parseBatchId(value: string | undefined): number | undefined {
  const parsed = batchId.safeParse(value)
  return parsed.success ? parsed.data : undefined
}

/** The message a button sits in (a block action's `container`), to update it in place. */
export function parseMessageRef(container: unknown): { channel: string; ts: string } | undefined {
  const parsed = messageRef.safeParse(container)
  return parsed.success ? { channel: parsed.data.channel_id, ts: parsed.data.message_ts } : undefined
}

/** What `/import …` asks for: the form, set for one kind of file, or how the command is used. */
type ImportCommand = { kind: 'form'; fileKind: ImportKind } | { kind: 'help'; unknown?: string }

/** `/import`, `/import contacts` and `/import patrons` open the form; anything else gets the help. */
export function parseImportCommand(text: string): ImportCommand {
  const word = text.trim()
  switch (word.toLowerCase()) {
    case '':
    case 'contacts':
    case 'contact':
      return { kind: 'form', fileKind: 'contacts' }
    case 'patrons':
    case 'patron':
      return { kind: 'form', fileKind: 'patrons' }
    case 'help':
      return { kind: 'help' }
    default:
      return { kind: 'help', unknown: word }
  }
}
