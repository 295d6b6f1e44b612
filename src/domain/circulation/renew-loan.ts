import { dateIn } from '../calendar.ts'
import { err, ok, type Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { Fed, Loan } from './circulation-view.ts'
import type { CirculationError } from './errors.ts'
import type { CirculationDeps } from './event-notices.ts'
import { findLibrary, findLoan, inTransaction, loanOf, updateLoan } from './queries.ts'

/**
 * A renewal to a new due date. The same date again changes nothing; a returned or lost loan
 * cannot be renewed. A renewal ends a recall, and earns a fresh pre-overdue reminder (the
 * nightly run's ledger is per due date).
 */
export async function renewLoan(
  deps: Pick<CirculationDeps, 'db' | 'clock'>,
  input: { libraryId: number; loanId: string; dueDate: string; actor: Actor },
): Promise<Result<Fed<Loan>, CirculationError>> {
  const refused = checkPermission(input.actor, 'feedCirculation')
  if (refused) return err(refused)

  return inTransaction<Fed<Loan>, CirculationError>(deps.db, async (tx) => {
    const loan = await findLoan(tx, { libraryId: input.libraryId, externalId: input.loanId, lock: true })
    if (!loan) return err({ code: 'loan_not_found', loanId: input.loanId } as const)
    if (loan.status !== 'open') return err({ code: 'state_conflict', resource: 'loan', id: loan.id, status: loan.status, action: 'renew' } as const)
    if (loan.dueDate === input.dueDate) return ok({ result: 'unchanged', record: loanOf(loan), notice: null } as const)
    const { timeZone } = await findLibrary(tx, input.libraryId)
    const checkedOutOn = dateIn(timeZone, loan.checkedOutAt)
    if (input.dueDate < checkedOutOn) {
      return err({
        code: 'invalid_field',
        field: 'dueDate',
        message: `The due date ${input.dueDate} is before the checkout, on ${checkedOutOn} in the library's time zone (${timeZone})`,
      } as const)
    }
    await updateLoan(tx, loan.loanId, { due_date: input.dueDate, recalled_at: null }, deps.clock.now())
    const renewed = (await findLoan(tx, { libraryId: input.libraryId, loanId: loan.loanId }))!
    return ok({ result: 'updated', record: loanOf(renewed), notice: null } as const)
  })
}
