import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import { recordAudit } from '../audit/record-audit.ts'
import type { PatronsImportBatch } from '../batches/batch.ts'
import { openBatch } from '../batches/open-batch.ts'
import { finishStaging } from '../batches/stage-batch.ts'
import { applyPatrons, type PatronInput } from '../patrons/upsert-patrons.ts'
import { err, ok, type Result } from '../result.ts'
import { type Actor, actorLabel } from '../staff/actors.ts'
import { can, checkPermission, type Permission } from '../staff/permissions.ts'
import { quoted } from '../text.ts'
import { patronColumns } from './columns.ts'
import type { StagedFile } from './contacts-import.ts'
import type { ImportError } from './errors.ts'
import { readPatronRow, stagedPatronColumns } from './patron-rows.ts'
import { countStagedRows, findDeactivations, findVanishedPatrons } from './queries.ts'
import { type ImportFile, type ImportProgress, type StagingDeps, stageFile } from './stage-file.ts'

export type PatronsImportRequest = { kind: 'patrons'; libraryId: number; file: ImportFile; actor: Actor; onProgress?: (progress: ImportProgress) => void }

export type PatronsImportSummary = { rows: number; toCreate: number; toUpdate: number; unchanged: number; toDeactivate: number; toReactivate: number }

export type PatronsImportResult = { batchId: number; created: number; updated: number; unchanged: number; summary: PatronsImportSummary }

/** Seed 004: any staff member may create and update patrons; deactivating any takes an admin. */
export const patronsImportPermission = (summary: PatronsImportSummary): Permission => (summary.toDeactivate > 0 ? 'deactivatePatrons' : 'changePatrons')

/**
 * Opens a batch, reads and checks a patrons file (the library system's Users import) and stages
 * its good rows, then counts what it would do. A file with problems is refused, its batch
 * `invalid`; a good one is returned with its counts and its batch still being read.
 */
export async function readPatronsFile(
  deps: StagingDeps,
  input: PatronsImportRequest,
): Promise<Result<{ staged: StagedFile; summary: PatronsImportSummary }, ImportError>> {
  const refused = checkPermission(input.actor, 'changePatrons')
  if (refused) return err(refused)
  const opened = await openBatch(deps.db, {
    libraryId: input.libraryId,
    kind: 'patrons',
    mode: 'upsert',
    fileName: input.file.name,
    requestedBy: input.actor.ref,
    confirmPermission: 'changePatrons',
    now: deps.clock.now(),
  })
  if (!opened.ok) return opened
  const batchId = opened.value
  const close = (outcome: Parameters<typeof finishStaging>[1]['outcome']) => finishStaging(deps.db, { batchId, outcome, now: deps.clock.now() })
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
      await close({ status: 'invalid' })
      return err({ code: 'unreadable_file', message: staged.message })
    }
    input.onProgress?.({ phase: 'checking', rowsRead: staged.rows })
    // A file without names (username,enabled) only updates: an unknown username there is a typo.
    const unknown = await findVanishedPatrons(deps.db, input.libraryId, batchId)
    staged.problems.merge(unknown.problems, unknown.count)
    if (staged.problems.count > 0) {
      const { first: problems, count: problemCount } = staged.problems
      await close({ status: 'invalid', rowCount: staged.rows, checksum: staged.checksum, problems, problemCount, warnings: staged.warnings })
      return err({ code: 'invalid_file', problems, problemCount, warnings: staged.warnings })
    }
    const summary = await summarisePatrons(deps.db, input.libraryId, batchId)
    return ok({ staged: { batchId, fileName: input.file.name, checksum: staged.checksum, rows: staged.rows, warnings: staged.warnings }, summary })
  } catch (error) {
    await close({ status: 'failed' }).catch(() => {})
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

/**
 * Seed 004: deactivating patrons takes an admin. The refusal names the rows that deactivate, so
 * that a staff member sees why, and which lines an admin would apply.
 */
export async function refuseDeactivations(db: Db, batch: { libraryId: number; id: number }, actor: Actor): Promise<ImportError | undefined> {
  if (can(actor, 'deactivatePatrons')) return undefined
  const deactivating = await findDeactivations(db, batch.libraryId, batch.id)
  if (deactivating.count === 0) return undefined
  return { code: 'deactivation_not_allowed', needed: 'admin', role: actor.role, problems: deactivating.problems, problemCount: deactivating.count }
}

const applyBatchRows = 5000

/**
 * Applies a confirmed patrons batch, in the transaction `applyBatch` runs, walking the staged
 * rows in batches of 5,000. Audited with who asked, who confirmed, the file and the counts.
 */
export async function applyPatronsBatch(
  deps: { clock: { now(): Date } },
  tx: Db,
  batch: PatronsImportBatch,
  input: { actor: Actor; onProgress?: (progress: ImportProgress) => void },
): Promise<Result<{ value: PatronsImportResult; summary: unknown }, ImportError>> {
  const staged = await countStagedRows(tx, 'import_patron_rows', batch.id)
  if (staged !== batch.rowCount) throw new Error(`import #${batch.id}: ${batch.rowCount} rows were staged, but ${staged} are there to apply`)
  // Checked again: a patron a names-less file (username,enabled) updates may have been removed
  // since the dry run, and applying would create a blank one in its place.
  const vanished = await findVanishedPatrons(tx, batch.libraryId, batch.id)
  if (vanished.count > 0) return err({ code: 'invalid_file', problems: vanished.problems, problemCount: vanished.count, warnings: batch.warnings })
  const deactivationRefused = await refuseDeactivations(tx, batch, input.actor)
  if (deactivationRefused) return err(deactivationRefused)
  const summary = await summarisePatrons(tx, batch.libraryId, batch.id)
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
    const applied = await applyPatrons(tx, { libraryId: batch.libraryId, patrons, now: deps.clock.now() })
    totals.created += applied.created
    totals.updated += applied.updated
    totals.unchanged += applied.unchanged
    input.onProgress?.({ phase: 'applying', rowsRead: batch.rowCount, done: Math.min(afterLine - 1, batch.rowCount), total: batch.rowCount })
  }
  if (totals.created + totals.updated + totals.unchanged !== batch.rowCount) {
    throw new Error(`import #${batch.id}: ${batch.rowCount} rows were staged, but ${totals.created + totals.updated + totals.unchanged} were applied`)
  }
  await recordAudit(tx, {
    libraryId: batch.libraryId,
    actor: actorLabel(batch.requestedBy),
    approver: actorLabel(input.actor.ref),
    action: 'patrons.imported',
    subjectType: 'import',
    subjectId: batch.id,
    details: { fileName: batch.fileName, checksum: batch.checksum, created: totals.created, updated: totals.updated, unchanged: totals.unchanged, summary },
  })
  return ok({ value: { batchId: batch.id, ...totals, summary }, summary })
}
