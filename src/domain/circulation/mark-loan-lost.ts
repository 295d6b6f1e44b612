import { err, ok, type Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { Fed, Loan } from './circulation-view.ts'
import type { CirculationError } from './errors.ts'
import type { CirculationDeps } from './event-notices.ts'
import { findLoan, inTransaction, loanOf, updateLoan } from './queries.ts'

/**
 * A loan marked lost: it stops escalating (DESIGN.md). Marking it again changes nothing; a
 * returned loan cannot be lost.
 */
export async function markLoanLost(
  deps: Pick<CirculationDeps, 'db' | 'clock'>,
  input: { libraryId: number; loanId: string; actor: Actor },
): Promise<Result<Fed<Loan>, CirculationError>> {
  const refused = checkPermission(input.actor, 'feedCirculation')
  if (refused) return err(refused)

  return inTransaction<Fed<Loan>, CirculationError>(deps.db, async (tx) => {
    const loan = await findLoan(tx, { libraryId: input.libraryId, externalId: input.loanId, lock: true })
    if (!loan) return err({ code: 'loan_not_found', loanId: input.loanId } as const)
    if (loan.status === 'lost') return ok({ result: 'unchanged', record: loanOf(loan), notice: null } as const)
    if (loan.status === 'returned') return err({ code: 'state_conflict', resource: 'loan', id: loan.id, status: loan.status, action: 'mark_lost' } as const)
    await updateLoan(tx, loan.loanId, { status: 'lost', closed_at: deps.clock.now() }, deps.clock.now())
    const lost = (await findLoan(tx, { libraryId: input.libraryId, loanId: loan.loanId }))!
    return ok({ result: 'updated', record: loanOf(lost), notice: null } as const)
  })
}
