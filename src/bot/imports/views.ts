import type { types } from '@slack/bolt'
import type { ContactsImportResult } from '../../domain/imports/contacts-import.ts'
import type { ContactImportMode } from '../../domain/imports/contacts-plan.ts'
import type { PatronsImportResult } from '../../domain/imports/patrons-import.ts'
import type { ImportPreview } from '../../domain/imports/preview-import.ts'
import type { ImportProgress } from '../../domain/imports/stage-file.ts'
import { counted, escapeMrkdwn, notice, number, progressBar, type SlackMessage } from '../views.ts'
import { problemSections } from './error-views.ts'
import type { ImportRequestForm } from './form.ts'
import { kindChoices, modeChoices } from './modal-views.ts'
import type { SlackFileProblem } from './slack-file.ts'

/** The buttons under a dry run; each carries the batch id. */
export const importActions = {
  confirmContacts: 'imports.confirm_contacts',
  confirmPatrons: 'imports.confirm_patrons',
  cancel: 'imports.cancel',
} as const

/** How `/import` is used, after the words it did not understand (if any). */
export function importHelp(unknown?: string): SlackMessage {
  return notice(
    [
      ...(unknown === undefined ? [] : [`“${escapeMrkdwn(unknown.slice(0, 100))}” is not something /import does.`, '']),
      '*Import a CSV file*',
      '`/import` or `/import contacts`: the form, set for a contacts file',
      '`/import patrons`: the form, set for a patrons file',
      'Every import starts with a dry run: nothing changes until you press *Confirm*.',
    ].join('\n'),
  )
}

/** The import as the message names it: what, which file, how, and who asked. */
type ImportLabel = { request: ImportRequestForm; fileName: string; requestedBy: string }

/** The message /import posts at once, before the file is even found. */
export function startingMessage(request: ImportRequestForm, userId: string): SlackMessage {
  return notice(`:hourglass_flowing_sand: <@${userId}> started a ${request.kind} import. Reading the file from Slack…`)
}

/** Progress while the file is read, checked and applied. */
export function progressMessage(what: string, progress: ImportProgress): SlackMessage {
  switch (progress.phase) {
    case 'reading':
      return notice(`:hourglass_flowing_sand: ${what}: read ${counted(progress.rowsRead, 'row')}…`)
    case 'checking':
      return notice(`:hourglass_flowing_sand: ${what}: read ${counted(progress.rowsRead, 'row')}. Checking them against the library…`)
    case 'applying':
      return notice(
        progress.done === 0
          ? `:hourglass_flowing_sand: ${what}: applying ${counted(progress.total, 'row')}…`
          : `:hourglass_flowing_sand: ${what}: applied ${number.format(progress.done)} of ${counted(progress.total, 'row')}… ${progressBar(progress.done, progress.total)}`,
      )
    case 'done':
      return notice(`:hourglass_flowing_sand: ${what}: finishing…`)
  }
}

/** "Contacts import of `contacts.csv`", for progress lines. */
export function importTitle(label: Pick<ImportLabel, 'request' | 'fileName'>): string {
  return `${kindChoices[label.request.kind].label} import of \`${escapeMrkdwn(label.fileName)}\``
}

/** What a contacts file would do, with Confirm and Cancel. Nothing has changed yet. */
export function contactsDryRunMessage(
  preview: Extract<ImportPreview, { kind: 'contacts' }>,
  label: ImportLabel & { request: { kind: 'contacts' } },
): SlackMessage {
  const { summary } = preview
  const { mode, keepCustom } = label.request
  const isReplace = mode !== 'add'
  const blocks: types.KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: 'Dry run: contacts import' } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: describe(preview.batchId, label) }] },
    { type: 'section', text: { type: 'mrkdwn', text: 'Nothing has changed yet. Confirming would do this:' } },
    {
      type: 'section',
      fields: [
        field('Rows in the file', summary.rows),
        field('Patrons in the file', summary.patronsInFile),
        field('Patrons whose contacts change', summary.patronsTouched),
        field('Contacts to add', summary.contactsToAdd),
        field('Contacts to update', summary.contactsToUpdate),
        field('Contacts to delete', summary.contactsToDelete),
        field('Contacts unchanged', summary.contactsUnchanged),
        ...(keepCustom && isReplace ? [field('Custom contacts kept', summary.contactsKept)] : []),
        field(mode === 'add' ? 'Rows skipped: the patron has that address' : 'Rows skipped: a contact kept has that address', summary.duplicatesSkipped),
      ],
    },
    ...problemSections('Warnings (these columns are ignored)', preview.warnings),
  ]
  const changes = summary.contactsToAdd + summary.contactsToUpdate + summary.contactsToDelete
  if (changes === 0) blocks.push(caution('The file changes nothing: every contact it holds is already there as it says.'))
  if (mode === 'replace-all') blocks.push(caution('Replace all: patrons who are not in the file will end with *no contacts*.'))
  const question = `Add ${number.format(summary.contactsToAdd)}, update ${number.format(summary.contactsToUpdate)} and delete ${counted(summary.contactsToDelete, 'contact')}?`
  blocks.push(
    decision(
      importActions.confirmContacts,
      preview.batchId,
      isReplace ? { title: 'Replace contacts?', text: `${question} This cannot be undone.`, confirm: 'Replace' } : undefined,
    ),
  )
  return {
    text: `Dry run of ${escapeMrkdwn(label.fileName)}: ${counted(summary.contactsToAdd, 'contact')} to add, ${number.format(summary.contactsToUpdate)} to update, ${number.format(summary.contactsToDelete)} to delete. Confirm or cancel.`,
    blocks,
  }
}

/** What a patrons file would do, with Confirm and Cancel. Nothing has changed yet. */
export function patronsDryRunMessage(preview: Extract<ImportPreview, { kind: 'patrons' }>, label: ImportLabel): SlackMessage {
  const { summary } = preview
  const blocks: types.KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: 'Dry run: patrons import' } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: describe(preview.batchId, label) }] },
    { type: 'section', text: { type: 'mrkdwn', text: 'Nothing has changed yet. Confirming would do this:' } },
    {
      type: 'section',
      fields: [
        field('Rows in the file', summary.rows),
        field('Patrons to create', summary.toCreate),
        field('Patrons to update', summary.toUpdate),
        field('Patrons unchanged', summary.unchanged),
        field('Patrons to deactivate', summary.toDeactivate),
        field('Patrons to reactivate', summary.toReactivate),
      ],
    },
    ...problemSections('Warnings (these columns are ignored)', preview.warnings),
  ]
  const deactivating = summary.toDeactivate > 0
  if (deactivating) blocks.push(caution('Deactivated patrons get no notices, and become candidates for purging.'))
  if (preview.confirmPermission === 'deactivatePatrons')
    blocks.push(caution(`Confirming takes an *admin*: this file deactivates ${counted(summary.toDeactivate, 'patron')}.`))
  const question = `Deactivate ${counted(summary.toDeactivate, 'patron')}? They will get no notices, and can later be purged.`
  blocks.push(
    decision(importActions.confirmPatrons, preview.batchId, deactivating ? { title: 'Deactivate patrons?', text: question, confirm: 'Deactivate' } : undefined),
  )
  const text = `Dry run of ${escapeMrkdwn(label.fileName)}: ${number.format(summary.toCreate)} to create, ${number.format(summary.toUpdate)} to update, ${number.format(summary.toDeactivate)} to deactivate. Confirm or cancel.`
  return { text, blocks }
}

/** Told privately to a staff member whose file deactivates patrons: the dry run waits for an admin. */
export function waitsForAdminMessage(preview: Extract<ImportPreview, { kind: 'patrons' }>, libraryName: string): SlackMessage {
  return notice(
    `Your file deactivates ${counted(preview.summary.toDeactivate, 'patron')}, and deactivating patrons in *${escapeMrkdwn(libraryName)}* takes the *admin* role. ` +
      `Nothing has changed: import #${preview.batchId} waits in the channel for an admin to confirm or cancel it.`,
  )
}

/** The end of a contacts import: what it did. */
export function contactsAppliedMessage(result: ContactsImportResult, confirmedBy: string): SlackMessage {
  const counts = `Added ${number.format(result.added)}, updated ${number.format(result.updated)} and deleted ${counted(result.deleted, 'contact')}; ${number.format(result.unchanged)} unchanged.`
  const kept = result.summary.contactsKept > 0 ? `; ${counted(result.summary.contactsKept, 'custom contact')} kept` : ''
  const touched = `${counted(result.summary.patronsTouched, 'patron')} changed${kept}.`
  return done(`Contacts import #${result.batchId} is done`, `${counts}\n${touched}`, confirmedBy)
}

/** The end of a patrons import: what it did. */
export function patronsAppliedMessage(result: PatronsImportResult, confirmedBy: string): SlackMessage {
  const counts = `Created ${counted(result.created, 'patron')}, updated ${number.format(result.updated)}; ${number.format(result.unchanged)} unchanged.`
  return done(`Patrons import #${result.batchId} is done`, counts, confirmedBy)
}

/** A dry run staff decided not to apply. */
export function cancelledMessage(batchId: number, cancelledBy: string): SlackMessage {
  return notice(`:no_entry_sign: Import #${batchId} was cancelled by <@${cancelledBy}>. Nothing was changed.`)
}

/** Something broke on our side (the database, a bug); the import runs in one transaction, so nothing changed. */
export function importFailedMessage(): SlackMessage {
  return notice(
    ':x: Something went wrong on our side, so the import stopped. *Nothing was changed.* Try `/import` again; if it keeps failing, tell your IT admin.',
  )
}

/** Slack would not hand over the file chosen in the form: what happened, and what to do. */
export function slackFileUnavailableMessage(problem: SlackFileProblem): SlackMessage {
  const what: Record<SlackFileProblem, string> = {
    file_gone: 'The file you chose is no longer in Slack: it was probably deleted after you chose it.',
    no_access: 'Slack did not let the app read the file you chose. Your IT admin can check that the app has the *files:read* permission.',
    unreachable: 'Slack could not be reached to read the file you chose.',
    refused: 'Slack would not hand over the file you chose.',
  }
  return notice(`:x: ${what[problem]} *Nothing was changed.* Run \`/import\` again and choose the file again.`)
}

/** "Replace all, keeping custom contacts". */
function modeText(mode: ContactImportMode, keepCustom: boolean, levels: readonly string[]): string {
  const levelText = mode === 'replace-levels' ? ` (${levels.map(escapeMrkdwn).join(', ')})` : ''
  const keep = mode === 'add' ? '' : keepCustom ? ', keeping custom contacts' : ', custom contacts included'
  return `${modeChoices[mode].label}${levelText}${keep}`
}

function describe(batchId: number, label: ImportLabel): string {
  const how = label.request.kind === 'contacts' ? ` · ${modeText(label.request.mode, label.request.keepCustom, label.request.levels)}` : ''
  return `\`${escapeMrkdwn(label.fileName)}\`${how} · asked by <@${label.requestedBy}> · import #${batchId}`
}

function field(label: string, n: number): types.MrkdwnElement {
  return { type: 'mrkdwn', text: `*${label}*\n${number.format(n)}` }
}

function caution(text: string): types.KnownBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: `:warning: ${text}` }] }
}

function decision(confirmAction: string, batchId: number, dialog?: { title: string; text: string; confirm: string }): types.KnownBlock {
  const value = String(batchId)
  const confirm: types.Button = {
    type: 'button',
    text: { type: 'plain_text', text: 'Confirm' },
    action_id: confirmAction,
    value,
    style: dialog ? 'danger' : 'primary',
  }
  if (dialog) {
    confirm.confirm = {
      title: { type: 'plain_text', text: dialog.title },
      text: { type: 'mrkdwn', text: dialog.text.slice(0, 300) },
      confirm: { type: 'plain_text', text: dialog.confirm },
      deny: { type: 'plain_text', text: 'Go back' },
      style: 'danger',
    }
  }
  const cancel: types.Button = { type: 'button', text: { type: 'plain_text', text: 'Cancel' }, action_id: importActions.cancel, value }
  return { type: 'actions', block_id: `import-${batchId}`, elements: [confirm, cancel] }
}

function done(title: string, counts: string, confirmedBy: string): SlackMessage {
  const text = `:white_check_mark: *${title}*, confirmed by <@${confirmedBy}>.\n${counts}`
  return { text: `${title}. ${counts}`, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] }
}
