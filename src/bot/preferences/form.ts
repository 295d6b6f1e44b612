import type { ViewStateValue } from '@slack/bolt'
import { z } from 'zod'
import type { PreferencesBatchError } from '../../domain/preferences/errors.ts'
import { noticeGroups } from '../../domain/preferences/groups.ts'
import { preferenceSettings, preferencesBatchModes } from '../../domain/preferences/preferences-batch.ts'
import type { ChosenPreferences } from '../../domain/preferences/preview-chosen-preferences.ts'
import { err, ok, type Result } from '../../domain/result.ts'
import { quoted } from '../../domain/text.ts'
import { chosenOf, type ModalErrors, modalField, modalInput, pickedOf, readModalState } from '../modal-state.ts'
import { preferencesBlocks } from './views.ts'

type Values = Record<string, Record<string, ViewStateValue>>
const understood = 'Choose again: this form was not understood'

/**
 * Slack keeps at most 3,000 characters of private_metadata, which carries the answers from step
 * to step: the filter goes as ids, a patron's id at most 7 digits and a comma, so 300 patrons
 * leave room for the levels and groups chosen. More patrons at once: the API.
 */
export const maxPastedUsernames = 300
export const maxPrivateMetadata = 3000

/** What step 1 carries on: the mode. */
const modeCarried = z.object({ mode: z.enum(preferencesBatchModes) })
/** What step 2 carries on: the mode and the filter, as ids. */
const filterCarried = modeCarried.extend({
  filter: z.object({ academicLevelIds: z.array(z.number().int()), groupIds: z.array(z.number().int()), patronIds: z.array(z.number().int()) }),
})
export type ModeCarried = z.output<typeof modeCarried>
export type FilterCarried = z.output<typeof filterCarried>

/** What an earlier step carried on, or undefined when it is not (a view from another version). */
export function readCarried<T>(schema: z.ZodType<T>, privateMetadata: string): T | undefined {
  try {
    const read = schema.safeParse(JSON.parse(privateMetadata))
    return read.success ? read.data : undefined
  } catch {
    return undefined
  }
}
export const carried = { mode: modeCarried, filter: filterCarried }

const names = (value: string) => [
  ...new Set(
    value
      .split(/[,\n]/)
      .map((name) => name.trim())
      .filter(Boolean),
  ),
]

/** Step 1: the mode. */
export function parseModeStep(values: Values): Result<ModeCarried, ModalErrors<string>> {
  const read = readModalState(values, { [preferencesBlocks.mode]: modalField.choice(preferencesBatchModes) }, { [preferencesBlocks.mode]: understood })
  return read.ok ? ok({ mode: chosenOf(read.value[preferencesBlocks.mode]) }) : read
}

// A filter field is a multi-select of the library's names, or text when it has too many to list.
const namesField = () =>
  z.object({ [modalInput]: z.object({ selected_options: z.array(z.object({ value: z.string() })).nullish(), value: z.string().nullish() }) }).optional()

/** Step 2: the names of the filter, each list without repeats. */
export function parseFilterStep(values: Values): Result<{ academicLevels: string[]; groups: string[]; usernames: string[] }, ModalErrors<string>> {
  const blocks = [preferencesBlocks.academicLevels, preferencesBlocks.groups, preferencesBlocks.usernames] as const
  const read = readModalState(
    values,
    Object.fromEntries(blocks.map((block) => [block, namesField()])),
    Object.fromEntries(blocks.map((block) => [block, understood])),
  )
  if (!read.ok) return read
  const namesOf = (block: string) => {
    const field = read.value[block]?.[modalInput]
    return field?.selected_options ? field.selected_options.map((option) => option.value) : names(field?.value ?? '')
  }
  const usernames = namesOf(preferencesBlocks.usernames)
  if (usernames.length > maxPastedUsernames) {
    return err({
      [preferencesBlocks.usernames]: `Paste at most ${maxPastedUsernames} usernames at once (these are ${usernames.length.toLocaleString('en')}), or use the API: POST /api/v1/preferences/batch.`,
    })
  }
  return ok({ academicLevels: namesOf(preferencesBlocks.academicLevels), groups: namesOf(preferencesBlocks.groups), usernames })
}

/** Step 3: On, Off or No change per group, and the overwrite box; at least one On or Off. */
export function parseSettingsStep(values: Values): Result<Pick<ChosenPreferences, 'set' | 'overwriteRecipientChoices'>, ModalErrors<string>> {
  const shape = {
    [preferencesBlocks.overwrite]: modalField.picked(),
    ...Object.fromEntries(noticeGroups.map((group) => [preferencesBlocks.group(group.name), modalField.choice(preferenceSettings)])),
  }
  const missing = Object.fromEntries(Object.keys(shape).map((block) => [block, understood])) as Record<keyof typeof shape & string, string>
  const read = readModalState(values, shape, missing)
  if (!read.ok) return read
  // The group blocks are named at run time: read them as the shape says.
  const form = read.value as unknown as Record<string, never>
  const set = Object.fromEntries(noticeGroups.map((group) => [group.name, chosenOf(form[preferencesBlocks.group(group.name)])]))
  if (Object.values(set).every((setting) => setting === 'no_change')) {
    return err({ [preferencesBlocks.group(noticeGroups[0].name)]: 'Choose On or Off for at least one group: every group is No change.' })
  }
  return ok({ set, overwriteRecipientChoices: pickedOf(form[preferencesBlocks.overwrite]).includes('overwrite') })
}

const filterWords = {
  usernames: 'No patron has the username',
  academicLevels: 'The library has no academic level',
  groups: 'The library has no group',
} as const

/** The modal's errors for a refusal that concerns a field; undefined for the others. */
export function preferencesFieldErrors(error: PreferencesBatchError): ModalErrors<string> | undefined {
  if (error.code !== 'unknown_in_filter') return undefined
  return { [preferencesBlocks[error.field]]: error.values.map((value) => `${filterWords[error.field]} ${quoted(value)}`).join('; ') }
}
