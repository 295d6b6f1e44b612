import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import { quoted, unstorableText } from '../text.ts'
import { type ImportProblem, maxReportedProblems } from './errors.ts'

/** The staging tables, one per kind of file. */
export type StagingTable = 'import_contact_rows' | 'import_patron_rows'

/** How many rows of the batch are in its staging table. */
export async function countStagedRows(db: Db, table: StagingTable, batchId: number): Promise<number> {
  const { rows } = await sql<{ count: number }>`select count(*)::int as count from ${sql.table(table)} where batch_id = ${batchId}`.execute(db)
  return rows[0].count
}

/** Every patron of the library by lower-cased username, to resolve the file's rows as they are read. */
export async function findPatronIdsByUsername(db: Db, libraryId: number): Promise<Map<string, number>> {
  const { rows } = await sql<{ key: string; id: number }>`select lower(username) as key, id from patrons where library_id = ${libraryId}`.execute(db)
  return new Map(rows.map((row) => [row.key, row.id]))
}

/**
 * The library's academic levels by the names staff typed, matched as everything else is: without
 * regard to case or surrounding spaces ("year 7" is "Year 7"). Known ones come back as the library
 * spells them; unknown ones as typed.
 */
export async function findLevelsByName(db: Db, libraryId: number, names: readonly string[]): Promise<{ known: string[]; unknown: string[] }> {
  const typed = [...new Set(names.map((name) => name.trim()).filter(Boolean))]
  // Text no level can hold is unknown without asking: the database would refuse to compare it.
  const askable = typed.filter((name) => unstorableText(name) === undefined)
  const rows =
    askable.length === 0
      ? []
      : await db
          .selectFrom('academic_levels')
          .where('library_id', '=', libraryId)
          .where(
            sql<string>`lower(name)`,
            'in',
            askable.map((name) => name.toLowerCase()),
          )
          .select('name')
          .execute()
  const byKey = new Map(rows.map((row) => [row.name.toLowerCase(), row.name]))
  const known = [...new Set(typed.flatMap((name) => byKey.get(name.toLowerCase()) ?? []))]
  return { known, unknown: typed.filter((name) => !byKey.has(name.toLowerCase())).map((name) => name.toWellFormed().replaceAll('\u0000', '\ufffd')) }
}

/** Rows of a patrons file that would deactivate an enabled patron, each named on its enabled column. */
export async function findDeactivations(db: Db, libraryId: number, batchId: number): Promise<{ problems: ImportProblem[]; count: number }> {
  const { rows } = await sql<{ line: number; username: string; total: number }>`
    select r.line, r.username, count(*) over ()::int as total from import_patron_rows r
    join patrons p on p.library_id = ${libraryId} and lower(p.username) = lower(r.username)
    where r.batch_id = ${batchId} and r.enabled = false and p.is_enabled
    order by r.line limit ${maxReportedProblems}`.execute(db)
  return {
    problems: rows.map((r) => ({ line: r.line, column: 'enabled', message: `this row deactivates ${quoted(r.username)}, which takes the admin role` })),
    count: rows[0]?.total ?? 0,
  }
}

/**
 * Rows of a patrons file without name columns (so both staged as null) whose patron does not
 * exist: at the dry run a typo, at the apply a patron removed since.
 */
export async function findVanishedPatrons(db: Db, libraryId: number, batchId: number): Promise<{ problems: ImportProblem[]; count: number }> {
  const { rows } = await sql<{ line: number; username: string; total: number }>`
    select line, username, count(*) over ()::int as total from import_patron_rows r
    where r.batch_id = ${batchId} and r.first_name is null and r.last_name is null
      and not exists (select 1 from patrons p where p.library_id = ${libraryId} and lower(p.username) = lower(r.username))
    order by line limit ${maxReportedProblems}`.execute(db)
  return {
    problems: rows.map((r) => ({
      line: r.line,
      column: 'username',
      message: `no patron with username ${quoted(r.username)} in this library (a file without name columns only updates patrons)`,
    })),
    count: rows[0]?.total ?? 0,
  }
}
