import type { SkipReason } from '../notices/outbox.ts'
import type { ScenarioName } from '../scenarios/catalogue.ts'

/**
 * What a call of the library system did: `created` a record under a new id, `updated` one (a
 * new due date, a loan returned), or left it `unchanged` because it already said so. A repeated
 * call is always `unchanged`, and queues no notice.
 */
export type Change = 'created' | 'updated' | 'unchanged'

/** Why an event sent no notice and recorded none in the email log. */
export type NotSentReason =
  /** The scenario is switched off for the library. */
  | 'scenario_off'
  /** The patron is deactivated. */
  | 'inactive'
  /** The patron is in an academic level or library group the scenario excludes. */
  | 'excluded'
  /** A checkout reported more than a day after it happened (a first load of open loans): no receipt. */
  | 'late_report'

/**
 * The notice an event gave: `queued` to be sent (a loan receipt: at the end of its window),
 * `skipped` and recorded in the email log with the reason (no contact may receive it), or
 * `not_sent`, recorded nowhere.
 */
export type NoticeOutcome =
  | { scenario: ScenarioName; status: 'queued'; reason: null }
  | { scenario: ScenarioName; status: 'skipped'; reason: SkipReason }
  | { scenario: ScenarioName; status: 'not_sent'; reason: NotSentReason }

export type LoanStatus = 'open' | 'returned' | 'lost'
export type ReservationStatus = 'placed' | 'ready' | 'cancelled' | 'collected'

/** An item as the library system names it: its own id, and what the notices show of it. */
export type Item = { id: string; title: string; author: string; barcode: string }

/** An item as sent: `author` and `barcode` left out keep their stored value (empty for a new item). */
export type ItemInput = { id: string; title: string; author?: string; barcode?: string }

export type Loan = {
  id: string
  /** null: the loan of a purged patron, kept anonymised for the library's statistics. */
  username: string | null
  /** The patron's academic level; for an anonymised loan, the level the patron had when purged. */
  academicLevel: string | null
  item: Item
  checkedOutAt: Date
  /** The library's calendar date, 'YYYY-MM-DD'. */
  dueDate: string
  status: LoanStatus
  recalledAt: Date | null
  /** When it was returned or marked lost. */
  closedAt: Date | null
}

export type Reservation = {
  id: string
  username: string
  item: Item
  placedAt: Date
  status: ReservationStatus
  pickupBy: string | null
  readyAt: Date | null
  /** When it was cancelled or collected. */
  closedAt: Date | null
}

export type Supplier = { id: string; name: string; email: string }

/** A line's other fields (author, isbn, price…): kept as sent, and offered to the template. */
export type OrderLineDetails = Record<string, string | number | boolean | null>

export type OrderLine = { title: string; quantity: number; details: OrderLineDetails }

export type PurchaseOrder = { id: string; supplierId: string; placedAt: Date; lines: OrderLine[] }

/** What a call did to a record, and the notice it gave (null: the call gives none, or changed nothing). */
export type Fed<Record> = { result: Change; record: Record; notice: NoticeOutcome | null }
