import { sql, type RawBuilder } from 'kysely'
import type { Db } from '../../db/database.ts'
import type { ImportProblem } from './errors.ts'
import { maxReportedProblems } from './errors.ts'
import { quoted } from '../text.ts'

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

/**
 * Lets the plan's sorts and hashes stay in memory for the rest of the transaction. With the
 * default 4 MB, a file of 250,000 rows spilled every union and window to disk (B1).
 */
export async function allowPlanMemory(tx: Db): Promise<void> {
  await sql`set local work_mem = '64MB'`.execute(tx)
}

/** Every patron of the library by lower-cased username, to resolve the file's rows as they are read. */
export async function findPatronIdsByUsername(db: Db, libraryId: number): Promise<Map<string, number>> {
  const { rows } = await sql<{ key: string; id: number }>`select lower(username) as key, id from patrons where library_id = ${libraryId}`.execute(db)
  return new Map(rows.map((row) => [row.key, row.id]))
}

/** The batch's staged rows, as alias `r`. */
const fileRow = (plan: ContactImportPlan) => sql`r.batch_id = ${plan.batchId}`

/**
 * Whether contact `c` belongs to a patron whose contacts the mode replaces (seed 000): none
 * for add; those named in the file; those named in the file who are in the chosen levels; or
 * every patron of the library. Written as a condition on `c`, so that each statement scans
 * contacts once rather than joining a list of patrons built again for every statement.
 */
function replaced(plan: ContactImportPlan): RawBuilder<unknown> {
  // `in` an uncorrelated list, which Postgres hashes once, also where a condition sits in a
  // count's filter; a correlated `exists` there would scan the staged rows once per contact.
  const inFile = sql`c.patron_id in (select f.patron_id from import_contact_rows f where f.batch_id = ${plan.batchId})`
  switch (plan.mode) {
    case 'add':
      return sql`false`
    case 'replace-patrons':
      return sql`c.library_id = ${plan.libraryId} and ${inFile}`
    case 'replace-levels':
      return sql`c.library_id = ${plan.libraryId} and ${inFile} and c.patron_id in (
        select p.id from patrons p join academic_levels l on l.id = p.academic_level_id
        where p.library_id = ${plan.libraryId} and l.name = any(${sql.val([...plan.levels])}::text[]))`
    case 'replace-all':
      return sql`c.library_id = ${plan.libraryId}`
  }
}

/** Of the replaced patrons' contacts (`c`), the ones kept: added or edited by staff, when asked. */
const isKept = (plan: ContactImportPlan) => (plan.keepCustom ? sql`c.source = 'staff'` : sql`false`)

/** Contact `c` is deleted by the plan (or left as it is, when the file repeats it exactly). */
const doomed = (plan: ContactImportPlan) => sql`(${replaced(plan)}) and not (${isKept(plan)})`

/** Contact `c` is kept by the plan. */
const kept = (plan: ContactImportPlan) => (plan.keepCustom ? sql`(${replaced(plan)}) and ${isKept(plan)}` : sql`false`)

/** File row `r` is added by the plan: all of them, but an exact duplicate of a kept contact. */
function incoming(plan: ContactImportPlan): RawBuilder<unknown> {
  if (!plan.keepCustom) return fileRow(plan)
  // None of these is null (a row is staged only with its patron's id), so `not in` means what it
  // says, and Postgres hashes the kept contacts once.
  return sql`${fileRow(plan)} and (r.patron_id, r.role, r.type, r.address_key) not in (
    select c.patron_id, c.role, c.type, c.address_key from contacts c where ${kept(plan)})`
}

/** Problems only the database can see: patrons gone since the file was read, and a primary beside one that stays. */
export async function findDatabaseProblems(db: Db, plan: ContactImportPlan): Promise<{ problems: ImportProblem[]; count: number }> {
  const limit = maxReportedProblems
  const unknown = await sql<{ line: number; username: string; total: number }>`
    select line, username, count(*) over ()::int as total from import_contact_rows r
    where ${fileRow(plan)}
      and not exists (select 1 from patrons p where p.id = r.patron_id and p.library_id = ${plan.libraryId})
    order by line limit ${limit}`.execute(db)
  const primaries = await sql<{ line: number; total: number }>`
    select r.line, count(*) over ()::int as total from import_contact_rows r
    join contacts c on c.patron_id = r.patron_id and c.is_primary
    where ${incoming(plan)} and r.is_primary and not (${doomed(plan)})
    order by r.line limit ${limit}`.execute(db)
  const problems: ImportProblem[] = [
    ...unknown.rows.map((r) => ({ line: r.line, column: 'username', message: `no patron with username ${quoted(r.username)} in this library` })),
    ...primaries.rows.map((r) => ({ line: r.line, column: 'primary', message: 'the patron already has a primary contact that this import keeps' })),
  ]
  problems.sort((a, b) => a.line - b.line)
  return { problems: problems.slice(0, limit), count: (unknown.rows[0]?.total ?? 0) + (primaries.rows[0]?.total ?? 0) }
}

/**
 * What applying the plan would do, counted without changing anything: one scan of the staged
 * rows and one of the library's contacts. Counted only for a file without problems, so no
 * patron of the file is unknown: the file's unknown patrons are among its problems.
 */
export async function summarisePlan(db: Db, plan: ContactImportPlan): Promise<ContactImportSummary> {
  const { rows } = await sql<ContactImportSummary>`
    with file as (
      select count(*)::int as "rows", count(distinct r.patron_id)::int as "patronsInFile",
        count(*) filter (where ${incoming(plan)})::int as "contactsToAdd"
      from import_contact_rows r where ${fileRow(plan)}),
    existing as (
      select count(*) filter (where ${doomed(plan)})::int as "contactsToDelete", count(*) filter (where ${kept(plan)})::int as "contactsKept"
      from contacts c where c.library_id = ${plan.libraryId}),
    touched as (
      select count(*)::int as "patronsTouched" from (
        select c.patron_id from contacts c where ${doomed(plan)}
        union
        select r.patron_id from import_contact_rows r where ${incoming(plan)}) t)
    select file.*, existing.*, touched.*, file."rows" - file."contactsToAdd" as "duplicatesSkipped", 0 as "patronsNotFound"
    from file, existing, touched`.execute(db)
  return rows[0]
}

// The fields that make two contacts the same contact. Custom usage is left out (its scenarios
// live in another table): such contacts are always deleted and added again.
const sameContactColumns = ['patron_id', 'role', 'type', 'is_primary', 'addressee', 'address', 'bcc', 'usage']
const sameContact = (alias?: string) => sql.raw(sameContactColumns.map((column) => (alias ? `${alias}.${column}` : column)).join(', '))

/**
 * Applies the plan: deletes the replaced contacts, then adds the file's. Run it in a transaction.
 * A replaced contact that the file repeats exactly (one the import wrote) is left as it is rather
 * than deleted and added again: the outcome is the same, and a fresh export of a district
 * repeats most of its contacts (B1: 250,000 deletes and inserts took 7 of the apply's 10 s).
 * The counts are those of the plan, as if every replaced contact had been deleted and added.
 */
export async function executePlan(db: Db, plan: ContactImportPlan, now: Date): Promise<{ deleted: number; added: number }> {
  // Pairs each unchanged contact with one file row (row_number: a contact the file lists twice is added once more).
  // Adding replaces nothing, so nothing is unchanged: no need to sort the file's rows.
  if (plan.mode === 'add') await sql`create temp table import_unchanged (contact_id integer, line integer) on commit drop`.execute(db)
  else await sql`create temp table import_unchanged on commit drop as
    with old as (
      select c.id, ${sameContact('c')}, row_number() over (partition by ${sameContact('c')} order by c.id) as copy
      from contacts c where ${doomed(plan)} and c.source = 'import' and c.usage <> 'custom'),
    new as (
      select r.line, ${sameContact('r')}, row_number() over (partition by ${sameContact('r')} order by r.line) as copy
      from import_contact_rows r where ${incoming(plan)} and r.usage <> 'custom')
    select old.id as contact_id, new.line from old join new using (${sameContact()}, copy)`.execute(db)
  await sql`analyze import_unchanged`.execute(db)
  const deleted = await sql<{ deleted: number; unchanged: number }>`
    with gone as (
      delete from contacts c where ${doomed(plan)}
        and not exists (select 1 from import_unchanged u where u.contact_id = c.id)
      returning 1)
    select (select count(*) from gone)::int as deleted, (select count(*) from import_unchanged)::int as unchanged`.execute(db)
  // Ids are drawn first so each new contact's custom scenarios can be written in the same statement.
  const added = await sql<{ added: number }>`
    with numbered as materialized (
      select r.*, nextval(pg_get_serial_sequence('contacts', 'id')) as new_id
      from import_contact_rows r
      where ${incoming(plan)} and not exists (select 1 from import_unchanged u where u.line = r.line)),
    inserted as (
      insert into contacts (id, library_id, patron_id, role, type, is_primary, addressee, address, address_key, bcc, usage, source, created_at, updated_at)
      select new_id, ${plan.libraryId}, patron_id, role, type, is_primary, addressee, address, address_key, bcc, usage, 'import', ${now}, ${now}
      from numbered
      returning id
    ),
    scenarios as (
      insert into contact_scenarios (contact_id, scenario)
      select n.new_id, s from numbered n cross join lateral unnest(string_to_array(n.scenarios, ';')) s
      where n.usage = 'custom'
    )
    select count(*)::int as added from inserted`.execute(db)
  const { unchanged } = deleted.rows[0]
  return { deleted: deleted.rows[0].deleted + unchanged, added: added.rows[0].added + unchanged }
}
