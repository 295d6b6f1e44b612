import type { AppDeps } from '../deps.ts'
import type { Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import type { PurgeError } from './errors.ts'
import type { PurgePageSize, PurgeRequest } from './purge-view.ts'

/** Asks for a purge: checks every patron, stages the request (expires in a week), audited; changes nothing else. */
export async function requestPurge(
  _deps: Pick<AppDeps, 'db' | 'clock'>,
  _input: { libraryId: number; actor: Actor; usernames: readonly string[]; markLoansLost: boolean; pageSize?: PurgePageSize | undefined },
): Promise<Result<PurgeRequest, PurgeError>> {
  throw new Error('issue 14: requestPurge is not written yet')
}
