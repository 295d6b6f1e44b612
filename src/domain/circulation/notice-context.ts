import type { LoanContext, NoticeContext } from '../templates/context.ts'
import type { Item } from './circulation-view.ts'

/** The calendar date of `instant` in `timeZone`, 'YYYY-MM-DD': "today" for a library is its own date. */
export function dateIn(timeZone: string, instant: Date): string {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant)
}

/**
 * A calendar date written out for people, as the templates offer it.
 * @example dateText('2026-03-02') // 'Monday 2 March 2026'
 */
export function dateText(date: string): string {
  const written = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(
    new Date(`${date}T00:00:00Z`),
  )
  return written.replace(',', '')
}

/** Whole days from one calendar date to another: 1 from 2026-03-01 to 2026-03-02. */
export function daysFrom(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000)
}

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
