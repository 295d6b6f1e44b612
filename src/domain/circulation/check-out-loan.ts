import type { Db } from '../../db/database.ts'
import { dateIn } from '../calendar.ts'
import { err, ok, type Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { Change, Fed, ItemInput, Loan } from './circulation-view.ts'
import type { CirculationError } from './errors.ts'
import type { CirculationDeps } from './event-notices.ts'
import { queueLoanReceipt } from './loan-receipt.ts'
import { findLibrary, findLoan, findPatronId, insertLoan, inTransaction, itemDiffers, type LoanRow, loanOf, updateLoan, upsertItem } from './queries.ts'

export type CheckoutInput = {
  /** The library system's id of the loan. */
  id: string
  username: string
  item: ItemInput
  checkedOutAt: Date
  /** 'YYYY-MM-DD', the library's calendar date. */
  dueDate: string
}

/**
 * Records a checkout the library system reports, by its id. A new loan gets its loan receipt
 * (joining the patron's receipt still waiting, see `queueLoanReceipt`); the same call again
 * changes nothing; a new due date or checkout time, or the item's new title, updates it; the
 * id sent for another patron or item is a conflict.
 */
export async function checkOutLoan(
  deps: CirculationDeps,
  input: { libraryId: number; loan: CheckoutInput; actor: Actor },
): Promise<Result<Fed<Loan>, CirculationError>> {
  const refused = checkPermission(input.actor, 'feedCirculation')
  if (refused) return err(refused)
  const { libraryId, loan } = input

  return inTransaction<Fed<Loan>, CirculationError>(deps.db, async (tx) => {
    const patron = await findPatronId(tx, { libraryId, username: loan.username })
    if (!patron) return err({ code: 'patron_not_found', field: 'username', username: loan.username } as const)
    const library = await findLibrary(tx, libraryId)
    const checkedOutOn = dateIn(library.timeZone, loan.checkedOutAt)
    if (loan.dueDate < checkedOutOn) {
      return err({
        code: 'invalid_field',
        field: 'dueDate',
        message: `The due date ${loan.dueDate} is before the checkout, on ${checkedOutOn} in the library's time zone (${library.timeZone})`,
      } as const)
    }

    const stored = await findLoan(tx, { libraryId, externalId: loan.id, lock: true })
    if (stored) return updateCheckout(tx, deps, { libraryId, stored, patronId: patron.id, loan })

    const now = deps.clock.now()
    const item = await upsertItem(tx, { libraryId, item: loan.item })
    const loanId = await insertLoan(tx, {
      libraryId,
      externalId: loan.id,
      patronId: patron.id,
      itemId: item.id,
      checkedOutAt: loan.checkedOutAt,
      dueDate: loan.dueDate,
      now,
    })
    if (loanId === undefined) {
      // Another call wrote this id first: this one is a repeat, or an update, of it.
      const first = (await findLoan(tx, { libraryId, externalId: loan.id, lock: true }))!
      return updateCheckout(tx, deps, { libraryId, stored: first, patronId: patron.id, loan })
    }
    const notice = await queueLoanReceipt(tx, deps, {
      libraryId,
      patronId: patron.id,
      loanId,
      checkedOutAt: loan.checkedOutAt,
      library: { timeZone: library.timeZone, today: dateIn(library.timeZone, now) },
    })
    const created = (await findLoan(tx, { libraryId, loanId }))!
    return ok({ result: 'created' as Change, record: loanOf(created), notice })
  })
}

/** The same id again: unchanged, updated, or a conflict when it cannot be the same loan. */
async function updateCheckout(
  tx: Db,
  deps: Pick<CirculationDeps, 'clock'>,
  input: { libraryId: number; stored: LoanRow; patronId: number; loan: CheckoutInput },
): Promise<Result<Fed<Loan>, CirculationError>> {
  const { stored, loan } = input
  if (stored.patronId !== input.patronId) {
    return err({
      code: 'id_conflict',
      resource: 'loan',
      id: loan.id,
      field: 'username',
      message:
        stored.username === null
          ? `Loan "${loan.id}" is already the loan of a purged patron; a new checkout needs a new loan id`
          : `Loan "${loan.id}" is already the loan of patron "${stored.username}"; a new checkout needs a new loan id`,
    })
  }
  if (stored.item.id !== loan.item.id) {
    return err({
      code: 'id_conflict',
      resource: 'loan',
      id: loan.id,
      field: 'item.id',
      message: `Loan "${loan.id}" is already the loan of item "${stored.item.id}"; a new checkout needs a new loan id`,
    })
  }
  const loanChanges = {
    ...(stored.checkedOutAt.getTime() !== loan.checkedOutAt.getTime() && { checked_out_at: loan.checkedOutAt }),
    // A new due date is a renewal: it ends a recall, so a later recall is a new one.
    ...(stored.dueDate !== loan.dueDate && { due_date: loan.dueDate, recalled_at: null }),
  }
  const loanChanged = Object.keys(loanChanges).length > 0
  if (loanChanged && stored.status !== 'open') return err({ code: 'state_conflict', resource: 'loan', id: loan.id, status: stored.status, action: 'change' })
  if (!loanChanged && !itemDiffers(stored.item, loan.item)) return ok({ result: 'unchanged', record: loanOf(stored), notice: null })

  await upsertItem(tx, { libraryId: input.libraryId, item: loan.item })
  if (loanChanged) await updateLoan(tx, stored.loanId, loanChanges, deps.clock.now())
  const updated = (await findLoan(tx, { libraryId: input.libraryId, loanId: stored.loanId }))!
  return ok({ result: 'updated', record: loanOf(updated), notice: null })
}
