import { dateIn, dateText, daysFrom } from '../calendar.ts'
import type { LoanContext, NoticeContext } from '../templates/context.ts'
import type { Item } from './circulation-view.ts'

/** A loan as a template lists it, counted from `today`, the library's date. */
export function loanContextOf(
  loan: { title: string; author: string; barcode: string; checkedOutAt: Date; dueDate: string },
  library: { timeZone: string; today: string },
): LoanContext {
  const checkedOutOn = dateIn(library.timeZone, loan.checkedOutAt)
  return {
    title: loan.title,
    author: loan.author,
    barcode: loan.barcode,
    checked_out_on: checkedOutOn,
    checked_out_on_text: dateText(checkedOutOn),
    due_date: loan.dueDate,
    due_date_text: dateText(loan.dueDate),
    days_overdue: daysFrom(loan.dueDate, library.today),
    days_until_due: daysFrom(library.today, loan.dueDate),
  }
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
