import type { Db } from '../../db/database.ts'
import { err, ok, type Result } from '../result.ts'
import { contactScenarioNames } from '../scenarios/catalogue.ts'
import type { PreferencesBatchError } from './errors.ts'
import { type NoticeGroup, noticeGroups } from './groups.ts'
import { type PreferencesPlanCounts, planPreferencesBatch, resolvePreferencesFilter } from './queries.ts'

export const preferencesBatchModes = ['guardians', 'patrons', 'others'] as const
export type PreferencesBatchMode = (typeof preferencesBatchModes)[number]
export const preferenceSettings = ['on', 'off', 'no_change'] as const
export type PreferenceSetting = (typeof preferenceSettings)[number]

/** What the wizard (or the API) asks: seed 003's mode, optional filter, and On / Off / No change per group. */
export type PreferencesBatchRequest = {
  mode: PreferencesBatchMode
  filter: { academicLevels: string[]; groups: string[]; usernames: string[] }
  set: Partial<Record<NoticeGroup, PreferenceSetting>>
  /** Seed 003 "may overwrite" what families set themselves: only when the admin ticks it. */
  overwriteRecipientChoices: boolean
}

/** What the preview counts. */
export type PreferencesBatchCounts = {
  contactsToChange: number
  skippedNoAddress: number
  /** Choices recipients made (the unsubscribe page) that the batch overwrites: 0 unless overwrite is ticked. */
  recipientChoicesOverwritten: number
  /** Choices recipients made that contradict the batch and are kept (overwrite not ticked). */
  recipientChoicesKept: number
}

/** What the apply did: the preview's counts, and the contacts updated. */
export type PreferencesBatchOutcome = PreferencesBatchCounts & { preferencesUpdated: number }

/** How long a preview waits for its confirmation: a preview left open in Slack over lunch still applies. */
export const previewWaitsMs = 24 * 60 * 60_000

const roleOfMode: Record<PreferencesBatchMode, 'guardian' | 'patron' | 'other'> = { guardians: 'guardian', patrons: 'patron', others: 'other' }

/** A request as a caller may give it: a filter or a group left out means none, or No change. */
export type PreferencesBatchAsked = {
  mode: PreferencesBatchMode
  filter?: { academicLevels?: readonly string[]; groups?: readonly string[]; usernames?: readonly string[] } | undefined
  set: Partial<Record<NoticeGroup, PreferenceSetting>>
  overwriteRecipientChoices: boolean
}

/** The request as it is kept: every field present, names in the order given, for a confirmation to compare. */
export function normalizedRequest(request: PreferencesBatchAsked): PreferencesBatchRequest {
  return {
    mode: request.mode,
    filter: {
      academicLevels: [...(request.filter?.academicLevels ?? [])],
      groups: [...(request.filter?.groups ?? [])],
      usernames: [...(request.filter?.usernames ?? [])],
    },
    set: Object.fromEntries(noticeGroups.map((group) => [group.name, request.set[group.name] ?? 'no_change'])),
    overwriteRecipientChoices: request.overwriteRecipientChoices,
  }
}

/**
 * Plans the batch in the transaction (temporary tables that go at commit; queries.ts) and counts
 * it. An apply plans under the library's lock (applyBatch holds it), so its plan is made on
 * contacts no other batch is changing, and holds till commit.
 */
export async function planRequest(
  tx: Db,
  input: { libraryId: number; request: PreferencesBatchRequest },
): Promise<Result<PreferencesPlanCounts, PreferencesBatchError>> {
  const { request } = input
  const resolved = await resolvePreferencesFilter(tx, { libraryId: input.libraryId, ...request.filter })
  for (const field of ['usernames', 'academicLevels', 'groups'] as const) {
    if (resolved[field].unknown.length > 0) return err({ code: 'unknown_in_filter', field, values: resolved[field].unknown })
  }
  const settings = noticeGroups.flatMap((group) => {
    const setting = request.set[group.name] ?? 'no_change'
    return setting === 'no_change' ? [] : group.scenarios.map((scenario) => ({ group: group.name, scenario, setting }))
  })
  const counts = await planPreferencesBatch(tx, {
    libraryId: input.libraryId,
    role: roleOfMode[request.mode],
    academicLevelIds: request.filter.academicLevels.length > 0 ? resolved.academicLevels.ids : null,
    groupIds: request.filter.groups.length > 0 ? resolved.groups.ids : null,
    patronIds: request.filter.usernames.length > 0 ? resolved.usernames.ids : null,
    settings,
    everyScenario: contactScenarioNames,
    overwriteRecipientChoices: request.overwriteRecipientChoices,
  })
  return ok(counts)
}
