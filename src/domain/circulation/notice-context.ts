import { dateIn, dateText, daysFrom } from '../calendar.ts'
import type { LoanContext, NoticeContext } from '../templates/context.ts'
import { loanContextOf as countedLoanContext } from '../templates/loan-context.ts'
import type { Item } from './circulation-view.ts'

/** A loan as a template lists it, counted from `today`, the library's date. */
export function loanContextOf(
  loan: { title: string; author: string; barcode: string; checkedOutAt: Date; dueDate: string },
  library: { timeZone: string; today: string },
): LoanContext {
  return countedLoanContext({ ...loan, checkedOutOn: dateIn(library.timeZone, loan.checkedOutAt), daysOverdue: daysFrom(loan.dueDate, library.today) })
}

/** A reservation as a template shows it. */
export function reservationContextOf(
  reservation: { item: Item; placedAt: Date; pickupBy: string | null },
  timeZone: string,
): NonNullable<NoticeContext['reservation']> {
  const placedOn = dateIn(timeZone, reservation.placedAt)
  return {
    title: reservation.item.title,
    author: reservation.item.author,
    barcode: reservation.item.barcode,
    placed_on: placedOn,
    placed_on_text: dateText(placedOn),
    pickup_by: reservation.pickupBy,
    pickup_by_text: reservation.pickupBy === null ? null : dateText(reservation.pickupBy),
  }
}
