import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import { recordAudit } from '../audit/record-audit.ts'
import { applyPatrons, type PatronInput } from '../patrons/upsert-patrons.ts'
import { err, ok, type Result } from '../result.ts'
import { checkRole, type Actor, type StaffRole } from '../staff/roles.ts'
import { closeBatch, givenUpWhileReading, openBatch, runApply } from './batches.ts'
import { patronColumns } from './columns.ts'
import { maxReportedProblems, type ImportError, type ImportProblem } from './errors.ts'
import { quoted } from '../text.ts'
import { readPatronRow, stagedPatronColumns } from './patron-rows.ts'
import { stageFile, type ImportFile, type ImportProgress, type StagingDeps } from './stage-file.ts'

export type PatronsImportSummary = { rows: number; toCreate: number; toUpdate: number; unchanged: number; toDeactivate: number; toReactivate: number }
export type PatronsImportPreview = {
  batchId: number
  fileName: string
  checksum: string
  summary: PatronsImportSummary
  warnings: ImportProblem[]
  /** The role confirming takes: admin when the file deactivates anyone (seed 004), else staff. */
  confirmNeeds: StaffRole
}

/**
 * The dry run of a patrons import (the library system's Users import): create and update
 * patrons by username. Any staff member may stage one; confirming one that deactivates anyone
 * (seed 004's bulk deactivation) takes an admin, so a staff member's file waits for one.
 */
export async function previewPatronsImport(
  deps: StagingDeps,
  input: { libraryId: number; file: ImportFile; actor: Actor; onProgress?: (progress: ImportProgress) => void },
): Promise<Result<PatronsImportPreview, ImportError>> {
  const refused = checkRole(input.actor, 'staff')
  if (refused) return err(refused)
  const opened = await openBatch(deps.db, {
    libraryId: input.libraryId, kind: 'patrons', mode: 'upsert', levels: [], keepCustom: false,
    fileName: input.file.name, requestedBy: input.actor.label, now: deps.clock.now(),
  })
  if (!opened.ok) return opened
  const batchId = opened.value
  try {
    const seen = new Map<string, number>()
    const staged = await stageFile(deps, {
      batchId,
      file: input.file,
      columns: patronColumns,
      table: 'import_patron_rows',
      tableColumns: stagedPatronColumns,
      readRow: (line, fields, positions) => {
        const read = readPatronRow(batchId, line, fields, positions)
        if (!('row' in read)) return read
        const key = read.username.toLowerCase()
        const first = seen.get(key)
        if (first === undefined) {
          seen.set(key, line)
          return read
        }
        return { problems: [{ line, column: 'username', message: `${quoted(key)} is already on line ${first}` }] }
      },
      onProgress: input.onProgress,
    })
    if (!staged.readable) {
      await closeBatch(deps.db, batchId, { status: 'invalid', now: deps.clock.now(), from: ['staging'] })
      return err({ code: 'unreadable_file', message: staged.message })
    }
    input.onProgress?.({ phase: 'checking', rowsRead: staged.rows })
    // A file without names (username,enabled) only updates: an unknown username there is a typo.
    const unknown = await findVanishedPatrons(deps.db, input.libraryId, batchId)
    staged.problems.merge(unknown.problems, unknown.count)
    if (staged.problems.count > 0) {
      await closeBatch(deps.db, batchId, {
        status: 'invalid', now: deps.clock.now(), from: ['staging'], rowCount: staged.rows, checksum: staged.checksum,
        problems: staged.problems.first, problemCount: staged.problems.count, warnings: staged.warnings,
      })
      return err({ code: 'invalid_file', problems: staged.problems.first, problemCount: staged.problems.count, warnings: staged.warnings })
    }
    const summary = await summarisePatrons(deps.db, input.libraryId, batchId)
    const closed = await closeBatch(deps.db, batchId, { status: 'staged', now: deps.clock.now(), from: ['staging'], rowCount: staged.rows, checksum: staged.checksum, summary, warnings: staged.warnings })
    if (!closed) return err(givenUpWhileReading(batchId))
    return ok({ batchId, fileName: input.file.name, checksum: staged.checksum, summary, warnings: staged.warnings, confirmNeeds: summary.toDeactivate > 0 ? 'admin' : 'staff' })
  } catch (error) {
    await closeBatch(deps.db, batchId, { status: 'failed', now: deps.clock.now(), from: ['staging'] }).catch(() => {})
    throw error
  }
}

/**
 * What applying would do, compared as `applyPatrons` writes it: a column the file leaves out
 * keeps the stored value; levels and groups are compared by name, as the file gives them (a
 * level or group the library does not have yet is a change); an empty level cell clears it.
 */
async function summarisePatrons(db: Db, libraryId: number, batchId: number): Promise<PatronsImportSummary> {
  const { rows } = await sql<PatronsImportSummary>`
    with compared as (
      select r.enabled, p.id, p.is_enabled,
        (p.first_name, p.last_name, p.type, p.is_enabled, current_level.name, current_groups.names)
          is distinct from (
            coalesce(r.first_name, p.first_name), coalesce(r.last_name, p.last_name), coalesce(r.type, p.type), coalesce(r.enabled, p.is_enabled),
            case when r.academic_level is null then current_level.name else nullif(r.academic_level, '') end,
            case when r.groups is null then current_groups.names
              else (select coalesce(string_agg(distinct g, ';' order by g), '') from unnest(string_to_array(r.groups, ';')) g where g <> '') end
          ) as changes
      from import_patron_rows r
      left join patrons p on p.library_id = ${libraryId} and lower(p.username) = lower(r.username)
      left join academic_levels current_level on current_level.id = p.academic_level_id
      left join lateral (
        select coalesce(string_agg(lg.name, ';' order by lg.name), '') as names
        from patron_groups pg join library_groups lg on lg.id = pg.group_id where pg.patron_id = p.id
      ) current_groups on true
      where r.batch_id = ${batchId})
    select count(*)::int as "rows",
      count(*) filter (where id is null)::int as "toCreate",
      count(*) filter (where id is not null and changes)::int as "toUpdate",
      -- A patron created disabled loses nothing: only an enabled patron is deactivated.
      count(*) filter (where enabled = false and id is not null and is_enabled)::int as "toDeactivate",
      count(*) filter (where enabled = true and id is not null and not is_enabled)::int as "toReactivate"
    from compared`.execute(db)
  const summary = rows[0]
  return { ...summary, unchanged: summary.rows - summary.toCreate - summary.toUpdate }
}

export type PatronsImportResult = { batchId: number; created: number; updated: number; unchanged: number }

const applyBatchRows = 5000

/** Applies a staged patrons import in one transaction, walking the staged rows in batches. Audited. */
export async function applyPatronsImport(
  deps: StagingDeps,
  input: { libraryId: number; batchId: number; actor: Actor; onProgress?: (progress: ImportProgress) => void },
): Promise<Result<PatronsImportResult, ImportError>> {
  if (checkRole(input.actor, 'admin')) {
    const deactivating = await findDeactivations(deps.db, input.libraryId, input.batchId)
    if (deactivating.count > 0) {
      return err({ code: 'deactivation_not_allowed', needed: 'admin', role: input.actor.role, problems: deactivating.problems, problemCount: deactivating.count })
    }
  }
  return runApply(deps, { ...input, kind: 'patrons' }, async (tx, batch): Promise<Result<PatronsImportResult, ImportError>> => {
    // Checked again: a patron a names-less file (username,enabled) updates may have been
    // removed since the dry run, and applying would create a blank one in its place.
    const vanished = await findVanishedPatrons(tx, input.libraryId, batch.id)
    if (vanished.count > 0) return err({ code: 'invalid_file', problems: vanished.problems, problemCount: vanished.count, warnings: batch.warnings })
    const totals = { created: 0, updated: 0, unchanged: 0 }
    let afterLine = 0
    while (true) {
      const rows = await tx
        .selectFrom('import_patron_rows')
        .where('batch_id', '=', batch.id)
        .where('line', '>', afterLine)
        .orderBy('line')
        .limit(applyBatchRows)
        .selectAll()
        .execute()
      if (rows.length === 0) break
      afterLine = rows[rows.length - 1].line
      const patrons: PatronInput[] = rows.map((r) => ({
        username: r.username,
        ...(r.first_name !== null && { firstName: r.first_name }),
        ...(r.last_name !== null && { lastName: r.last_name }),
        ...(r.type !== null && { type: r.type as PatronInput['type'] }),
        ...(r.academic_level !== null && { academicLevel: r.academic_level === '' ? null : r.academic_level }),
        ...(r.groups !== null && { groups: r.groups === '' ? [] : r.groups.split(';') }),
        ...(r.enabled !== null && { enabled: r.enabled }),
      }))
      const applied = await applyPatrons(tx, { libraryId: input.libraryId, patrons, now: deps.clock.now() })
      totals.created += applied.created
      totals.updated += applied.updated
      totals.unchanged += applied.unchanged
      input.onProgress?.({ phase: 'applying', rowsRead: batch.rowCount, done: afterLine, total: batch.rowCount })
    }
    await recordAudit(tx, {
      libraryId: input.libraryId,
      actor: batch.requestedBy,
      approver: input.actor.label,
      action: 'patrons.imported',
      subjectType: 'import',
      subjectId: batch.id,
      details: { fileName: batch.fileName, checksum: batch.checksum, ...totals },
    })
    return ok({ batchId: batch.id, ...totals })
  })
}

/** Rows that would deactivate an enabled patron, each named on its enabled column. */
async function findDeactivations(db: Db, libraryId: number, batchId: number): Promise<{ problems: ImportProblem[]; count: number }> {
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
 * Rows of a file without name columns (so both staged as null) whose patron does not exist:
 * at the dry run a typo, at the apply a patron removed since.
 */
async function findVanishedPatrons(db: Db, libraryId: number, batchId: number): Promise<{ problems: ImportProblem[]; count: number }> {
  const { rows } = await sql<{ line: number; username: string; total: number }>`
    select line, username, count(*) over ()::int as total from import_patron_rows r
    where r.batch_id = ${batchId} and r.first_name is null and r.last_name is null
      and not exists (select 1 from patrons p where p.library_id = ${libraryId} and lower(p.username) = lower(r.username))
    order by line limit ${maxReportedProblems}`.execute(db)
  return {
    problems: rows.map((r) => ({ line: r.line, column: 'username', message: `no patron with username ${quoted(r.username)} in this library (a file without name columns only updates patrons)` })),
    count: rows[0]?.total ?? 0,
  }
}
