import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { PurgeError } from './errors.ts'
import type { LoanToLose } from './purge-view.ts'
import { findPatronsToPurge, openLoansOf } from './queries.ts'

/** A candidate's open loans, for the "Mark as lost and purge" dialog. */
export async function listLoansToLose(
  deps: Pick<AppDeps, 'db' | 'clock'>,
  input: { libraryId: number; actor: Actor; username: string },
): Promise<Result<LoanToLose[], PurgeError>> {
  const refused = checkPermission(input.actor, 'purgePatrons')
  if (refused) return err(refused)
  const [patron] = await findPatronsToPurge(deps.db, { libraryId: input.libraryId, usernames: [input.username] })
  if (!patron) return err({ code: 'patron_not_found', username: input.username })
  if (patron.isEnabled) return err({ code: 'not_deactivated', usernames: [patron.username] })
  return ok(await openLoansOf(deps.db, patron.id))
}
