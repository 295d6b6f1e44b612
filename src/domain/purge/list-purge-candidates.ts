import type { AppDeps } from '../deps.ts'
import type { Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import type { PurgeError } from './errors.ts'
import type { PurgeCandidatePage, PurgeFilter, PurgePageSize } from './purge-view.ts'

/** The deactivated patrons of the library, page by page, with their open loans and contacts (seed 004). */
export async function listPurgeCandidates(
  _deps: Pick<AppDeps, 'db' | 'clock'>,
  _input: { libraryId: number; actor: Actor; page: number; pageSize: PurgePageSize; filter: PurgeFilter },
): Promise<Result<PurgeCandidatePage, PurgeError>> {
  throw new Error('issue 14: listPurgeCandidates is not written yet')
}
