import { err, ok, type Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { Fed, Loan } from './circulation-view.ts'
import type { CirculationError } from './errors.ts'
import type { CirculationDeps } from './event-notices.ts'
import { findLoan, inTransaction, loanOf, updateLoan } from './queries.ts'

/**
 * A loan returned: no notice chases it any more (a notice already planned for it is checked
 * again when it is sent). Returning it again changes nothing; a lost item found and returned is
 * returned.
 */
export async function returnLoan(
  deps: Pick<CirculationDeps, 'db' | 'clock'>,
  input: { libraryId: number; loanId: string; actor: Actor },
): Promise<Result<Fed<Loan>, CirculationError>> {
  const refused = checkPermission(input.actor, 'feedCirculation')
  if (refused) return err(refused)

  return inTransaction<Fed<Loan>, CirculationError>(deps.db, async (tx) => {
    const loan = await findLoan(tx, { libraryId: input.libraryId, externalId: input.loanId, lock: true })
    if (!loan) return err({ code: 'loan_not_found', loanId: input.loanId } as const)
    if (loan.status === 'returned') return ok({ result: 'unchanged', record: loanOf(loan), notice: null } as const)
    await updateLoan(tx, loan.loanId, { status: 'returned', closed_at: deps.clock.now() }, deps.clock.now())
    const returned = (await findLoan(tx, { libraryId: input.libraryId, loanId: loan.loanId }))!
    return ok({ result: 'updated', record: loanOf(returned), notice: null } as const)
  })
}
