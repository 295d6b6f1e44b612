import { dateText } from '../calendar.ts'
import type { LoanContext } from '../templates/context.ts'
import type { OpenLoan } from './outbox-queries.ts'

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
