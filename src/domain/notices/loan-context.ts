import type { LoanContext } from '../templates/context.ts'
import type { OpenLoan } from './outbox-queries.ts'

const longDate = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })

/** "Monday 2 March 2026", for a calendar date 'YYYY-MM-DD'. */
export function dateText(date: string): string {
  return longDate.format(new Date(`${date}T00:00:00Z`)).replace(',', '')
}

/** A loan as a notice's template reads it. */
export function loanContextOf(loan: OpenLoan): LoanContext {
  return {
    title: loan.title,
    author: loan.author,
    barcode: loan.barcode,
    checked_out_on: loan.checkedOutOn,
    checked_out_on_text: dateText(loan.checkedOutOn),
    due_date: loan.dueDate,
    due_date_text: dateText(loan.dueDate),
    days_overdue: loan.daysOverdue,
    days_until_due: -loan.daysOverdue,
  }
}
