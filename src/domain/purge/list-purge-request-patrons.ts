import type { AppDeps } from '../deps.ts'
import type { Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import type { PurgeError } from './errors.ts'
import type { PurgePageSize, PurgeRequestPatron } from './purge-view.ts'

/** Exactly who a purge request removes, page by page. */
export async function listPurgeRequestPatrons(
  _deps: Pick<AppDeps, 'db' | 'clock'>,
  _input: { libraryId: number; actor: Actor; requestId: number; page: number; pageSize: PurgePageSize },
): Promise<Result<{ patrons: PurgeRequestPatron[]; total: number }, PurgeError>> {
  throw new Error('issue 14: listPurgeRequestPatrons is not written yet')
}
