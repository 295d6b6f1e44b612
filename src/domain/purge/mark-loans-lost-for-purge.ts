import type { AppDeps } from '../deps.ts'
import type { Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import type { PurgeError } from './errors.ts'
import type {} from './purge-view.ts'

/** Marks a deactivated patron's open loans lost, now: their notices stop; `loan.lost` events; audited. */
export async function markLoansLostForPurge(
  _deps: Pick<AppDeps, 'db' | 'clock'>,
  _input: { libraryId: number; actor: Actor; username: string },
): Promise<Result<{ marked: number }, PurgeError>> {
  throw new Error('issue 14: markLoansLostForPurge is not written yet')
}
