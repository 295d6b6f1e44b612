import type { AppDeps } from '../deps.ts'
import type { Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import type { PurgeError } from './errors.ts'
import type { PurgeRequest } from './purge-view.ts'

/** A purge request as it stands. */
export async function showPurgeRequest(
  _deps: Pick<AppDeps, 'db' | 'clock'>,
  _input: { libraryId: number; actor: Actor; requestId: number },
): Promise<Result<PurgeRequest, PurgeError>> {
  throw new Error('issue 14: showPurgeRequest is not written yet')
}
