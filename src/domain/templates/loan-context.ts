import { dateText } from '../calendar.ts'
import type { LoanContext } from './context.ts'

/** A loan as the library counts it on a day: its dates as calendar dates, and how late it is. */
export type CountedLoan = { title: string; author: string; barcode: string; checkedOutOn: string; dueDate: string; daysOverdue: number }

/** A loan as a notice's template reads it. */
export function loanContextOf(loan: CountedLoan): LoanContext {
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
