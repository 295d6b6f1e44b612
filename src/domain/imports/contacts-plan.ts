import { sql, type RawBuilder } from 'kysely'
import type { Db } from '../../db/database.ts'
import type { ImportProblem } from './errors.ts'
import { maxReportedProblems } from './errors.ts'

export const contactImportModes = ['add', 'replace-patrons', 'replace-levels', 'replace-all'] as const
export type ContactImportMode = (typeof contactImportModes)[number]

export type ContactImportPlan = {
  libraryId: number
  batchId: number
  mode: ContactImportMode
  levels: readonly string[]
  keepCustom: boolean
}

export type ContactImportSummary = {
  rows: number
  patronsInFile: number
  patronsNotFound: number
  patronsTouched: number
  contactsToAdd: number
  contactsToDelete: number
  contactsKept: number
  duplicatesSkipped: number
}

/** The staged rows joined to their patrons (rows of unknown patrons drop out). */
function staged(plan: ContactImportPlan): RawBuilder<unknown> {
  return sql`select r.*, p.id as patron_id from import_contact_rows r
    join patrons p on p.library_id = ${plan.libraryId} and lower(p.username) = lower(r.username)
    where r.batch_id = ${plan.batchId}`
}

/**
 * The patrons whose contacts the mode replaces (seed 000): none for add; those named in the
 * file; those named in the file who are in the chosen levels; or every patron of the library.
 */
function replaced(plan: ContactImportPlan): RawBuilder<unknown> {
  const inFile = sql`exists (select 1 from import_contact_rows r where r.batch_id = ${plan.batchId} and lower(r.username) = lower(p.username))`
  switch (plan.mode) {
    case 'add':
      return sql`select p.id from patrons p where false`
    case 'replace-patrons':
      return sql`select p.id from patrons p where p.library_id = ${plan.libraryId} and ${inFile}`
    case 'replace-levels':
      return sql`select p.id from patrons p
        join academic_levels l on l.id = p.academic_level_id and l.name = any(${sql.val([...plan.levels])}::text[])
        where p.library_id = ${plan.libraryId} and ${inFile}`
    case 'replace-all':
      return sql`select p.id from patrons p where p.library_id = ${plan.libraryId}`
  }
}

/** Of the replaced patrons' contacts, the ones kept: added or edited by staff, when asked. */
function keptFilter(plan: ContactImportPlan): RawBuilder<unknown> {
  return plan.keepCustom ? sql`c.source = 'staff'` : sql`false`
}

/** The common table expressions every step of the plan reads. */
export function planCtes(plan: ContactImportPlan): RawBuilder<unknown> {
  return sql`staged as (${staged(plan)}),
    replaced as (${replaced(plan)}),
    doomed as (select c.id, c.patron_id from contacts c join replaced on replaced.id = c.patron_id where not (${keptFilter(plan)})),
    kept as (select c.id, c.patron_id, c.role, c.type, c.address_key from contacts c join replaced on replaced.id = c.patron_id where ${keptFilter(plan)}),
    incoming as (select s.* from staged s where not exists (
      select 1 from kept k where k.patron_id = s.patron_id and k.role = s.role and k.type = s.type and k.address_key = s.address_key))`
}

/** Problems only the database can see: unknown patrons, and a primary beside one that stays. */
export async function findDatabaseProblems(db: Db, plan: ContactImportPlan): Promise<{ problems: ImportProblem[]; count: number }> {
  const limit = maxReportedProblems
  const unknown = await sql<{ line: number; username: string; total: number }>`
    select line, username, count(*) over ()::int as total from import_contact_rows r
    where r.batch_id = ${plan.batchId}
      and not exists (select 1 from patrons p where p.library_id = ${plan.libraryId} and lower(p.username) = lower(r.username))
    order by line limit ${limit}`.execute(db)
  const primaries = await sql<{ line: number; total: number }>`
    with ${planCtes(plan)}
    select s.line, count(*) over ()::int as total from incoming s
    where s.is_primary and exists (
      select 1 from contacts c where c.patron_id = s.patron_id and c.is_primary
        and not exists (select 1 from doomed d where d.id = c.id))
    order by s.line limit ${limit}`.execute(db)
  const problems: ImportProblem[] = [
    ...unknown.rows.map((r) => ({ line: r.line, column: 'username', message: `no patron with username "${r.username}" in this library` })),
    ...primaries.rows.map((r) => ({ line: r.line, column: 'primary', message: 'the patron already has a primary contact that this import keeps' })),
  ]
  problems.sort((a, b) => a.line - b.line)
  return { problems: problems.slice(0, limit), count: (unknown.rows[0]?.total ?? 0) + (primaries.rows[0]?.total ?? 0) }
}

/** What applying the plan would do, counted without changing anything. */
export async function summarisePlan(db: Db, plan: ContactImportPlan): Promise<ContactImportSummary> {
  const { rows } = await sql<ContactImportSummary>`
    with ${planCtes(plan)}
    select
      (select count(*) from import_contact_rows where batch_id = ${plan.batchId})::int as "rows",
      (select count(distinct lower(username)) from import_contact_rows where batch_id = ${plan.batchId})::int as "patronsInFile",
      (select count(distinct lower(r.username)) from import_contact_rows r where r.batch_id = ${plan.batchId}
        and not exists (select 1 from patrons p where p.library_id = ${plan.libraryId} and lower(p.username) = lower(r.username)))::int as "patronsNotFound",
      (select count(*) from (select patron_id from doomed union select patron_id from incoming) touched)::int as "patronsTouched",
      (select count(*) from incoming)::int as "contactsToAdd",
      (select count(*) from doomed)::int as "contactsToDelete",
      (select count(*) from kept)::int as "contactsKept",
      (select count(*) from staged)::int - (select count(*) from incoming)::int as "duplicatesSkipped"`.execute(db)
  return rows[0]
}

/** Applies the plan: deletes the replaced contacts, then adds the file's. Run it in a transaction. */
export async function executePlan(db: Db, plan: ContactImportPlan, now: Date): Promise<{ deleted: number; added: number }> {
  const deleted = await sql<{ deleted: number }>`
    with ${planCtes(plan)},
    gone as (delete from contacts c using doomed where c.id = doomed.id returning 1)
    select count(*)::int as deleted from gone`.execute(db)
  // Ids are drawn first so each new contact's custom scenarios can be written in the same statement.
  const added = await sql<{ added: number }>`
    with ${planCtes(plan)},
    numbered as materialized (select i.*, nextval(pg_get_serial_sequence('contacts', 'id')) as new_id from incoming i),
    inserted as (
      insert into contacts (id, library_id, patron_id, role, type, is_primary, addressee, address, address_key, bcc, usage, source, created_at, updated_at)
      select new_id, ${plan.libraryId}, patron_id, role, type, is_primary, addressee, address, address_key, bcc, usage, 'import', ${now}, ${now}
      from numbered order by line
      returning id
    ),
    scenarios as (
      insert into contact_scenarios (contact_id, scenario)
      select n.new_id, s from numbered n cross join lateral unnest(string_to_array(n.scenarios, ';')) s
      where n.usage = 'custom' and n.new_id in (select id from inserted)
    )
    select count(*)::int as added from inserted`.execute(db)
  return { deleted: deleted.rows[0].deleted, added: added.rows[0].added }
}
