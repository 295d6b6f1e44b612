import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import type { PurgeBatch } from '../batches/batch.ts'
import { findBatch } from '../batches/queries.ts'
import { unstorableText } from '../text.ts'
import type { PurgeBatchRequest } from './purge-batch.ts'
import type { LoanToLose, PurgeCandidate, PurgeImpact, PurgeRequest, PurgeRequestPatron, PurgeStatus } from './purge-view.ts'

const ids = (values: readonly number[]) => sql`${sql.val([...values])}::int[]`
const texts = (values: readonly string[]) => sql`${sql.val([...values])}::text[]`

/** A purge batch of the library, or undefined (none, or another kind). */
export async function findPurgeBatch(db: Db, input: { libraryId: number; requestId: number }): Promise<PurgeBatch | undefined> {
  const batch = await findBatch(db, { libraryId: input.libraryId, batchId: input.requestId })
  return batch?.kind === 'purge' ? batch : undefined
}

/** A purge batch as its doors show it. */
export function toPurgeRequest(batch: PurgeBatch): PurgeRequest {
  const { done, ...impact } = batch.summary
  return {
    id: batch.id,
    libraryId: batch.libraryId,
    status: batch.status as PurgeStatus,
    requestedBy: batch.requestedBy,
    approvedBy: batch.confirmedBy,
    createdAt: batch.createdAt,
    expiresAt: batch.expiresAt ?? batch.createdAt,
    pageSize: batch.request.pageSize,
    retainLoans: batch.request.retainLoans,
    markLoansLost: batch.request.markLoansLost,
    impact,
    progress: {
      pagesDone: done?.pagesDone ?? 0,
      pages: batch.request.pages,
      purged: done?.purged ?? 0,
      skipped: done?.skipped.length ?? 0,
    },
    reportMessage: batch.reportMessage,
  }
}

export async function findLevelId(db: Db, libraryId: number, name: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('academic_levels')
    .where('library_id', '=', libraryId)
    .where(sql<boolean>`lower(name) = lower(${name})`)
    .select('id')
    .executeTakeFirst()
  return row?.id
}

export async function findGroupId(db: Db, libraryId: number, name: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('library_groups')
    .where('library_id', '=', libraryId)
    .where(sql<boolean>`lower(name) = lower(${name})`)
    .select('id')
    .executeTakeFirst()
  return row?.id
}

/** The library's deactivated patrons by name, one page, with how many there are in all. */
export async function candidatesPage(
  db: Db,
  input: { libraryId: number; levelId: number | null; groupId: number | null; offset: number; limit: number },
): Promise<{ candidates: PurgeCandidate[]; total: number }> {
  const filter = sql`p.library_id = ${input.libraryId} and not p.is_enabled
    and (${input.levelId}::int is null or p.academic_level_id = ${input.levelId}::int)
    and (${input.groupId}::int is null or exists (select 1 from patron_groups g where g.patron_id = p.id and g.group_id = ${input.groupId}::int))`
  const counted = await sql<{ total: number }>`select count(*)::int as total from patrons p where ${filter}`.execute(db)
  const { rows } = await sql<{
    id: number
    username: string
    first_name: string
    last_name: string
    level: string | null
    groups: string[]
    open_loans: number
    contacts: number
  }>`
    select p.id, p.username, p.first_name, p.last_name, l.name as level,
      array(select lg.name from patron_groups g join library_groups lg on lg.id = g.group_id where g.patron_id = p.id order by lg.name) as groups,
      (select count(*)::int from loans o where o.patron_id = p.id and o.status = 'open') as open_loans,
      (select count(*)::int from contacts c where c.patron_id = p.id) as contacts
    from patrons p left join academic_levels l on l.id = p.academic_level_id
    where ${filter}
    order by lower(p.last_name), lower(p.first_name), p.id
    offset ${input.offset} limit ${input.limit}`.execute(db)
  return {
    total: counted.rows[0].total,
    candidates: rows.map((row) => ({
      patronId: row.id,
      username: row.username,
      firstName: row.first_name,
      lastName: row.last_name,
      academicLevel: row.level,
      groups: row.groups,
      openLoans: row.open_loans,
      contacts: row.contacts,
    })),
  }
}

/** The patrons of the library with these usernames (any case), deactivated or not, with their open loans. */
export async function findPatronsToPurge(
  db: Db,
  input: { libraryId: number; usernames: readonly string[] },
): Promise<Array<{ id: number; username: string; isEnabled: boolean; openLoans: number }>> {
  // A name no patron can have (a NUL, half a surrogate pair) is unknown without asking: the database would refuse it.
  const askable = input.usernames.filter((u) => unstorableText(u) === undefined)
  if (askable.length === 0) return []
  const { rows } = await sql<{ id: number; username: string; is_enabled: boolean; open_loans: number }>`
    select p.id, p.username, p.is_enabled, (select count(*)::int from loans o where o.patron_id = p.id and o.status = 'open') as open_loans
    from patrons p
    where p.library_id = ${input.libraryId} and lower(p.username) = any(${texts(askable.map((u) => u.toLowerCase()))})`.execute(db)
  return rows.map((row) => ({ id: row.id, username: row.username, isEnabled: row.is_enabled, openLoans: row.open_loans }))
}

/** What purging these patrons removes and keeps, counted as the request is made. */
export async function countImpact(db: Db, input: { patronIds: readonly number[]; request: PurgeBatchRequest }): Promise<PurgeImpact> {
  const { rows } = await sql<{ contacts: number; loans: number; open_loans: number; reservations: number; messages: number }>`
    select
      (select count(*)::int from contacts where patron_id = any(${ids(input.patronIds)})) as contacts,
      (select count(*)::int from loans where patron_id = any(${ids(input.patronIds)})) as loans,
      (select count(*)::int from loans where patron_id = any(${ids(input.patronIds)}) and status = 'open') as open_loans,
      (select count(*)::int from reservations where patron_id = any(${ids(input.patronIds)})) as reservations,
      (select count(*)::int from messages where patron_id = any(${ids(input.patronIds)})) as messages`.execute(db)
  const row = rows[0]
  return {
    patrons: input.patronIds.length,
    contacts: row.contacts,
    loans: row.loans,
    loansToMarkLost: input.request.markLoansLost ? row.open_loans : 0,
    loansKept: input.request.retainLoans ? 'anonymised' : 'removed',
    reservations: row.reservations,
    messagesKeptWithoutAddresses: row.messages,
  }
}

/** Stages the request's patrons, by name, `pageSize` to a page: one statement. */
export async function stagePurgePatrons(db: Db, input: { batchId: number; patronIds: readonly number[]; pageSize: number }): Promise<void> {
  await sql`
    insert into purge_patrons (batch_id, patron_id, username, page)
    select ${input.batchId}, p.id, p.username, (row_number() over (order by lower(p.last_name), lower(p.first_name), p.id) - 1) / ${input.pageSize} + 1
    from patrons p where p.id = any(${ids(input.patronIds)})`.execute(db)
}

/** A request's patrons still there, by page and name. */
export async function requestPatronsPage(
  db: Db,
  input: { batchId: number; offset: number; limit: number },
): Promise<{ patrons: PurgeRequestPatron[]; total: number }> {
  const counted = await sql<{ total: number }>`
    select count(*)::int as total from purge_patrons pp join patrons p on p.id = pp.patron_id where pp.batch_id = ${input.batchId}`.execute(db)
  const { rows } = await sql<{ username: string; first_name: string; last_name: string; level: string | null; open_loans: number }>`
    select p.username, p.first_name, p.last_name, l.name as level,
      (select count(*)::int from loans o where o.patron_id = p.id and o.status = 'open') as open_loans
    from purge_patrons pp join patrons p on p.id = pp.patron_id left join academic_levels l on l.id = p.academic_level_id
    where pp.batch_id = ${input.batchId}
    order by pp.page, lower(p.last_name), lower(p.first_name), p.id
    offset ${input.offset} limit ${input.limit}`.execute(db)
  return {
    total: counted.rows[0].total,
    patrons: rows.map((row) => ({
      username: row.username,
      firstName: row.first_name,
      lastName: row.last_name,
      academicLevel: row.level,
      openLoans: row.open_loans,
    })),
  }
}

/** A patron's open loans, with their items. */
export async function openLoansOf(db: Db, patronId: number): Promise<LoanToLose[]> {
  const { rows } = await sql<{ loan_id: string; item_id: string; title: string; barcode: string; due_date: string }>`
    select o.external_id as loan_id, i.external_id as item_id, i.title, i.barcode, to_char(o.due_date, 'YYYY-MM-DD') as due_date
    from loans o join items i on i.id = o.item_id
    where o.patron_id = ${patronId} and o.status = 'open'
    order by o.due_date, o.id`.execute(db)
  return rows.map((row) => ({ loanId: row.loan_id, itemId: row.item_id, title: row.title, barcode: row.barcode, dueDate: row.due_date }))
}

/** Marks the patrons' open loans lost, now; what the library system should hear of each. */
export async function markOpenLoansLost(
  db: Db,
  input: { patronIds: readonly number[]; now: Date },
): Promise<Array<{ libraryId: number; loanId: string; itemId: string; username: string }>> {
  const { rows } = await sql<{ library_id: number; loan_id: string; item_id: string; username: string }>`
    with lost as (
      update loans set status = 'lost', closed_at = ${input.now}, updated_at = ${input.now}
      where patron_id = any(${ids(input.patronIds)}) and status = 'open'
      returning library_id, external_id, item_id, patron_id)
    select lost.library_id, lost.external_id as loan_id, i.external_id as item_id, p.username
    from lost join items i on i.id = lost.item_id join patrons p on p.id = lost.patron_id
    order by p.username, lost.external_id`.execute(db)
  return rows.map((row) => ({ libraryId: row.library_id, loanId: row.loan_id, itemId: row.item_id, username: row.username }))
}
