import { addDays, dateText } from '../calendar.ts'
import type { ScenarioName } from '../scenarios/catalogue.ts'
import type { LoanContext, NoticeContext } from './context.ts'

/** The made-up patron of an example; the preview says plainly that it is an example. */
export const examplePatron = { first_name: 'Sam', last_name: 'Example', full_name: 'Sam Example', username: 'sam.example' }

/** An example password-reset link: a preview or a test never holds a real one. */
export const exampleResetLink = 'https://library.example.org/reset-password?example=1'

/**
 * A made-up notice of `scenario`, with everything the scenario offers filled in, dated around
 * `today`: what a preview shows when the library has no data for the scenario yet, and what a
 * template is tried with before it is saved.
 */
export function exampleContext(scenario: ScenarioName, input: { libraryName: string; today: string }): NoticeContext {
  const { today } = input
  const library = { name: input.libraryName }
  const patronNotice = { library, addressee: 'Mrs Example', patron: examplePatron }
  const loan = (title: string, author: string, barcode: string, checkedOutDaysAgo: number, dueInDays: number): LoanContext => {
    const checkedOutOn = addDays(today, -checkedOutDaysAgo)
    const dueDate = addDays(today, dueInDays)
    return {
      title,
      author,
      barcode,
      checked_out_on: checkedOutOn,
      checked_out_on_text: dateText(checkedOutOn),
      due_date: dueDate,
      due_date_text: dateText(dueDate),
      days_overdue: -dueInDays,
      days_until_due: dueInDays,
    }
  }
  const reservation = (pickupInDays: number | null) => {
    const placedOn = addDays(today, -5)
    const pickupBy = pickupInDays === null ? null : addDays(today, pickupInDays)
    return {
      title: 'The Secret Garden',
      author: 'Frances Hodgson Burnett',
      barcode: '30001234',
      placed_on: placedOn,
      placed_on_text: dateText(placedOn),
      pickup_by: pickupBy,
      pickup_by_text: pickupBy === null ? null : dateText(pickupBy),
    }
  }
  const overdue = [loan('Charlotte’s Web', 'E. B. White', '30004567', 35, -21), loan('Matilda', 'Roald Dahl', '30007890', 23, -9)]

  switch (scenario) {
    case 'circulation.pre_overdue':
      return { ...patronNotice, loans: [loan('Charlotte’s Web', 'E. B. White', '30004567', 12, 2), loan('Matilda', 'Roald Dahl', '30007890', 11, 3)] }
    case 'circulation.overdue':
    case 'circulation.escalation_1':
    case 'circulation.escalation_2':
    case 'circulation.escalation_3':
      return { ...patronNotice, loans: overdue }
    case 'circulation.recall':
      return { ...patronNotice, loans: [loan('Charlotte’s Web', 'E. B. White', '30004567', 7, 3)] }
    case 'lending.loan_receipt':
      return { ...patronNotice, loans: [loan('Charlotte’s Web', 'E. B. White', '30004567', 0, 14), loan('Matilda', 'Roald Dahl', '30007890', 0, 14)] }
    case 'reservation.requested':
    case 'reservation.cancelled':
      return { ...patronNotice, reservation: reservation(null) }
    case 'reservation.ready':
      return { ...patronNotice, reservation: reservation(7) }
    case 'reservation.expiring':
      return { ...patronNotice, reservation: reservation(2) }
    case 'reservation.expired':
      return { ...patronNotice, reservation: reservation(-1) }
    case 'account.password_reset':
      return { ...patronNotice, reset_link: exampleResetLink }
    case 'acquisitions.order': {
      const placedOn = addDays(today, -1)
      return {
        library,
        addressee: 'Example Books Ltd',
        order: {
          number: 'PO-EXAMPLE-1',
          placed_on: placedOn,
          placed_on_text: dateText(placedOn),
          supplier: { name: 'Example Books Ltd' },
          lines: [
            { line_no: 1, title: 'The Secret Garden', quantity: 2, isbn: '9780141321066' },
            { line_no: 2, title: 'Matilda', quantity: 1, isbn: '9780142410370' },
          ],
        },
      }
    }
  }
}
