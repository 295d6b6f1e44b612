import type { AppDeps } from '../deps.ts'
import type { Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import type { PurgeError } from './errors.ts'
import type { LoanToLose } from './purge-view.ts'

/** A candidate's open loans, for the "Mark as lost and purge" dialog. */
export async function listLoansToLose(
  _deps: Pick<AppDeps, 'db' | 'clock'>,
  _input: { libraryId: number; actor: Actor; username: string },
): Promise<Result<LoanToLose[], PurgeError>> {
  throw new Error('issue 14: listLoansToLose is not written yet')
}
