import { sql } from 'kysely'
import { recordAudit } from '../audit/record-audit.ts'
import { laneLock } from '../batches/queries.ts'
import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import { contactScenarioNames } from '../scenarios/catalogue.ts'
import { type Actor, actorLabel } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { PreferencesBatchError } from './errors.ts'
import { type NoticeGroup, noticeGroups } from './groups.ts'
import { applyPreferencesPlan, planPreferencesBatch, resolvePreferencesFilter } from './queries.ts'

export const preferencesBatchModes = ['guardians', 'patrons', 'others'] as const
export type PreferencesBatchMode = (typeof preferencesBatchModes)[number]
export const preferenceSettings = ['on', 'off', 'no_change'] as const
export type PreferenceSetting = (typeof preferenceSettings)[number]

/** What the wizard (or the API) asks: seed 003's mode, optional filter, and On / Off / No change per group. */
export type PreferencesBatchRequest = {
  mode: PreferencesBatchMode
  filter?: { academicLevels?: readonly string[]; groups?: readonly string[]; usernames?: readonly string[] }
  set: Partial<Record<NoticeGroup, PreferenceSetting>>
  /** Seed 003 "may overwrite" what families set themselves: only when the admin ticks it. */
  overwriteRecipientChoices: boolean
  dryRun: boolean
  /** The preview's `planChecksum`: the apply goes ahead only if it would change exactly what the preview showed. */
  expectedPlanChecksum?: string | undefined
}

/** What the preview says, and the apply did. */
export type PreferencesBatchOutcome = {
  contactsToChange: number
  skippedNoAddress: number
  /** Choices recipients made (the unsubscribe page) that the batch overwrites: 0 unless overwrite is ticked. */
  recipientChoicesOverwritten: number
  /** Choices recipients made that contradict the batch and are kept (overwrite not ticked). */
  recipientChoicesKept: number
  /** Contacts updated; 0 on a dry run. */
  preferencesUpdated: number
  /** A digest of the changes, to confirm a preview with (`expectedPlanChecksum`). */
  planChecksum: string
}

const roleOfMode: Record<PreferencesBatchMode, 'guardian' | 'patron' | 'other'> = { guardians: 'guardian', patrons: 'patron', others: 'other' }

/**
 * The contact preferences batch (seed 003; docs/staff/preferences.md): a dry run counts, an apply
 * changes every selected contact with a usable email address in one transaction and is audited.
 * Both run the same plan, so the preview's counts are what the apply does.
 */
export async function runPreferencesBatch(
  deps: Pick<AppDeps, 'db'>,
  input: { libraryId: number; actor: Actor; request: PreferencesBatchRequest },
): Promise<Result<PreferencesBatchOutcome, PreferencesBatchError>> {
  const refused = checkPermission(input.actor, 'runPreferencesBatch')
  if (refused) return err(refused)
  const { request } = input
  const given = {
    academicLevels: [...(request.filter?.academicLevels ?? [])],
    groups: [...(request.filter?.groups ?? [])],
    usernames: [...(request.filter?.usernames ?? [])],
  }
  const resolved = await resolvePreferencesFilter(deps.db, { libraryId: input.libraryId, ...given })
  for (const field of ['usernames', 'academicLevels', 'groups'] as const) {
    if (resolved[field].unknown.length > 0) return err({ code: 'unknown_in_filter', field, values: resolved[field].unknown })
  }
  const settings = noticeGroups.flatMap((group) => {
    const setting = request.set[group.name] ?? 'no_change'
    return setting === 'no_change' ? [] : group.scenarios.map((scenario) => ({ group: group.name, scenario, setting }))
  })

  return deps.db.transaction().execute(async (tx) => {
    // An apply waits for the library's other batches (an import applying, another preferences
    // batch): its plan is then made on contacts nobody else is changing, and holds till commit.
    if (!request.dryRun) await sql`select pg_advisory_xact_lock(${laneLock}, ${input.libraryId})`.execute(tx)
    const counts = await planPreferencesBatch(tx, {
      libraryId: input.libraryId,
      role: roleOfMode[request.mode],
      academicLevelIds: given.academicLevels.length > 0 ? resolved.academicLevels.ids : null,
      groupIds: given.groups.length > 0 ? resolved.groups.ids : null,
      patronIds: given.usernames.length > 0 ? resolved.usernames.ids : null,
      settings,
      everyScenario: contactScenarioNames,
      overwriteRecipientChoices: request.overwriteRecipientChoices,
    })
    if (request.dryRun) return ok({ ...counts, preferencesUpdated: 0 })
    // Issue 13: a confirmation applies exactly what its preview showed, or says it changed.
    if (request.expectedPlanChecksum !== undefined && request.expectedPlanChecksum !== counts.planChecksum) {
      return err({ code: 'preview_out_of_date', contactsToChange: counts.contactsToChange } as const)
    }
    const preferencesUpdated = await applyPreferencesPlan(tx, { overwriteRecipientChoices: request.overwriteRecipientChoices })
    const outcome = { ...counts, preferencesUpdated }
    await recordAudit(tx, {
      libraryId: input.libraryId,
      actor: actorLabel(input.actor.ref),
      action: 'preferences.batch_applied',
      subjectType: 'library',
      subjectId: input.libraryId,
      details: { mode: request.mode, filter: given, set: request.set, overwriteRecipientChoices: request.overwriteRecipientChoices, ...outcome },
    })
    return ok(outcome)
  })
}
