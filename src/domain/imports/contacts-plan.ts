import { type RawBuilder, sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import { quoted } from '../text.ts'
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
  /** Patrons whose contacts really change: one added, updated or deleted. */
  patronsTouched: number
  contactsToAdd: number
  /** Contacts the file repeats by address with other details (role, addressee, primary…): changed in place, same id. */
  contactsToUpdate: number
  contactsToDelete: number
  /** Contacts the file repeats exactly, scenarios included: left as they are, same id. */
  contactsUnchanged: number
  /** Contacts staff added or edited, kept by keep-custom. */
  contactsKept: number
  /** Rows that repeat an address of a contact the import leaves as it is (add mode: any existing contact). */
  duplicatesSkipped: number
}

/**
 * Lets the plan's sorts and hashes stay in memory for the rest of the transaction. With the
 * default 4 MB, a file of 250,000 rows spilled every union and window to disk (B1).
 */
export async function allowPlanMemory(tx: Db): Promise<void> {
  await sql`set local work_mem = '64MB'`.execute(tx)
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

/** Contact `c` is replaced by the plan: deleted, or changed or left as it is when the file repeats its address. */
const doomed = (plan: ContactImportPlan) => sql`(${replaced(plan)}) and not (${isKept(plan)})`

/** Contact `c` is kept by the plan. */
const kept = (plan: ContactImportPlan) => (plan.keepCustom ? sql`(${replaced(plan)}) and ${isKept(plan)}` : sql`false`)

/**
 * Pairs each row of the file with the patron's contact of the same address (its key, of the same
 * type), if there is one: a patron holds an address once (migration 0008), and a file repeats one
 * at most once (`findRepeatedAddresses`), so a pair is one row and one contact. `replaced`: the
 * contact is one the mode replaces (the row then changes it in place, or leaves it as it is when
 * `same`); otherwise the contact stays and the row is skipped as a duplicate. Rows without a pair
 * are added. Run once per transaction, before the plan's other steps.
 */
export async function matchFileRows(db: Db, plan: ContactImportPlan): Promise<void> {
  await sql`create temp table import_matches on commit drop as
    -- A custom contact's scenarios by a lookup per matched contact, not a join of them all: the
    -- planner cannot estimate the file-to-contacts match (it guessed 1 row for 240,000), and with
    -- a join it re-ran the scenarios aggregate for every row, for minutes (B1).
    select r.line, c.id as contact_id, coalesce(${doomed(plan)}, false) as replaced,
      (c.role, c.is_primary, c.addressee, c.address, c.bcc, c.usage,
        case when c.usage = 'custom' then coalesce((select string_agg(cs.scenario, ';' order by cs.scenario collate "C")
          from contact_scenarios cs where cs.contact_id = c.id), '') else '' end)
        = (r.role, r.is_primary, r.addressee, r.address, r.bcc, r.usage, r.scenarios) as same
    from import_contact_rows r
    join contacts c on c.patron_id = r.patron_id and c.type = r.type and c.address_key = r.address_key
    where ${fileRow(plan)} and c.library_id = ${plan.libraryId}`.execute(db)
  await sql`analyze import_matches`.execute(db)
}

/** File row `r` has no contact of the same address: the plan adds it. */
const isNewRow = sql`not exists (select 1 from import_matches m where m.line = r.line)`

/** Rows of the file that repeat a patron's address on an earlier row, each named on the later line. */
export async function findRepeatedAddresses(db: Db, batchId: number): Promise<{ problems: ImportProblem[]; count: number }> {
  const { rows } = await sql<{ line: number; firstLine: number; username: string; total: number }>`
    select r.line, f.first_line as "firstLine", r.username, count(*) over ()::int as total
    from import_contact_rows r
    join (select patron_id, type, address_key, min(line) as first_line from import_contact_rows
          where batch_id = ${batchId} group by patron_id, type, address_key having count(*) > 1) f
      on f.patron_id = r.patron_id and f.type = r.type and f.address_key = r.address_key
    where r.batch_id = ${batchId} and r.line > f.first_line
    order by r.line limit ${maxReportedProblems}`.execute(db)
  return {
    problems: rows.map((r) => ({
      line: r.line,
      column: 'address',
      message: `${quoted(r.username)} already has this address on line ${r.firstLine}: a patron holds an address once`,
    })),
    count: rows[0]?.total ?? 0,
  }
}

/** Problems only the database can see: patrons gone since the file was read, and a primary beside one that stays. */
export async function findDatabaseProblems(db: Db, plan: ContactImportPlan): Promise<{ problems: ImportProblem[]; count: number }> {
  const limit = maxReportedProblems
  const unknown = await sql<{ line: number; username: string; total: number }>`
    select line, username, count(*) over ()::int as total from import_contact_rows r
    where ${fileRow(plan)}
      and not exists (select 1 from patrons p where p.id = r.patron_id and p.library_id = ${plan.libraryId})
    order by line limit ${limit}`.execute(db)
  // A row skipped as a duplicate changes nothing, its primary flag included.
  const primaries = await sql<{ line: number; total: number }>`
    select r.line, count(*) over ()::int as total from import_contact_rows r
    join contacts c on c.patron_id = r.patron_id and c.is_primary
    where ${fileRow(plan)} and r.is_primary and not coalesce(${doomed(plan)}, false)
      and not exists (select 1 from import_matches m where m.line = r.line and not m.replaced)
    order by r.line limit ${limit}`.execute(db)
  const problems: ImportProblem[] = [
    ...unknown.rows.map((r) => ({ line: r.line, column: 'username', message: `no patron with username ${quoted(r.username)} in this library` })),
    ...primaries.rows.map((r) => ({ line: r.line, column: 'primary', message: 'the patron already has a primary contact that this import keeps' })),
  ]
  problems.sort((a, b) => a.line - b.line)
  return { problems: problems.slice(0, limit), count: (unknown.rows[0]?.total ?? 0) + (primaries.rows[0]?.total ?? 0) }
}

/**
 * What applying the plan would do, counted without changing anything (after `matchFileRows`).
 * Only real changes count: a contact the file repeats exactly is unchanged, not deleted and
 * added again. Counted only for a file without problems, so no patron of the file is unknown.
 */
export async function summarisePlan(db: Db, plan: ContactImportPlan): Promise<ContactImportSummary> {
  const { rows } = await sql<ContactImportSummary>`
    with file as (
      select count(*)::int as "rows", count(distinct r.patron_id)::int as "patronsInFile"
      from import_contact_rows r where ${fileRow(plan)}),
    matched as (
      select count(*) filter (where not replaced)::int as "duplicatesSkipped",
        count(*) filter (where replaced and same)::int as "contactsUnchanged",
        count(*) filter (where replaced and not same)::int as "contactsToUpdate"
      from import_matches),
    existing as (
      select count(*) filter (where ${doomed(plan)})::int as doomed, count(*) filter (where ${kept(plan)})::int as "contactsKept"
      from contacts c where c.library_id = ${plan.libraryId}),
    touched as (
      select count(*)::int as "patronsTouched" from (
        select c.patron_id from contacts c where ${doomed(plan)} and c.id not in (select contact_id from import_matches)
        union
        select c.patron_id from import_matches m join contacts c on c.id = m.contact_id where m.replaced and not m.same
        union
        select r.patron_id from import_contact_rows r where ${fileRow(plan)} and ${isNewRow}) t)
    select file.*, touched.*, matched."contactsToUpdate", matched."contactsUnchanged", matched."duplicatesSkipped", existing."contactsKept",
      file."rows" - matched."duplicatesSkipped" - matched."contactsUnchanged" - matched."contactsToUpdate" as "contactsToAdd",
      existing.doomed - matched."contactsUnchanged" - matched."contactsToUpdate" as "contactsToDelete",
      0 as "patronsNotFound"
    from file, matched, existing, touched`.execute(db)
  return rows[0]
}

export type ContactImportChanges = { added: number; updated: number; deleted: number; unchanged: number; skipped: number }

/**
 * Applies the plan (after `matchFileRows`), in the transaction the caller runs: deletes the
 * replaced contacts the file no longer holds, changes in place those it holds with other
 * details (keeping their id), leaves alone those it repeats exactly, and adds the rest.
 */
export async function executePlan(db: Db, plan: ContactImportPlan, now: Date): Promise<ContactImportChanges> {
  const deleted = await sql<{ deleted: number }>`
    with gone as (
      delete from contacts c where ${doomed(plan)} and c.id not in (select contact_id from import_matches)
      returning 1)
    select count(*)::int as deleted from gone`.execute(db)
  const changing = sql`from import_matches m join import_contact_rows r on r.batch_id = ${plan.batchId} and r.line = m.line
    where c.id = m.contact_id and m.replaced and not m.same`
  // A patron has one primary at most, checked row by row as a statement writes: primaries the
  // file takes away go first, so that one it moves to another contact never meets the old one.
  await sql`update contacts c set is_primary = false ${changing} and c.is_primary and not r.is_primary`.execute(db)
  // A row matches its contact by address key, so an update in place changes how the address is
  // written, never whose it is: the recipient's own stop choices (recipient_choices) stay.
  const updated = await sql<{ id: number; usage: string; scenarios: string }>`
    update contacts c set role = r.role, is_primary = r.is_primary, addressee = r.addressee, address = r.address,
      bcc = r.bcc, usage = r.usage, source = 'import', updated_at = ${now}
    ${changing}
    returning c.id, r.usage, r.scenarios`.execute(db)
  if (updated.rows.length > 0) {
    const ids = updated.rows.map((row) => row.id)
    await sql`delete from contact_scenarios where contact_id = any(${sql.val(ids)}::int[])`.execute(db)
    const custom = updated.rows.filter((row) => row.usage === 'custom')
    if (custom.length > 0) {
      await sql`insert into contact_scenarios (contact_id, scenario)
        select u.id, s from unnest(${sql.val(custom.map((row) => row.id))}::int[], ${sql.val(custom.map((row) => row.scenarios))}::text[]) u(id, scenarios)
        cross join lateral unnest(string_to_array(u.scenarios, ';')) s`.execute(db)
    }
  }
  // Ids are drawn first so each new contact's custom scenarios can be written in the same statement.
  const added = await sql<{ added: number }>`
    with numbered as materialized (
      select r.*, nextval(pg_get_serial_sequence('contacts', 'id')) as new_id
      from import_contact_rows r
      where ${fileRow(plan)} and ${isNewRow}),
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
  const matched = await sql<{ unchanged: number; skipped: number }>`
    select count(*) filter (where replaced and same)::int as unchanged, count(*) filter (where not replaced)::int as skipped from import_matches`.execute(db)
  return { added: added.rows[0].added, updated: updated.rows.length, deleted: deleted.rows[0].deleted, ...matched.rows[0] }
}
