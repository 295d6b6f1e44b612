import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { PreferencesBatchError } from './errors.ts'
import { resolvePreferencesFilter } from './queries.ts'

/** A filter as ids: short to carry from one step of a wizard to the next. Empty: no filter on that field. */
export type PreferencesFilterIds = { academicLevelIds: number[]; groupIds: number[]; patronIds: number[] }

/**
 * Checks a filter of names for the preferences wizard's next step: every name must be the
 * library's (an unknown one is named, by its field), and the filter comes back as ids.
 */
export async function choosePreferencesFilter(
  deps: Pick<AppDeps, 'db'>,
  input: { libraryId: number; actor: Actor; filter: { academicLevels: readonly string[]; groups: readonly string[]; usernames: readonly string[] } },
): Promise<Result<PreferencesFilterIds, PreferencesBatchError>> {
  const refused = checkPermission(input.actor, 'runPreferencesBatch')
  if (refused) return err(refused)
  const resolved = await resolvePreferencesFilter(deps.db, { libraryId: input.libraryId, ...input.filter })
  for (const field of ['usernames', 'academicLevels', 'groups'] as const) {
    if (resolved[field].unknown.length > 0) return err({ code: 'unknown_in_filter', field, values: resolved[field].unknown })
  }
  const unique = (ids: number[]) => [...new Set(ids)]
  return ok({
    academicLevelIds: unique(resolved.academicLevels.ids),
    groupIds: unique(resolved.groups.ids),
    patronIds: unique(resolved.usernames.ids),
  })
}
