import { parseBound } from '../audit/list-audit.ts'
import { findLibraryDayBounds } from '../audit/queries.ts'
import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { ListBlacklistError } from './errors.ts'
import { type BlacklistEntry, findBlacklist } from './queries.ts'

/** Without `since`: the last 30 days. */
export const defaultBlacklistDays = 30
/** Entries listed at most: Slack shows a page, the API the same. */
export const maxBlacklistEntries = 500

/** The entries since a date, and the date the list starts from (for "since …" in Slack). */
export type BlacklistPage = { entries: BlacklistEntry[]; since: Date; timeZone: string; truncated: boolean }

type Deps = Pick<AppDeps, 'db' | 'clock'>

/**
 * The library's blacklist since a date (a day in the library's time zone, or an instant; by
 * default the last 30 days), newest first, with the patrons whose contact each address is.
 * Anyone who may look up contacts may read it: the same addresses show on the patrons' cards.
 */
export async function listBlacklist(
  deps: Deps,
  input: { libraryId: number; actor: Actor; since?: string; limit?: number },
): Promise<Result<BlacklistPage, ListBlacklistError>> {
  const refused = checkPermission(input.actor, 'lookUpContacts')
  if (refused) return err(refused)
  const bound = input.since === undefined || input.since.trim() === '' ? undefined : parseBound(input.since)
  if (bound === null) return err({ code: 'invalid_since', value: input.since! })
  const days = await findLibraryDayBounds(deps.db, { libraryId: input.libraryId, ...(bound && 'day' in bound && { fromDay: bound.day }) })
  if (!days) return err({ code: 'library_not_found', libraryId: input.libraryId })
  const since = bound ? ('day' in bound ? days.fromDayStart! : bound.instant) : new Date(deps.clock.now().getTime() - defaultBlacklistDays * 86_400_000)
  const limit = Math.min(input.limit ?? maxBlacklistEntries, maxBlacklistEntries)
  const found = await findBlacklist(deps.db, { libraryId: input.libraryId, since, limit: limit + 1 })
  return ok({ entries: found.slice(0, limit), since, timeZone: days.timeZone, truncated: found.length > limit })
}
