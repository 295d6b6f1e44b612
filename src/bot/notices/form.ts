import type { ViewResponseAction, ViewStateValue } from '@slack/bolt'
import { z } from 'zod'
import { assertNever, err, ok, type Result } from '../../domain/result.ts'
import type { LibrarySettingsError, LibrarySettingsField, ScenarioError, ScenarioField } from '../../domain/scenarios/errors.ts'
import type { ScenarioChanges } from '../../domain/scenarios/scenario-changes.ts'
import type { ScenarioView } from '../../domain/scenarios/scenario-view.ts'
import type { LibrarySettingsChanges } from '../../domain/scenarios/update-library-settings.ts'
import { chosenOf, type ModalErrors, modalField, modalInput, pickedOf, readModalState, textOf } from '../modal-state.ts'
import { notAllowedText, noticeModal } from '../views.ts'
import { type NoticesModalTarget, retainLoansOption, scenarioBlocks, settingsBlocks } from './modal-views.ts'

type ScenarioBlock = (typeof scenarioBlocks)[keyof typeof scenarioBlocks]
type SettingsBlock = (typeof settingsBlocks)[keyof typeof settingsBlocks]
type Values = Record<string, Record<string, ViewStateValue>>

const oneToSeven = ['1', '2', '3', '4', '5', '6', '7'] as const
const oneToThirtyOne = Array.from({ length: 31 }, (_, i) => String(i + 1)) as [string, ...string[]]

// Slack enforces the inputs a modal requires, so these show only for a form that was tampered with.
const missingScenarioField: Record<ScenarioBlock, string> = {
  [scenarioBlocks.enabled]: 'Choose On or Off',
  [scenarioBlocks.daysBefore]: 'Choose a number of days',
  [scenarioBlocks.frequency]: 'Choose daily, weekly or monthly',
  [scenarioBlocks.weekday]: 'Choose a weekday',
  [scenarioBlocks.monthDay]: 'Choose a day of the month',
  [scenarioBlocks.daysOverdue]: 'Enter a number of days',
  [scenarioBlocks.excludeAcademicLevels]: 'Choose academic levels, or none',
  [scenarioBlocks.excludeGroups]: 'Choose library groups, or none',
}

/**
 * Reads the scenario modal's `view.state.values`: only the blocks the modal showed for this
 * scenario (`blocks`), so a setting that does not apply is never sent. The domain checks the values.
 */
export function parseScenarioForm(values: Values, blocks: ReadonlySet<string>): Result<ScenarioChanges, ModalErrors<ScenarioBlock>> {
  const shape = {
    [scenarioBlocks.enabled]: modalField.choice(['on', 'off']),
    ...(blocks.has(scenarioBlocks.daysBefore) && { [scenarioBlocks.daysBefore]: modalField.choice(oneToSeven) }),
    ...(blocks.has(scenarioBlocks.frequency) && {
      [scenarioBlocks.frequency]: modalField.choice(['day', 'week', 'month']),
      [scenarioBlocks.weekday]: modalField.choice(oneToSeven),
      [scenarioBlocks.monthDay]: modalField.choice(oneToThirtyOne),
    }),
    ...(blocks.has(scenarioBlocks.daysOverdue) && { [scenarioBlocks.daysOverdue]: modalField.text() }),
    ...(blocks.has(scenarioBlocks.excludeAcademicLevels) && { [scenarioBlocks.excludeAcademicLevels]: modalField.picked() }),
    ...(blocks.has(scenarioBlocks.excludeGroups) && { [scenarioBlocks.excludeGroups]: modalField.picked() }),
  } as Record<ScenarioBlock, z.ZodType>
  const read = readModalState(values, shape, missingScenarioField)
  if (!read.ok) return read
  const form = read.value as Record<ScenarioBlock, never>
  const changes: ScenarioChanges = { enabled: chosenOf<'on' | 'off'>(form[scenarioBlocks.enabled]) === 'on' }
  if (blocks.has(scenarioBlocks.daysBefore)) changes.daysBefore = Number(chosenOf(form[scenarioBlocks.daysBefore]))
  if (blocks.has(scenarioBlocks.frequency)) {
    const every = chosenOf<'day' | 'week' | 'month'>(form[scenarioBlocks.frequency])
    changes.frequency =
      every === 'day'
        ? { every }
        : every === 'week'
          ? { every, weekday: Number(chosenOf(form[scenarioBlocks.weekday])) }
          : { every, day: Number(chosenOf(form[scenarioBlocks.monthDay])) }
  }
  if (blocks.has(scenarioBlocks.daysOverdue)) {
    const typed = textOf(form[scenarioBlocks.daysOverdue]).trim()
    if (!/^[0-9]{1,4}$/.test(typed)) return err({ [scenarioBlocks.daysOverdue]: 'Enter a whole number of days, such as 21' })
    changes.daysOverdue = Number(typed)
  }
  if (blocks.has(scenarioBlocks.excludeAcademicLevels)) changes.excludeAcademicLevels = pickedOf(form[scenarioBlocks.excludeAcademicLevels])
  if (blocks.has(scenarioBlocks.excludeGroups)) changes.excludeGroups = pickedOf(form[scenarioBlocks.excludeGroups])
  return ok(changes)
}

const blockOfScenarioField: Record<ScenarioField, ScenarioBlock> = {
  enabled: scenarioBlocks.enabled,
  daysBefore: scenarioBlocks.daysBefore,
  frequency: scenarioBlocks.frequency,
  'frequency.weekday': scenarioBlocks.weekday,
  'frequency.day': scenarioBlocks.monthDay,
  daysOverdue: scenarioBlocks.daysOverdue,
  excludeAcademicLevels: scenarioBlocks.excludeAcademicLevels,
  excludeGroups: scenarioBlocks.excludeGroups,
}

/**
 * How the scenario modal answers a refusal: on the field, or in place of the form. A field the
 * modal did not show (someone changed the library meanwhile) cannot carry an error, so the
 * refusal then replaces the form.
 */
export function scenarioSubmissionReply(error: ScenarioError, blocks: ReadonlySet<string>, libraryName: string): ViewResponseAction {
  switch (error.code) {
    case 'invalid_scenario_settings': {
      const errors: ModalErrors<ScenarioBlock> = {}
      for (const problem of error.problems) {
        const block = blockOfScenarioField[problem.field]
        errors[block] = errors[block] ? `${errors[block]}; ${problem.message}` : problem.message
      }
      if (Object.keys(errors).every((block) => blocks.has(block))) return { response_action: 'errors', errors }
      return notSaved(`${error.problems.map((problem) => problem.message).join('. ')}. Please open the form again from \`/notices\`.`)
    }
    case 'not_allowed':
      return notSaved(notAllowedText(error, libraryName))
    case 'scenario_not_found':
      return notSaved('This form is out of date. Please open it again from `/notices`.')
    case 'library_not_found':
      return notSaved('This library is no longer in library-comms.')
    default:
      return assertNever(error)
  }
}

const missingSettingsField: Record<SettingsBlock, string> = {
  [settingsBlocks.timeZone]: 'Enter a time zone, such as Australia/Sydney',
  [settingsBlocks.runAt]: 'Enter a time, such as 02:00',
  [settingsBlocks.bccDefault]: 'Choose Bcc or To',
  [settingsBlocks.senderName]: 'Enter a name, or leave it empty',
  [settingsBlocks.replyTo]: 'Enter an email address, or leave it empty',
  [settingsBlocks.slackChannel]: 'Choose a channel, or none',
  [settingsBlocks.retainDeletedPatronLoans]: 'Tick the box, or leave it empty',
}

const settingsForm = {
  [settingsBlocks.timeZone]: modalField.text(),
  [settingsBlocks.runAt]: modalField.text(),
  [settingsBlocks.bccDefault]: modalField.choice(['bcc', 'to']),
  [settingsBlocks.senderName]: modalField.text(),
  [settingsBlocks.replyTo]: modalField.text(),
  [settingsBlocks.slackChannel]: z.object({ [modalInput]: z.object({ selected_conversation: z.string().nullish() }) }).optional(),
  [settingsBlocks.retainDeletedPatronLoans]: modalField.picked(),
}

/** Reads the settings modal: every setting, as the form shows them all; empty reply-to and channel are none. */
export function parseSettingsForm(values: Values): Result<LibrarySettingsChanges, ModalErrors<SettingsBlock>> {
  const read = readModalState(values, settingsForm, missingSettingsField)
  if (!read.ok) return read
  const form = read.value
  const replyTo = textOf(form[settingsBlocks.replyTo]).trim()
  return ok({
    timeZone: textOf(form[settingsBlocks.timeZone]).trim(),
    runAt: textOf(form[settingsBlocks.runAt]).trim(),
    bccDefault: chosenOf(form[settingsBlocks.bccDefault]) === 'bcc',
    senderName: textOf(form[settingsBlocks.senderName]),
    replyTo: replyTo === '' ? null : replyTo,
    slackChannel: form[settingsBlocks.slackChannel]?.[modalInput].selected_conversation ?? null,
    retainDeletedPatronLoans: pickedOf(form[settingsBlocks.retainDeletedPatronLoans]).includes(retainLoansOption.value),
  })
}

const blockOfSettingsField: Record<LibrarySettingsField, SettingsBlock> = {
  timeZone: settingsBlocks.timeZone,
  runAt: settingsBlocks.runAt,
  bccDefault: settingsBlocks.bccDefault,
  senderName: settingsBlocks.senderName,
  replyTo: settingsBlocks.replyTo,
  slackChannel: settingsBlocks.slackChannel,
  retainDeletedPatronLoans: settingsBlocks.retainDeletedPatronLoans,
}

/** How the settings modal answers a refusal. */
export function settingsSubmissionReply(error: LibrarySettingsError, libraryName: string): ViewResponseAction {
  switch (error.code) {
    case 'invalid_library_settings': {
      const errors: ModalErrors<SettingsBlock> = {}
      for (const problem of error.problems) errors[blockOfSettingsField[problem.field]] = problem.message
      return { response_action: 'errors', errors }
    }
    case 'not_allowed':
      return notSaved(notAllowedText(error, libraryName))
    case 'library_not_found':
      return notSaved('This library is no longer in library-comms.')
    default:
      return assertNever(error)
  }
}

const notSaved = (text: string): ViewResponseAction => ({ response_action: 'update', view: noticeModal('Not saved', text) })

/** What a saved change says at the top of the refreshed `/notices`. */
export const savedScenarioText = (view: ScenarioView) => `:white_check_mark: Saved *${view.title}*.`

const modalTarget = z.object({ scenario: z.string().optional(), responseUrl: z.url().optional(), channelId: z.string().optional() })

/** The modal's private_metadata: where it came from, never who may act (that is resolved afresh). */
export function parseModalTarget(privateMetadata: string): NoticesModalTarget | undefined {
  try {
    const parsed = modalTarget.safeParse(JSON.parse(privateMetadata))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}
