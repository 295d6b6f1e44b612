import type { ViewStateValue } from '@slack/bolt'
import type { PreferencesBatchError } from '../../domain/preferences/errors.ts'
import { noticeGroups } from '../../domain/preferences/groups.ts'
import { type PreferencesBatchRequest, preferenceSettings, preferencesBatchModes } from '../../domain/preferences/preferences-batch.ts'
import { err, ok, type Result } from '../../domain/result.ts'
import { quoted } from '../../domain/text.ts'
import { chosenOf, type ModalErrors, modalField, pickedOf, readModalState, textOf } from '../modal-state.ts'
import { preferencesBlocks } from './views.ts'

const names = (value: string) =>
  value
    .split(/[,\n]/)
    .map((name) => name.trim())
    .filter(Boolean)

/** Reads the wizard's modal into a dry run. */
export function parsePreferencesForm(values: Record<string, Record<string, ViewStateValue>>): Result<PreferencesBatchRequest, ModalErrors<string>> {
  const shape = {
    [preferencesBlocks.mode]: modalField.choice(preferencesBatchModes),
    [preferencesBlocks.academicLevels]: modalField.text(),
    [preferencesBlocks.groups]: modalField.text(),
    [preferencesBlocks.usernames]: modalField.text(),
    [preferencesBlocks.overwrite]: modalField.picked(),
    ...Object.fromEntries(noticeGroups.map((group) => [preferencesBlocks.group(group.name), modalField.choice(preferenceSettings)])),
  }
  const missing = Object.fromEntries(Object.keys(shape).map((block) => [block, 'Choose again: this form was not understood'])) as Record<
    keyof typeof shape & string,
    string
  >
  const read = readModalState(values, shape, missing)
  if (!read.ok) return err(read.error)
  // The group blocks are named at run time: read them as the shape says.
  const form = read.value as unknown as Record<string, never>
  return ok({
    mode: chosenOf(form[preferencesBlocks.mode]),
    filter: {
      academicLevels: names(textOf(form[preferencesBlocks.academicLevels])),
      groups: names(textOf(form[preferencesBlocks.groups])),
      usernames: names(textOf(form[preferencesBlocks.usernames])),
    },
    set: Object.fromEntries(noticeGroups.map((group) => [group.name, chosenOf(form[preferencesBlocks.group(group.name)])])),
    overwriteRecipientChoices: pickedOf(form[preferencesBlocks.overwrite]).includes('overwrite'),
  })
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
