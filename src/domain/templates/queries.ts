import { type RawBuilder, sql } from 'kysely'
import { jsonArrayFrom } from 'kysely/helpers/postgres'
import type { Db } from '../../db/database.ts'
import type { TemplateSource } from './render.ts'

/** A library's own template of a scenario, as stored. */
export type StoredTemplate = TemplateSource & { scenario: string; updatedBy: string; updatedAt: Date }

const storedColumns = ['scenario', 'subject', 'html', 'text', 'updated_by as updatedBy', 'updated_at as updatedAt'] as const

/** The library's own templates: of one scenario, or all. */
export async function findStoredTemplates(db: Db, input: { libraryId: number; scenario?: string }): Promise<StoredTemplate[]> {
  let query = db.selectFrom('templates').select(storedColumns).where('library_id', '=', input.libraryId)
  if (input.scenario !== undefined) query = query.where('scenario', '=', input.scenario)
  return query.orderBy('scenario').execute()
}

/** Saves the library's template of a scenario, replacing the one it had. */
export async function upsertTemplate(
  db: Db,
  input: { libraryId: number; scenario: string; source: TemplateSource; updatedBy: string; at: Date },
): Promise<StoredTemplate> {
  const { subject, html, text } = input.source
  return db
    .insertInto('templates')
    .values({ library_id: input.libraryId, scenario: input.scenario, subject, html, text, updated_by: input.updatedBy, updated_at: input.at })
    .onConflict((oc) => oc.columns(['library_id', 'scenario']).doUpdateSet({ subject, html, text, updated_by: input.updatedBy, updated_at: input.at }))
    .returning(storedColumns)
    .executeTakeFirstOrThrow()
}

/** Deletes the library's template of a scenario; returns what it was, if there was one. */
export async function deleteTemplate(db: Db, input: { libraryId: number; scenario: string }): Promise<StoredTemplate | undefined> {
  return db.deleteFrom('templates').where('library_id', '=', input.libraryId).where('scenario', '=', input.scenario).returning(storedColumns).executeTakeFirst()
}

/** The library's name, and the date it is there at `now` ('YYYY-MM-DD', in its time zone). */
export async function findLibraryDay(db: Db, input: { libraryId: number; now: Date }): Promise<{ name: string; today: string } | undefined> {
  return db
    .selectFrom('libraries')
    .where('id', '=', input.libraryId)
    .select(['name', sql<string>`to_char((cast(${input.now.toISOString()} as timestamptz) at time zone time_zone)::date, 'YYYY-MM-DD')`.as('today')])
    .executeTakeFirst()
}

export type PreviewPatron = { id: number; username: string; firstName: string; lastName: string }

/** A patron by username, any case. */
export async function findPreviewPatron(db: Db, input: { libraryId: number; username: string }): Promise<PreviewPatron | undefined> {
  return db
    .selectFrom('patrons')
    .where('library_id', '=', input.libraryId)
    .where(sql<string>`lower(username)`, '=', input.username.trim().toLowerCase())
    .select(['id', 'username', 'first_name as firstName', 'last_name as lastName'])
    .executeTakeFirst()
}

/** Which loans a circulation notice is about, for a preview of it. */
export type LoanSelection = 'due_soon' | 'overdue' | 'recalled' | 'receipt'

// The loans each kind of notice lists, and the order it lists them in (src/domain/templates/context.ts).
function loanFilter(selection: LoanSelection, today: string): { where: RawBuilder<boolean>; order: RawBuilder<unknown> } {
  switch (selection) {
    case 'due_soon':
      return { where: sql<boolean>`l.due_date > cast(${today} as date)`, order: sql`l.due_date, l.id` }
    case 'overdue':
      return { where: sql<boolean>`l.due_date < cast(${today} as date)`, order: sql`l.due_date, l.id` }
    case 'recalled':
      return { where: sql<boolean>`l.recalled_at is not null`, order: sql`l.recalled_at desc, l.id` }
    // A receipt lists the day's checkouts: those of the day of the patron's latest one.
    case 'receipt':
      return {
        where: sql<boolean>`(l.checked_out_at at time zone lib.time_zone)::date = (
          select max((o.checked_out_at at time zone lib.time_zone)::date) from loans o where o.patron_id = l.patron_id and o.status = 'open')`,
        order: sql`l.checked_out_at, l.id`,
      }
  }
}

/** The enabled patron a preview of these loans is best shown with: the one of the first loan such a notice would list. */
export async function findPatronWithLoans(db: Db, input: { libraryId: number; selection: LoanSelection; today: string }): Promise<PreviewPatron | undefined> {
  const { where } = loanFilter(input.selection, input.today)
  const order = input.selection === 'receipt' ? sql`l.checked_out_at desc, l.id desc` : loanFilter(input.selection, input.today).order
  const { rows } = await sql<PreviewPatron>`
    select p.id, p.username, p.first_name as "firstName", p.last_name as "lastName"
      from loans l
      join patrons p on p.id = l.patron_id
      join libraries lib on lib.id = l.library_id
     where l.library_id = ${input.libraryId} and l.status = 'open' and p.is_enabled and ${where}
     order by ${order}
     limit 1`.execute(db)
  return rows[0]
}

export type PreviewLoan = {
  title: string
  author: string
  barcode: string
  checkedOutOn: string
  dueDate: string
  daysOverdue: number
}

/** A patron's open loans such a notice would list (at most 50: a preview need not show more). */
export async function findPreviewLoans(
  db: Db,
  input: { libraryId: number; patronId: number; selection: LoanSelection; today: string },
): Promise<PreviewLoan[]> {
  const { where, order } = loanFilter(input.selection, input.today)
  const { rows } = await sql<PreviewLoan>`
    select i.title, i.author, i.barcode,
           to_char((l.checked_out_at at time zone lib.time_zone)::date, 'YYYY-MM-DD') as "checkedOutOn",
           to_char(l.due_date, 'YYYY-MM-DD') as "dueDate",
           cast(${input.today} as date) - l.due_date as "daysOverdue"
      from loans l
      join items i on i.id = l.item_id
      join libraries lib on lib.id = l.library_id
     where l.library_id = ${input.libraryId} and l.patron_id = ${input.patronId} and l.status = 'open' and ${where}
     order by ${order}
     limit 50`.execute(db)
  return rows
}

/** Which reservations a reservation notice is about, for a preview of it. */
export type ReservationSelection = 'placed' | 'ready' | 'expiring' | 'expired' | 'cancelled'

function reservationFilter(selection: ReservationSelection, today: string): RawBuilder<boolean> {
  switch (selection) {
    case 'placed':
      return sql<boolean>`r.status = 'placed'`
    case 'ready':
      return sql<boolean>`r.status = 'ready'`
    case 'expiring':
      return sql<boolean>`r.status = 'ready' and r.pickup_by >= cast(${today} as date)`
    case 'expired':
      return sql<boolean>`r.status = 'ready' and r.pickup_by < cast(${today} as date)`
    case 'cancelled':
      return sql<boolean>`r.status = 'cancelled'`
  }
}

export type PreviewReservation = {
  patron: PreviewPatron
  title: string
  author: string
  barcode: string
  placedOn: string
  pickupBy: string | null
}

/** The latest reservation of that kind: the patron's, or, with no patron, that of any enabled patron. */
export async function findPreviewReservation(
  db: Db,
  input: { libraryId: number; patronId?: number; selection: ReservationSelection; today: string },
): Promise<PreviewReservation | undefined> {
  const patron = input.patronId === undefined ? sql<boolean>`p.is_enabled` : sql<boolean>`r.patron_id = ${input.patronId}`
  const { rows } = await sql<PreviewReservation>`
    select json_build_object('id', p.id, 'username', p.username, 'firstName', p.first_name, 'lastName', p.last_name) as patron, i.title, i.author, i.barcode,
           to_char((r.placed_at at time zone lib.time_zone)::date, 'YYYY-MM-DD') as "placedOn",
           to_char(r.pickup_by, 'YYYY-MM-DD') as "pickupBy"
      from reservations r
      join items i on i.id = r.item_id
      join patrons p on p.id = r.patron_id
      join libraries lib on lib.id = r.library_id
     where r.library_id = ${input.libraryId} and ${patron} and ${reservationFilter(input.selection, input.today)}
     order by r.placed_at desc, r.id desc
     limit 1`.execute(db)
  return rows[0]
}

/** Any enabled patron, for a notice that needs nothing but the patron (a password reset). */
export async function findAnyPatron(db: Db, input: { libraryId: number }): Promise<PreviewPatron | undefined> {
  return db
    .selectFrom('patrons')
    .where('library_id', '=', input.libraryId)
    .where('is_enabled', '=', true)
    .select(['id', 'username', 'first_name as firstName', 'last_name as lastName'])
    .orderBy('username')
    .limit(1)
    .executeTakeFirst()
}

export type PreviewOrder = {
  number: string
  placedOn: string
  supplierName: string
  supplierEmail: string
  lines: Array<{ lineNo: number; title: string; quantity: number; details: unknown }>
}

/** The library's latest purchase order, with its supplier and lines. */
export async function findLatestOrder(db: Db, input: { libraryId: number }): Promise<PreviewOrder | undefined> {
  const row = await db
    .selectFrom('purchase_orders as o')
    .innerJoin('suppliers as s', 's.id', 'o.supplier_id')
    .innerJoin('libraries as lib', 'lib.id', 'o.library_id')
    .where('o.library_id', '=', input.libraryId)
    .select((eb) => [
      'o.external_id as number',
      sql<string>`to_char((o.placed_at at time zone lib.time_zone)::date, 'YYYY-MM-DD')`.as('placedOn'),
      's.name as supplierName',
      's.email as supplierEmail',
      jsonArrayFrom(
        eb
          .selectFrom('order_lines as ol')
          .whereRef('ol.order_id', '=', 'o.id')
          .select(['ol.line_no as lineNo', 'ol.title', 'ol.quantity', 'ol.details'])
          .orderBy('ol.line_no'),
      ).as('lines'),
    ])
    .orderBy('o.placed_at', 'desc')
    .orderBy('o.id', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row
}
