import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission, type NotAllowed } from '../staff/permissions.ts'
import { listFilterNames } from './queries.ts'

/** What the wizard's filter can offer: each list of names, or null when the library has more than `atMost`. */
export type PreferencesFilterChoices = { academicLevels: string[] | null; groups: string[] | null }

// "Year 10" after "Year 9", as a librarian counts them, not as text sorts them.
const bySchoolOrder = new Intl.Collator('en', { numeric: true, sensitivity: 'base' }).compare

/**
 * The library's academic levels and groups for the preferences wizard's filter (seed 003's
 * optional filter), in school order. A door that lists at most so many (Slack: 100 options) is
 * told when there are more, and asks for names instead.
 */
export async function listPreferencesFilterChoices(
  deps: Pick<AppDeps, 'db'>,
  input: { libraryId: number; actor: Actor; atMost: number },
): Promise<Result<PreferencesFilterChoices, NotAllowed>> {
  const refused = checkPermission(input.actor, 'runPreferencesBatch')
  if (refused) return err(refused)
  const names = await listFilterNames(deps.db, { libraryId: input.libraryId, atMost: input.atMost })
  const offered = (list: string[]) => (list.length > input.atMost ? null : list.sort(bySchoolOrder))
  return ok({ academicLevels: offered(names.academicLevels), groups: offered(names.groups) })
}
