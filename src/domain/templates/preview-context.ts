import type { Db } from '../../db/database.ts'
import { dateText } from '../calendar.ts'
import { greetingFor, recipientsFor } from '../notices/recipients.ts'
import { err, ok, type Result } from '../result.ts'
import type { ScenarioName } from '../scenarios/catalogue.ts'
import type { NoticeContext } from './context.ts'
import type { TemplateError } from './errors.ts'
import { exampleContext, exampleResetLink } from './example-context.ts'
import { loanContextOf } from './loan-context.ts'
import {
  findAnyPatron,
  findLatestOrder,
  findPatronWithLoans,
  findPreviewLoans,
  findPreviewPatron,
  findPreviewReservation,
  type LoanSelection,
  type ReservationSelection,
} from './queries.ts'

/**
 * Whose data a preview shows: a real patron's (their loans, their reservation), a real patron's
 * with made-up loans or reservation (they have none for this notice), the library's latest
 * purchase order, or a made-up example (the library has no data for this notice yet).
 */
export type PreviewSource =
  | { kind: 'patron'; username: string; fullName: string }
  | { kind: 'patron_without_data'; username: string; fullName: string }
  | { kind: 'order'; number: string; supplierName: string }
  | { kind: 'example' }

/** The context a preview renders, whose it is, and whom such a notice would reach. */
export type PreviewData = { context: NoticeContext; source: PreviewSource; recipients: Array<{ kind: 'to' | 'bcc'; address: string }> }

const loanSelections: Partial<Record<ScenarioName, LoanSelection>> = {
  'circulation.pre_overdue': 'due_soon',
  'circulation.overdue': 'overdue',
  'circulation.escalation_1': 'overdue',
  'circulation.escalation_2': 'overdue',
  'circulation.escalation_3': 'overdue',
  'circulation.recall': 'recalled',
  'lending.loan_receipt': 'receipt',
}

const reservationSelections: Partial<Record<ScenarioName, ReservationSelection>> = {
  'reservation.requested': 'placed',
  'reservation.ready': 'ready',
  'reservation.expiring': 'expiring',
  'reservation.expired': 'expired',
  'reservation.cancelled': 'cancelled',
}

/**
 * A notice of `scenario` as the library's data would make it today: for the patron named by
 * `username`, or else for a patron who has data for it (the patron of the most overdue loan for
 * an overdue notice), built as the composers build it (src/domain/notices/compose.ts). A password
 * reset always shows an example link.
 */
export async function previewContext(
  db: Db,
  input: { libraryId: number; scenario: ScenarioName; username?: string; libraryName: string; today: string },
): Promise<Result<PreviewData, TemplateError>> {
  const { libraryId, scenario, today } = input
  const example = exampleContext(scenario, { libraryName: input.libraryName, today })
  const library = { name: input.libraryName }

  if (scenario === 'acquisitions.order') {
    const order = await findLatestOrder(db, { libraryId })
    if (order === undefined) return ok({ context: example, source: { kind: 'example' }, recipients: [] })
    const context: NoticeContext = {
      library,
      addressee: order.supplierName,
      order: {
        number: order.number,
        placed_on: order.placedOn,
        placed_on_text: dateText(order.placedOn),
        supplier: { name: order.supplierName },
        lines: order.lines.map((line) => ({ ...detailsOf(line.details), line_no: line.lineNo, title: line.title, quantity: line.quantity })),
      },
    }
    return ok({
      context,
      source: { kind: 'order', number: order.number, supplierName: order.supplierName },
      recipients: [{ kind: 'to', address: order.supplierEmail }],
    })
  }

  const named = input.username?.trim() ? await findPreviewPatron(db, { libraryId, username: input.username }) : undefined
  if (input.username?.trim() && named === undefined) return err({ code: 'patron_not_found', username: input.username.trim() })

  const loanSelection = loanSelections[scenario]
  const reservationSelection = reservationSelections[scenario]
  let patron = named
  let own: Pick<NoticeContext, 'loans' | 'reservation' | 'reset_link'> | undefined
  if (loanSelection) {
    patron ??= await findPatronWithLoans(db, { libraryId, selection: loanSelection, today })
    const loans = patron ? await findPreviewLoans(db, { libraryId, patronId: patron.id, selection: loanSelection, today }) : []
    if (loans.length > 0) own = { loans: loans.map(loanContextOf) }
  } else if (reservationSelection) {
    const reservation = await findPreviewReservation(db, { libraryId, patronId: patron?.id, selection: reservationSelection, today })
    if (reservation) {
      patron ??= reservation.patron
      own = {
        reservation: {
          title: reservation.title,
          author: reservation.author,
          barcode: reservation.barcode,
          placed_on: reservation.placedOn,
          placed_on_text: dateText(reservation.placedOn),
          pickup_by: reservation.pickupBy,
          pickup_by_text: reservation.pickupBy === null ? null : dateText(reservation.pickupBy),
        },
      }
    }
  } else {
    patron ??= await findAnyPatron(db, { libraryId })
    if (patron) own = { reset_link: exampleResetLink }
  }

  if (patron === undefined) return ok({ context: example, source: { kind: 'example' }, recipients: [] })
  const recipients = (await recipientsFor(db, { libraryId, scenario, patronIds: [patron.id] })).get(patron.id) ?? []
  const fullName = `${patron.firstName} ${patron.lastName}`.trim()
  const context: NoticeContext = {
    ...(own ?? { loans: example.loans, reservation: example.reservation, reset_link: example.reset_link }),
    library,
    addressee: greetingFor(recipients, patron.firstName || fullName || patron.username),
    patron: { first_name: patron.firstName, last_name: patron.lastName, full_name: fullName, username: patron.username },
  }
  const whose = { username: patron.username, fullName: fullName || patron.username }
  return ok({
    context,
    source: own ? { kind: 'patron', ...whose } : { kind: 'patron_without_data', ...whose },
    recipients: recipients.map((recipient) => ({ kind: recipient.kind, address: recipient.address })),
  })
}

// An order line's details are what the library system sent (an ISBN, a price): kept by their names.
function detailsOf(details: unknown): Record<string, unknown> {
  return details !== null && typeof details === 'object' && !Array.isArray(details) ? (details as Record<string, unknown>) : {}
}
