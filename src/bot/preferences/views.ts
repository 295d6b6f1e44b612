import type { types } from '@slack/bolt'
import { noticeGroups } from '../../domain/preferences/groups.ts'
import type { PreferencesFilterChoices } from '../../domain/preferences/list-preferences-filter-choices.ts'
import type { PreferencesBatchMode } from '../../domain/preferences/preferences-batch.ts'
import type { PreferencesBatchPreview } from '../../domain/preferences/preview-preferences-batch.ts'
import { modalInput } from '../modal-state.ts'
import { type Choice, choicesOf, noticeModal, number } from '../views.ts'

/** The wizard's steps, each its own modal pushed over the last, so Slack's back arrow returns. */
export const preferencesStepIds = {
  mode: 'preferences_step_mode',
  filter: 'preferences_step_filter',
  settings: 'preferences_step_settings',
} as const
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

/** Slack lists at most 100 options in a select: a library with more is asked for names. */
export const maxListedChoices = 100
// Slack allows 75 characters in an option's text and 150 in its value.
const maxOptionText = 75
const maxOptionValue = 150

const text = (value: string) => ({ type: 'plain_text' as const, text: value })
const option = (value: string, label: string) => ({ text: text(label), value })
const settingOptions = [option('no_change', 'No change'), option('on', 'On'), option('off', 'Off')]

const modeChoices: Record<PreferencesBatchMode, Choice> = {
  guardians: { label: 'Guardians', description: 'Contacts with the role guardian: parents and carers.' },
  patrons: { label: 'Patrons themselves', description: "The patrons' own contacts: the pupils and staff themselves." },
  others: { label: 'Other contacts (teachers, head of school)', description: 'Contacts with the role other.' },
}

// A step's Cancel closes the whole wizard; its back arrow returns to the step before.
const step = (callbackId: string, title: string, submit: string, privateMetadata: string, blocks: types.KnownBlock[]): types.ModalView => ({
  type: 'modal',
  callback_id: callbackId,
  title: text(title),
  submit: text(submit),
  close: text('Cancel'),
  clear_on_close: true,
  private_metadata: privateMetadata,
  blocks,
})

/** Step 1, seed 003's mode: whose preferences change. */
export function preferencesModeModal(): types.ModalView {
  return step(preferencesStepIds.mode, 'Contact preferences', 'Next', '', [
    {
      type: 'input',
      block_id: preferencesBlocks.mode,
      label: text('Whose preferences'),
      element: { type: 'radio_buttons', action_id: modalInput, ...choicesOf(modeChoices, 'guardians') },
    },
  ])
}

function namesBlock(blockId: string, label: string, names: readonly string[] | null): types.KnownBlock[] {
  if (names === null) {
    return [
      {
        type: 'input',
        block_id: blockId,
        optional: true,
        label: text(label),
        hint: text('Names, separated by commas. Empty: every one.'),
        element: { type: 'plain_text_input', action_id: modalInput },
      },
    ]
  }
  const options = names
    .filter((name) => name.length <= maxOptionValue)
    .map((name) => option(name, name.length > maxOptionText ? `${name.slice(0, maxOptionText - 1)}…` : name))
  // A library without any: nothing to choose from (Slack refuses a select without options).
  if (options.length === 0) return []
  return [
    {
      type: 'input',
      block_id: blockId,
      optional: true,
      label: text(label),
      element: { type: 'multi_static_select', action_id: modalInput, placeholder: text('Every one'), options },
    },
  ]
}

/** Step 2, seed 003's optional filter: the library's own levels and groups, and pasted usernames. */
export function preferencesFilterModal(input: { privateMetadata: string; choices: PreferencesFilterChoices; maxUsernames: number }): types.ModalView {
  return step(preferencesStepIds.filter, 'Which contacts', 'Next', input.privateMetadata, [
    { type: 'context', elements: [{ type: 'mrkdwn', text: 'Optional: leave it all empty for every contact of the mode. Filters given together all apply.' }] },
    ...namesBlock(preferencesBlocks.academicLevels, 'Only these academic levels', input.choices.academicLevels),
    ...namesBlock(preferencesBlocks.groups, 'Only these library groups', input.choices.groups),
    {
      type: 'input',
      block_id: preferencesBlocks.usernames,
      optional: true,
      label: text('Only these patrons'),
      hint: text(`Usernames, one a line or separated by commas; at most ${input.maxUsernames}.`),
      element: { type: 'plain_text_input', action_id: modalInput, multiline: true },
    },
  ])
}

/** Step 3: On, Off or No change for each group of notices, and the recipients' own choices. */
export function preferencesSettingsModal(privateMetadata: string): types.ModalView {
  return step(preferencesStepIds.settings, 'What to change', 'Preview', privateMetadata, [
    ...noticeGroups.map(
      (group): types.KnownBlock => ({
        type: 'input',
        block_id: preferencesBlocks.group(group.name),
        label: text(group.title),
        hint: text(group.about),
        element: { type: 'static_select', action_id: modalInput, options: settingOptions, initial_option: settingOptions[0] },
      }),
    ),
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: 'Password resets and purchase orders are not preferences: a batch never stops them.' }],
    },
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
  ])
}

const plural = (count: number, one: string, many: string) => `${number.format(count)} ${count === 1 ? one : many}`

/** Step 4, what the preview says; Apply changes exactly this, or says the contacts changed meanwhile. */
export function preferencesPreviewModal(request: { overwriteRecipientChoices: boolean }, outcome: PreferencesBatchPreview): types.ModalView {
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
    clear_on_close: true,
    // The batch is staged: Apply names it, however long the filter.
    private_metadata: JSON.stringify({ batchId: outcome.batchId }),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } }],
  }
}

/** The wizard's last word (applied, or refused): its Close closes every step. */
export function preferencesEndModal(title: string, words: string): types.ModalView {
  return { ...noticeModal(title, words), clear_on_close: true }
}
