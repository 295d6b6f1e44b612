import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import type { NewMessage } from '../notices/outbox.ts'
import type { Result } from '../result.ts'
import type { Item, ItemInput, Loan, LoanStatus, OrderLine, OrderLineDetails, Reservation, ReservationStatus, Supplier } from './circulation-view.ts'

// Carries a refusal out of the transaction, so that it rolls back.
class Refusal extends Error {
  readonly result: Result<never, unknown>
  constructor(result: Result<never, unknown>) {
    super('refused')
    this.result = result
  }
}

/**
 * Runs `work` in one transaction that commits only when it succeeds: a refusal (`err`) rolls
 * back whatever was written before it, so a refused call changes nothing.
 */
export async function inTransaction<T, E>(db: Db, work: (tx: Db) => Promise<Result<T, E>>): Promise<Result<T, E>> {
  try {
    return await db.transaction().execute(async (tx) => {
      const result = await work(tx)
      if (!result.ok) throw new Refusal(result)
      return result
    })
  } catch (thrown) {
    if (thrown instanceof Refusal) return thrown.result as Result<T, E>
    throw thrown
  }
}

/** The library's name and time zone, in which its dates are read. */
export async function findLibrary(db: Db, libraryId: number): Promise<{ name: string; timeZone: string }> {
  return db.selectFrom('libraries').where('id', '=', libraryId).select(['name', 'time_zone as timeZone']).executeTakeFirstOrThrow()
}

/** A patron by username, without regard to case. */
export async function findPatronId(db: Db, input: { libraryId: number; username: string }): Promise<{ id: number; username: string } | undefined> {
  return db
    .selectFrom('patrons')
    .where('library_id', '=', input.libraryId)
    .where(sql<string>`lower(username)`, '=', input.username.trim().toLowerCase())
    .select(['id', 'username'])
    .executeTakeFirst()
}

/**
 * Creates the item under the library system's id, or brings its title, author and barcode up to
 * date (a field left out keeps its value). `changed` says whether anything was written.
 */
export async function upsertItem(db: Db, input: { libraryId: number; item: ItemInput }): Promise<{ id: number; changed: boolean }> {
  const { item } = input
  const inserted = await db
    .insertInto('items')
    .values({ library_id: input.libraryId, external_id: item.id, title: item.title, author: item.author ?? '', barcode: item.barcode ?? '' })
    .onConflict((oc) => oc.columns(['library_id', 'external_id']).doNothing())
    .returning('id')
    .executeTakeFirst()
  if (inserted) return { id: inserted.id, changed: true }
  const stored = await db
    .selectFrom('items')
    .where('library_id', '=', input.libraryId)
    .where('external_id', '=', item.id)
    .select(['id', 'title', 'author', 'barcode'])
    .forUpdate()
    .executeTakeFirstOrThrow()
  const wanted = { title: item.title, author: item.author ?? stored.author, barcode: item.barcode ?? stored.barcode }
  if (wanted.title === stored.title && wanted.author === stored.author && wanted.barcode === stored.barcode) return { id: stored.id, changed: false }
  await db.updateTable('items').set(wanted).where('id', '=', stored.id).execute()
  return { id: stored.id, changed: true }
}

/** Whether the item as sent differs from the item as stored (a field left out does not). */
export const itemDiffers = (stored: Item, sent: ItemInput): boolean =>
  stored.title !== sent.title || (sent.author !== undefined && sent.author !== stored.author) || (sent.barcode !== undefined && sent.barcode !== stored.barcode)

/** A loan with the ids the rules need. */
/** patronId null: an anonymised loan (0018), whose patron was purged. */
export type LoanRow = Loan & { loanId: number; patronId: number | null }

/**
 * A loan by the library system's id or by ours; `lock` holds it until the transaction ends. An
 * anonymised loan is found too, with no username, and the academic level it kept.
 */
export async function findLoan(
  db: Db,
  input: { libraryId: number; lock?: boolean } & ({ externalId: string } | { loanId: number }),
): Promise<LoanRow | undefined> {
  let query = db
    .selectFrom('loans as l')
    .leftJoin('patrons as p', 'p.id', 'l.patron_id')
    .innerJoin('items as i', 'i.id', 'l.item_id')
    .leftJoin('academic_levels as al', (join) => join.on(sql<boolean>`al.id = coalesce(l.academic_level_id, p.academic_level_id)`))
    .where('l.library_id', '=', input.libraryId)
    .select([
      'l.id as loanId',
      'l.patron_id as patronId',
      'l.external_id as id',
      'p.username',
      'al.name as academicLevel',
      'i.external_id as itemId',
      'i.title',
      'i.author',
      'i.barcode',
      'l.checked_out_at as checkedOutAt',
      'l.due_date as dueDate',
      'l.status',
      'l.recalled_at as recalledAt',
      'l.closed_at as closedAt',
    ])
  query = 'externalId' in input ? query.where('l.external_id', '=', input.externalId) : query.where('l.id', '=', input.loanId)
  const row = await (input.lock ? query.forUpdate('l') : query).executeTakeFirst()
  if (!row) return undefined
  const { itemId, title, author, barcode, checkedOutAt, patronId, ...loan } = row
  return { ...loan, patronId, checkedOutAt: new Date(checkedOutAt), item: { id: itemId, title, author, barcode } }
}

/** A loan as the library system knows it, without our ids. */
export function loanOf(row: LoanRow): Loan {
  const { loanId, patronId, ...loan } = row
  return loan
}

/** Writes a new loan; undefined when another call wrote the same id first. */
export async function insertLoan(
  db: Db,
  input: { libraryId: number; externalId: string; patronId: number; itemId: number; checkedOutAt: Date; dueDate: string; now: Date },
): Promise<number | undefined> {
  const row = await db
    .insertInto('loans')
    .values({
      library_id: input.libraryId,
      external_id: input.externalId,
      patron_id: input.patronId,
      item_id: input.itemId,
      checked_out_at: input.checkedOutAt,
      due_date: input.dueDate,
      created_at: input.now,
      updated_at: input.now,
    })
    .onConflict((oc) => oc.columns(['library_id', 'external_id']).doNothing())
    .returning('id')
    .executeTakeFirst()
  return row?.id
}

export async function updateLoan(
  db: Db,
  loanId: number,
  changes: Partial<{ checked_out_at: Date; due_date: string; status: LoanStatus; recalled_at: Date | null; closed_at: Date | null }>,
  now: Date,
): Promise<void> {
  await db
    .updateTable('loans')
    .set({ ...changes, updated_at: now })
    .where('id', '=', loanId)
    .execute()
}

/** The loans a notice lists, as its template shows them: the earliest due first. */
export async function findLoanLines(
  db: Db,
  input: { libraryId: number; loanIds: readonly number[] },
): Promise<Array<{ title: string; author: string; barcode: string; checkedOutAt: Date; dueDate: string }>> {
  if (input.loanIds.length === 0) return []
  const rows = await db
    .selectFrom('loans as l')
    .innerJoin('items as i', 'i.id', 'l.item_id')
    .where('l.library_id', '=', input.libraryId)
    .where('l.id', 'in', [...input.loanIds])
    .select(['i.title', 'i.author', 'i.barcode', 'l.checked_out_at as checkedOutAt', 'l.due_date as dueDate'])
    .orderBy('l.due_date')
    .orderBy('l.checked_out_at')
    .orderBy('l.id')
    .execute()
  return rows.map((row) => ({ ...row, checkedOutAt: new Date(row.checkedOutAt) }))
}

export type ReservationRow = Reservation & { reservationId: number; patronId: number }

/** A reservation by the library system's id; `lock` holds it until the transaction ends. */
export async function findReservation(db: Db, input: { libraryId: number; externalId: string; lock?: boolean }): Promise<ReservationRow | undefined> {
  const query = db
    .selectFrom('reservations as r')
    .innerJoin('patrons as p', 'p.id', 'r.patron_id')
    .innerJoin('items as i', 'i.id', 'r.item_id')
    .where('r.library_id', '=', input.libraryId)
    .where('r.external_id', '=', input.externalId)
    .select([
      'r.id as reservationId',
      'r.patron_id as patronId',
      'r.external_id as id',
      'p.username',
      'i.external_id as itemId',
      'i.title',
      'i.author',
      'i.barcode',
      'r.placed_at as placedAt',
      'r.status',
      'r.pickup_by as pickupBy',
      'r.ready_at as readyAt',
      'r.closed_at as closedAt',
    ])
  const row = await (input.lock ? query.forUpdate('r') : query).executeTakeFirst()
  if (!row) return undefined
  const { itemId, title, author, barcode, placedAt, ...reservation } = row
  return { ...reservation, placedAt: new Date(placedAt), item: { id: itemId, title, author, barcode } }
}

/** A reservation as the library system knows it, without our ids. */
export function reservationOf(row: ReservationRow): Reservation {
  const { reservationId, patronId, ...reservation } = row
  return reservation
}

/** Writes a new reservation; undefined when another call wrote the same id first. */
export async function insertReservation(
  db: Db,
  input: { libraryId: number; externalId: string; patronId: number; itemId: number; placedAt: Date; now: Date },
): Promise<number | undefined> {
  const row = await db
    .insertInto('reservations')
    .values({
      library_id: input.libraryId,
      external_id: input.externalId,
      patron_id: input.patronId,
      item_id: input.itemId,
      placed_at: input.placedAt,
      created_at: input.now,
      updated_at: input.now,
    })
    .onConflict((oc) => oc.columns(['library_id', 'external_id']).doNothing())
    .returning('id')
    .executeTakeFirst()
  return row?.id
}

export async function updateReservation(
  db: Db,
  reservationId: number,
  changes: Partial<{ placed_at: Date; status: ReservationStatus; pickup_by: string | null; ready_at: Date | null; closed_at: Date | null }>,
  now: Date,
): Promise<void> {
  await db
    .updateTable('reservations')
    .set({ ...changes, updated_at: now })
    .where('id', '=', reservationId)
    .execute()
}

export type SupplierRow = Supplier & { supplierId: number }

export async function findSupplier(db: Db, input: { libraryId: number; externalId: string; lock?: boolean }): Promise<SupplierRow | undefined> {
  const query = db
    .selectFrom('suppliers')
    .where('library_id', '=', input.libraryId)
    .where('external_id', '=', input.externalId)
    .select(['id as supplierId', 'external_id as id', 'name', 'email'])
  return (input.lock ? query.forUpdate() : query).executeTakeFirst()
}

/** Creates a supplier, or brings it up to date; the change it made. */
export async function upsertSupplier(db: Db, input: { libraryId: number; supplier: Supplier; now: Date }): Promise<'created' | 'updated' | 'unchanged'> {
  const { supplier } = input
  const inserted = await db
    .insertInto('suppliers')
    .values({ library_id: input.libraryId, external_id: supplier.id, name: supplier.name, email: supplier.email, created_at: input.now, updated_at: input.now })
    .onConflict((oc) => oc.columns(['library_id', 'external_id']).doNothing())
    .returning('id')
    .executeTakeFirst()
  if (inserted) return 'created'
  const stored = (await findSupplier(db, { libraryId: input.libraryId, externalId: supplier.id, lock: true }))!
  if (stored.name === supplier.name && stored.email === supplier.email) return 'unchanged'
  await db.updateTable('suppliers').set({ name: supplier.name, email: supplier.email, updated_at: input.now }).where('id', '=', stored.supplierId).execute()
  return 'updated'
}

export type OrderRow = { orderId: number; id: string; supplierId: string; placedAt: Date; lines: OrderLine[] }

/** A purchase order with its lines, in their order. */
export async function findOrder(db: Db, input: { libraryId: number; externalId: string }): Promise<OrderRow | undefined> {
  const order = await db
    .selectFrom('purchase_orders as o')
    .innerJoin('suppliers as s', 's.id', 'o.supplier_id')
    .where('o.library_id', '=', input.libraryId)
    .where('o.external_id', '=', input.externalId)
    .select(['o.id as orderId', 'o.external_id as id', 's.external_id as supplierId', 'o.placed_at as placedAt'])
    .executeTakeFirst()
  if (!order) return undefined
  const lines = await db.selectFrom('order_lines').where('order_id', '=', order.orderId).select(['title', 'quantity', 'details']).orderBy('line_no').execute()
  return {
    ...order,
    placedAt: new Date(order.placedAt),
    lines: lines.map((line) => ({ title: line.title, quantity: line.quantity, details: (line.details ?? {}) as OrderLineDetails })),
  }
}

/** Writes a new order and its lines; undefined when another call wrote the same id first. */
export async function insertOrder(
  db: Db,
  input: { libraryId: number; externalId: string; supplierId: number; lines: readonly OrderLine[]; now: Date },
): Promise<number | undefined> {
  const order = await db
    .insertInto('purchase_orders')
    .values({ library_id: input.libraryId, external_id: input.externalId, supplier_id: input.supplierId, placed_at: input.now })
    .onConflict((oc) => oc.columns(['library_id', 'external_id']).doNothing())
    .returning('id')
    .executeTakeFirst()
  if (!order) return undefined
  await db
    .insertInto('order_lines')
    .values(
      input.lines.map((line, index) => ({
        order_id: order.id,
        line_no: index + 1,
        title: line.title,
        quantity: line.quantity,
        // Sent as text and cast: drivers disagree on how they encode a parameter typed jsonb.
        details: sql`cast(${JSON.stringify(line.details)}::text as jsonb)`,
      })),
    )
    .execute()
  return order.id
}

/** The patron's loan receipt still waiting out its window, unsent and unclaimed: locked, with its loans. */
export async function findPendingReceipt(
  db: Db,
  input: { libraryId: number; patronId: number; now: Date },
): Promise<{ id: string; dedupeKey: string; loanIds: number[] } | undefined> {
  const receipt = await db
    .selectFrom('messages')
    .where('library_id', '=', input.libraryId)
    .where('scenario', '=', 'lending.loan_receipt')
    .where('patron_id', '=', input.patronId)
    .where('status', 'in', ['queued', 'skipped'])
    .where('attempts', '=', 0)
    .where('next_attempt_at', '>', input.now)
    .select(['id', 'dedupe_key as dedupeKey'])
    .orderBy('id', 'desc')
    .forUpdate()
    .executeTakeFirst()
  if (!receipt) return undefined
  const loans = await db.selectFrom('message_loans').where('message_id', '=', receipt.id).select('loan_id').execute()
  return { ...receipt, loanIds: loans.map((loan) => loan.loan_id) }
}

/** Whether the library has a message under this dedupe key already. */
export async function hasMessage(db: Db, input: { libraryId: number; dedupeKey: string }): Promise<boolean> {
  const row = await db
    .selectFrom('messages')
    .where('library_id', '=', input.libraryId)
    .where('dedupe_key', '=', input.dedupeKey)
    .select('id')
    .executeTakeFirst()
  return row !== undefined
}

/** Holds a message back from the dispatcher until `at`. */
export async function holdMessageUntil(db: Db, messageId: string, at: Date): Promise<void> {
  await db.updateTable('messages').set({ next_attempt_at: at }).where('id', '=', messageId).execute()
}

/** Replaces a queued message's rendering and recipients with `message`'s, and adds its loans. */
export async function rewriteMessage(db: Db, messageId: string, message: NewMessage): Promise<void> {
  await db
    .updateTable('messages')
    .set({
      subject: message.subject,
      html: message.html,
      text: message.text,
      status: message.status,
      reason: message.status === 'skipped' ? (message.reason ?? 'no_contact') : null,
    })
    .where('id', '=', messageId)
    .execute()
  await db.deleteFrom('message_recipients').where('message_id', '=', messageId).execute()
  if (message.recipients.length > 0)
    await db
      .insertInto('message_recipients')
      .values(
        message.recipients.map((r, position) => ({
          message_id: messageId,
          position,
          kind: r.kind,
          address: r.address,
          contact_id: r.contactId ?? null,
          role: r.role ?? null,
        })),
      )
      .execute()
  const loanIds = [...new Set(message.loanIds ?? [])]
  if (loanIds.length > 0)
    await db
      .insertInto('message_loans')
      .values(loanIds.map((loanId) => ({ message_id: messageId, loan_id: loanId })))
      .onConflict((oc) => oc.doNothing())
      .execute()
}
