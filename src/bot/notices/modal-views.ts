import type { types } from '@slack/bolt'
import { daysBeforeRange } from '../../domain/scenarios/scenario-changes.ts'
import type { LibrarySettings, ScenarioDetail } from '../../domain/scenarios/scenario-view.ts'
import { maxSenderNameLength } from '../../domain/scenarios/update-library-settings.ts'
import { modalInput } from '../modal-state.ts'
import { type Choice, choicesOf, escapeMrkdwn } from '../views.ts'
import { ordinal, weekdayNames } from './views.ts'

/** The scenario modal's callback id, and the block id of each field (errors land on them). */
export const scenarioModalId = 'notices_scenario_modal'
export const scenarioBlocks = {
  enabled: 'notices_enabled',
  daysBefore: 'notices_days_before',
  frequency: 'notices_frequency',
  weekday: 'notices_weekday',
  monthDay: 'notices_month_day',
  daysOverdue: 'notices_days_overdue',
  excludeAcademicLevels: 'notices_exclude_levels',
  excludeGroups: 'notices_exclude_groups',
} as const

/** The library settings modal's callback id and block ids. */
export const settingsModalId = 'notices_settings_modal'
export const settingsBlocks = {
  timeZone: 'notices_time_zone',
  runAt: 'notices_run_at',
  bccDefault: 'notices_bcc_default',
  senderName: 'notices_sender_name',
  replyTo: 'notices_reply_to',
  slackChannel: 'notices_slack_channel',
  retainDeletedPatronLoans: 'notices_retain_loans',
} as const

/** The one option of the retain-loans checkbox. */
export const retainLoansOption = {
  text: { type: 'plain_text' as const, text: "Keep purged patrons' loans, anonymised" },
  value: 'retain',
}

/** Where a modal came from: the scenario it edits (none for the settings), and the `/notices` message to refresh after. */
export type NoticesModalTarget = { scenario?: string; responseUrl?: string; channelId?: string }

const enabledChoices: Record<'on' | 'off', Choice> = {
  on: { label: 'On', description: 'Notices of this kind are sent' },
  off: { label: 'Off', description: 'Nothing of this kind is sent' },
}
const frequencyChoices: Record<'day' | 'week' | 'month', Choice> = {
  day: { label: 'Daily', description: 'Every night while a loan is overdue' },
  week: { label: 'Weekly', description: 'On the weekday chosen below' },
  month: { label: 'Monthly', description: 'On the day of the month chosen below' },
}
const bccChoices: Record<'bcc' | 'to', Choice> = {
  bcc: { label: 'Bcc', description: 'Recipients of one notice do not see each other' },
  to: { label: 'To', description: 'Recipients of one notice see each other' },
}

const numbered = (from: number, to: number, label: (n: number) => string): Record<string, Choice> =>
  Object.fromEntries(Array.from({ length: to - from + 1 }, (_, i) => [String(from + i), { label: label(from + i) }]))

const dayCount = (n: number) => `${n} day${n === 1 ? '' : 's'}`

// Slack allows 100 options in a menu, or 100 groups of 100: a school with more groups than that
// gets them in alphabetical groups. An option's text holds 75 characters and its value 150.
const optionsPerGroup = 100
const maxOptionText = 75
const maxOptionValue = 150

function nameOption(name: string): types.PlainTextOption {
  const text = name.length > maxOptionText ? `${name.slice(0, maxOptionText - 1)}…` : name
  return { text: { type: 'plain_text', text }, value: name }
}

function exclusionBlock(blockId: string, label: string, names: readonly string[], chosen: readonly string[]): types.KnownBlock {
  const options = names.filter((name) => name.length <= maxOptionValue).map(nameOption)
  const initial = options.filter((option) => chosen.includes(option.value!))
  const choices =
    options.length <= optionsPerGroup
      ? { options }
      : {
          option_groups: Array.from({ length: Math.ceil(options.length / optionsPerGroup) }, (_, i) => {
            const part = options.slice(i * optionsPerGroup, (i + 1) * optionsPerGroup)
            const range = `${part[0].text.text.slice(0, 30)} – ${part.at(-1)!.text.text.slice(0, 30)}`
            return { label: { type: 'plain_text' as const, text: range }, options: part }
          }),
        }
  return {
    type: 'input',
    block_id: blockId,
    optional: true,
    label: { type: 'plain_text', text: label },
    element: {
      type: 'multi_static_select',
      action_id: modalInput,
      placeholder: { type: 'plain_text', text: 'No one excluded' },
      ...choices,
      ...(initial.length > 0 && { initial_options: initial }),
    },
  }
}

/** The form for one scenario: on or off, the settings that apply to it, and its exclusions. */
export function scenarioModal(input: { target: NoticesModalTarget; detail: ScenarioDetail }): types.ModalView {
  const { scenario, escalationDays, academicLevels, groups } = input.detail
  const { settings } = scenario
  const blocks: types.KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${escapeMrkdwn(scenario.title)}*\n${escapeMrkdwn(scenario.about)}` } },
    {
      type: 'input',
      block_id: scenarioBlocks.enabled,
      label: { type: 'plain_text', text: 'Sending' },
      element: { type: 'radio_buttons', action_id: modalInput, ...choicesOf(enabledChoices, settings.enabled ? 'on' : 'off') },
    },
  ]
  if (scenario.applies.includes('daysBefore')) {
    const preOverdue = scenario.scenario === 'circulation.pre_overdue'
    blocks.push({
      type: 'input',
      block_id: scenarioBlocks.daysBefore,
      label: { type: 'plain_text', text: preOverdue ? 'Days before the due date' : 'Days before the pickup-by date' },
      // Seed 002: "A low number of days from 1 to 3 will produce best results."
      ...(preOverdue && { hint: { type: 'plain_text', text: 'A low number of days, from 1 to 3, works best.' } }),
      element: {
        type: 'static_select',
        action_id: modalInput,
        ...choicesOf(numbered(daysBeforeRange.min, daysBeforeRange.max, dayCount), String(settings.daysBefore ?? 2)),
      },
    })
  }
  if (scenario.applies.includes('frequency')) {
    const frequency = settings.frequency ?? { every: 'week', weekday: 1 }
    blocks.push(
      {
        type: 'input',
        block_id: scenarioBlocks.frequency,
        label: { type: 'plain_text', text: 'How often' },
        hint: { type: 'plain_text', text: 'Overdue checks run after midnight, in the library’s time zone.' },
        element: { type: 'radio_buttons', action_id: modalInput, ...choicesOf(frequencyChoices, frequency.every) },
      },
      {
        type: 'input',
        block_id: scenarioBlocks.weekday,
        label: { type: 'plain_text', text: 'Weekday (weekly)' },
        element: {
          type: 'static_select',
          action_id: modalInput,
          ...choicesOf(
            numbered(1, 7, (n) => weekdayNames[n - 1]),
            String(frequency.every === 'week' ? frequency.weekday : 1),
          ),
        },
      },
      {
        type: 'input',
        block_id: scenarioBlocks.monthDay,
        label: { type: 'plain_text', text: 'Day of the month (monthly)' },
        hint: { type: 'plain_text', text: '31 means the last day of every month, also in shorter months.' },
        element: {
          type: 'static_select',
          action_id: modalInput,
          ...choicesOf(
            numbered(1, 31, (n) => (n === 31 ? 'The last day of the month' : `The ${ordinal(n)}`)),
            String(frequency.every === 'month' ? frequency.day : 1),
          ),
        },
      },
    )
  }
  if (scenario.applies.includes('daysOverdue')) {
    blocks.push({
      type: 'input',
      block_id: scenarioBlocks.daysOverdue,
      label: { type: 'plain_text', text: 'Days overdue' },
      hint: {
        type: 'plain_text',
        text: `Now #1 at ${escalationDays[0]}, #2 at ${escalationDays[1]}, #3 at ${escalationDays[2]} days. Each level comes after the one before. A patron gets the highest level that applies to their most overdue loan.`,
      },
      element: { type: 'plain_text_input', action_id: modalInput, max_length: 4, initial_value: String(settings.daysOverdue ?? '') },
    })
  }
  if (scenario.hasExclusions) {
    blocks.push(
      academicLevels.length > 0
        ? exclusionBlock(scenarioBlocks.excludeAcademicLevels, 'Excluding these academic levels', academicLevels, settings.excludeAcademicLevels)
        : note('No academic levels yet: they come with the patrons, from the student system or an import.'),
      groups.length > 0
        ? exclusionBlock(scenarioBlocks.excludeGroups, 'Excluding these library groups', groups, settings.excludeGroups)
        : note('No library groups yet: they come with the patrons, from the student system or an import.'),
    )
  }
  return {
    type: 'modal',
    callback_id: scenarioModalId,
    private_metadata: JSON.stringify(input.target),
    title: { type: 'plain_text', text: 'Edit notice' },
    submit: { type: 'plain_text', text: 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  }
}

const note = (text: string): types.KnownBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] })

/** The form for the library's notice settings. */
export function settingsModal(input: { target: NoticesModalTarget; settings: LibrarySettings; libraryName: string }): types.ModalView {
  const { settings } = input
  const text = (
    blockId: string,
    label: string,
    value: string | null,
    extra: { hint?: string; optional?: boolean; maxLength?: number; placeholder?: string },
  ) => ({
    type: 'input' as const,
    block_id: blockId,
    ...(extra.optional && { optional: true }),
    label: { type: 'plain_text' as const, text: label },
    ...(extra.hint && { hint: { type: 'plain_text' as const, text: extra.hint } }),
    element: {
      type: 'plain_text_input' as const,
      action_id: modalInput,
      ...(extra.maxLength && { max_length: extra.maxLength }),
      ...(value !== null && value !== '' && { initial_value: value }),
      ...(extra.placeholder && { placeholder: { type: 'plain_text' as const, text: extra.placeholder } }),
    },
  })
  return {
    type: 'modal',
    callback_id: settingsModalId,
    private_metadata: JSON.stringify(input.target),
    title: { type: 'plain_text', text: 'Notice settings' },
    submit: { type: 'plain_text', text: 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      text(settingsBlocks.timeZone, 'Time zone', settings.timeZone, {
        hint: 'Where the library is, as Area/City: Australia/Sydney, Europe/London. Days overdue are counted there.',
        maxLength: 64,
      }),
      text(settingsBlocks.runAt, 'Nightly run starts at', settings.runAt, {
        hint: 'Local time, 24-hour clock, after midnight: 02:00.',
        maxLength: 5,
        placeholder: '02:00',
      }),
      {
        type: 'input',
        block_id: settingsBlocks.bccDefault,
        label: { type: 'plain_text', text: 'School default for BCC' },
        hint: { type: 'plain_text', text: 'For contacts whose BCC is set to “School default”.' },
        element: { type: 'radio_buttons', action_id: modalInput, ...choicesOf(bccChoices, settings.bccDefault ? 'bcc' : 'to') },
      },
      text(settingsBlocks.senderName, 'Sender name', settings.senderName, {
        optional: true,
        hint: `The name notices are from. Left empty: ${input.libraryName.slice(0, 100)}.`,
        maxLength: maxSenderNameLength,
      }),
      text(settingsBlocks.replyTo, 'Reply-to address', settings.replyTo, {
        optional: true,
        hint: 'Where replies to notices go, such as the library desk. Left empty: no reply-to.',
        maxLength: 320,
        placeholder: 'library@school.example',
      }),
      {
        type: 'input',
        block_id: settingsBlocks.slackChannel,
        optional: true,
        label: { type: 'plain_text', text: 'Report channel' },
        hint: { type: 'plain_text', text: 'Where the nightly run reports what it sent. Invite the app to a private channel.' },
        element: {
          type: 'conversations_select',
          action_id: modalInput,
          filter: { include: ['public', 'private'], exclude_bot_users: true },
          ...(settings.slackChannel !== null && { initial_conversation: settings.slackChannel }),
          placeholder: { type: 'plain_text', text: 'No reports' },
        },
      },
      {
        type: 'input',
        block_id: settingsBlocks.retainDeletedPatronLoans,
        optional: true,
        label: { type: 'plain_text', text: 'When patrons are purged' },
        hint: {
          type: 'plain_text',
          text: 'Ticked: their loans stay, anonymised: the item, the dates and the academic level are kept for statistics, the name is not. Unticked: their loans are deleted with them.',
        },
        element: {
          type: 'checkboxes',
          action_id: modalInput,
          options: [retainLoansOption],
          ...(settings.retainDeletedPatronLoans && { initial_options: [retainLoansOption] }),
        },
      },
    ],
  }
}
