import type { types } from '@slack/bolt'
import { noticeGroups } from '../../domain/preferences/groups.ts'
import type { PreferencesBatchRequest } from '../../domain/preferences/preferences-batch.ts'
import type { PreferencesBatchPreview } from '../../domain/preferences/preview-preferences-batch.ts'
import { modalInput } from '../modal-state.ts'

export const preferencesModalId = 'preferences_batch'
export const preferencesConfirmId = 'preferences_confirm'

/** The wizard's blocks, shared with the parser so errors land on the right field. */
export const preferencesBlocks = {
  mode: 'preferences_mode',
  academicLevels: 'preferences_levels',
  groups: 'preferences_groups',
  usernames: 'preferences_usernames',
  overwrite: 'preferences_overwrite',
  group: (name: string) => `preferences_set_${name}`,
} as const

const text = (value: string) => ({ type: 'plain_text' as const, text: value })
const option = (value: string, label: string) => ({ text: text(label), value })
const settingOptions = [option('no_change', 'No change'), option('on', 'On'), option('off', 'Off')]

/** Seed 003's wizard in one modal: the mode, an optional filter, and On / Off / No change per group. */
export function preferencesModal(): types.ModalView {
  const modes = [option('guardians', 'Guardians'), option('patrons', 'Patrons themselves'), option('others', 'Other contacts (teachers, head of school)')]
  const optionalText = (blockId: string, label: string, hint: string, multiline = false) => ({
    type: 'input' as const,
    block_id: blockId,
    optional: true,
    label: text(label),
    hint: text(hint),
    element: { type: 'plain_text_input' as const, action_id: modalInput, multiline },
  })
  return {
    type: 'modal',
    callback_id: preferencesModalId,
    title: text('Contact preferences'),
    submit: text('Preview'),
    close: text('Cancel'),
    blocks: [
      {
        type: 'input',
        block_id: preferencesBlocks.mode,
        label: text('Whose preferences'),
        element: { type: 'radio_buttons', action_id: modalInput, options: modes, initial_option: modes[0] },
      },
      optionalText(preferencesBlocks.academicLevels, 'Only these academic levels', 'Names, separated by commas. Empty: every level.'),
      optionalText(preferencesBlocks.groups, 'Only these library groups', 'Names, separated by commas. Empty: every group.'),
      optionalText(preferencesBlocks.usernames, 'Only these patrons', 'Usernames, one a line or separated by commas.', true),
      ...noticeGroups.map((group) => ({
        type: 'input' as const,
        block_id: preferencesBlocks.group(group.name),
        label: text(group.title),
        hint: text(group.about),
        element: { type: 'static_select' as const, action_id: modalInput, options: settingOptions, initial_option: settingOptions[0] },
      })),
      {
        type: 'input',
        block_id: preferencesBlocks.overwrite,
        optional: true,
        label: text("Recipients' own choices"),
        element: {
          type: 'checkboxes',
          action_id: modalInput,
          options: [option('overwrite', 'Overwrite choices recipients made (unsubscribe links)')],
        },
      },
    ],
  }
}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`

/** What the preview says; Apply changes exactly this, or says the contacts changed meanwhile. */
export function preferencesPreviewModal(request: PreferencesBatchRequest, outcome: PreferencesBatchPreview): types.ModalView {
  const lines = [
    `*${plural(outcome.contactsToChange, 'contact', 'contacts')}* will change.`,
    `${plural(outcome.skippedNoAddress, 'contact is', 'contacts are')} skipped: no usable email address.`,
    request.overwriteRecipientChoices
      ? `${plural(outcome.recipientChoicesOverwritten, 'choice a recipient made is', 'choices recipients made are')} overwritten.`
      : `${plural(outcome.recipientChoicesKept, 'choice a recipient made is', 'choices recipients made are')} kept (overwrite is not ticked).`,
  ]
  return {
    type: 'modal',
    callback_id: preferencesConfirmId,
    title: text('Preview'),
    ...(outcome.contactsToChange > 0 && { submit: text('Apply') }),
    close: text('Cancel'),
    // The batch is staged: Apply names it, however long the filter.
    private_metadata: JSON.stringify({ batchId: outcome.batchId }),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } }],
  }
}
