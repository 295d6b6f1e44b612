import type { types } from '@slack/bolt'
import type { ImportKind } from '../../domain/batches/batch.ts'
import type { ContactImportMode } from '../../domain/imports/contacts-plan.ts'
import { modalInput } from '../modal-state.ts'
import { type Choice, choicesOf } from '../views.ts'

/** The import modal's callback id, and the block id of each field (errors land on them). */
export const importModalId = 'imports.modal'
export const importBlocks = {
  kind: 'import_kind',
  file: 'import_file',
  mode: 'import_mode',
  levels: 'import_levels',
  keepCustom: 'import_keep_custom',
} as const
/** The value of the Keep custom contacts tick box. */
export const keepCustomChoice = 'keep_custom'

/** Where /import was typed: the channel the import's message goes to. Never who may act. */
export type ImportModalTarget = { channelId: string }

// Slack allows 75 characters in an option's label and description.
export const kindChoices: Record<ImportKind, Choice> = {
  contacts: { label: 'Contacts', description: 'username, role, address… added to patrons' },
  patrons: { label: 'Patrons', description: 'Create and update patrons; username,enabled deactivates' },
}
export const modeChoices: Record<ContactImportMode, Choice> = {
  add: { label: 'Add', description: 'Add the file’s contacts to their patrons' },
  'replace-patrons': { label: 'Replace patrons in file', description: 'Each patron in the file: delete their contacts, add the file’s' },
  'replace-levels': { label: 'Replace academic levels', description: 'The same, for patrons in the levels chosen below; others: add' },
  'replace-all': { label: 'Replace all', description: 'Delete every contact in the library, then add the file’s' },
}

// A multi-select holds at most 100 options; schools have a dozen levels or so.
const levelsShown = 100

/** The form of `/import`: what the file holds, the file itself, and how a contacts file applies. */
export function importModal(input: { target: ImportModalTarget; levels: readonly string[]; kind: ImportKind }): types.ModalView {
  const levels = input.levels.slice(0, levelsShown)
  const blocks: types.KnownBlock[] = [
    {
      type: 'input',
      block_id: importBlocks.kind,
      label: { type: 'plain_text', text: 'What the file holds' },
      element: { type: 'radio_buttons', action_id: modalInput, ...choicesOf(kindChoices, input.kind) },
    },
    {
      type: 'input',
      block_id: importBlocks.file,
      label: { type: 'plain_text', text: 'CSV file' },
      hint: { type: 'plain_text', text: 'Saved as “CSV UTF-8” from Excel or exported by the student system. The columns are in the CSV guides.' },
      element: { type: 'file_input', action_id: modalInput, filetypes: ['csv'], max_files: 1 },
    },
    {
      type: 'input',
      block_id: importBlocks.mode,
      label: { type: 'plain_text', text: 'Mode (contacts)' },
      hint: { type: 'plain_text', text: 'Replace modes need an admin and cannot be undone. A patrons file has no mode: leave it on Add.' },
      element: { type: 'radio_buttons', action_id: modalInput, ...choicesOf(modeChoices, 'add') },
    },
  ]
  if (levels.length > 0) {
    blocks.push({
      type: 'input',
      block_id: importBlocks.levels,
      optional: true,
      label: { type: 'plain_text', text: 'Academic levels' },
      hint: { type: 'plain_text', text: 'Only for Replace academic levels.' },
      element: {
        type: 'multi_static_select',
        action_id: modalInput,
        placeholder: { type: 'plain_text', text: 'Choose levels' },
        options: levels.map((level) => ({ text: { type: 'plain_text', text: level.slice(0, 75) }, value: level })),
      },
    })
  }
  blocks.push({
    type: 'input',
    block_id: importBlocks.keepCustom,
    optional: true,
    label: { type: 'plain_text', text: 'Custom contacts' },
    element: { type: 'checkboxes', action_id: modalInput, options: [keepCustomOption], initial_options: [keepCustomOption] },
  })
  return {
    type: 'modal',
    callback_id: importModalId,
    private_metadata: JSON.stringify(input.target),
    title: { type: 'plain_text', text: 'Import a CSV file' },
    submit: { type: 'plain_text', text: 'Dry run' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: 'First a *dry run*: the file is checked and you see what would change. Nothing changes until you press *Confirm*.' },
        ],
      },
      ...blocks,
    ],
  }
}

const keepCustomOption: types.Option = {
  text: { type: 'plain_text', text: 'Keep custom contacts' },
  description: { type: 'plain_text', text: 'Replace modes: contacts staff added or edited in Slack stay' },
  value: keepCustomChoice,
}
