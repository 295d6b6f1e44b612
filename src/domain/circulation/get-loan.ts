import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { Loan } from './circulation-view.ts'
import type { CirculationError } from './errors.ts'
import { findLoan, loanOf } from './queries.ts'

/**
 * A loan by the library system's id, as the library system reads it back: an anonymised loan (its
 * patron purged, the loan kept for statistics) has no username, and keeps its academic level.
 */
export async function getLoan(deps: Pick<AppDeps, 'db'>, input: { libraryId: number; loanId: string; actor: Actor }): Promise<Result<Loan, CirculationError>> {
  const refused = checkPermission(input.actor, 'feedCirculation')
  if (refused) return err(refused)
  const loan = await findLoan(deps.db, { libraryId: input.libraryId, externalId: input.loanId })
  return loan ? ok(loanOf(loan)) : err({ code: 'loan_not_found', loanId: input.loanId })
}
