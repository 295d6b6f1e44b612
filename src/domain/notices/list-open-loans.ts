import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission, type NotAllowed } from '../staff/permissions.ts'
import { findOpenLoans, type OpenLoan } from './outbox-queries.ts'

/**
 * A patron's open loans, earliest due first, with days overdue today in the library's time zone:
 * what staff who send notices by hand see on the patron's card, to recall one or chase them all.
 */
export async function listOpenLoans(
  deps: Pick<AppDeps, 'db' | 'clock'>,
  input: { libraryId: number; patronId: number; actor: Actor },
): Promise<Result<OpenLoan[], NotAllowed>> {
  const refused = checkPermission(input.actor, 'sendNotices')
  if (refused) return err(refused)
  return ok(await findOpenLoans(deps.db, { libraryId: input.libraryId, patronId: input.patronId, now: deps.clock.now() }))
}
