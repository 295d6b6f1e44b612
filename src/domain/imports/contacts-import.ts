import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import { recordAudit } from '../audit/record-audit.ts'
import type { ContactsImportBatch } from '../batches/batch.ts'
import { openBatch } from '../batches/open-batch.ts'
import { finishStaging } from '../batches/stage-batch.ts'
import { err, ok, type Result } from '../result.ts'
import { type Actor, actorLabel } from '../staff/actors.ts'
import { checkPermission, type Permission } from '../staff/permissions.ts'
import { contactColumns } from './columns.ts'
import { readContactRow, stagedContactColumns } from './contact-rows.ts'
import {
  allowPlanMemory,
  type ContactImportChanges,
  type ContactImportMode,
  type ContactImportPlan,
  type ContactImportSummary,
  executePlan,
  findDatabaseProblems,
  findRepeatedAddresses,
  matchFileRows,
  summarisePlan,
} from './contacts-plan.ts'
import type { ImportError, ImportProblem } from './errors.ts'
import { countStagedRows, findLevelsByName, findPatronIdsByUsername } from './queries.ts'
import { type ImportFile, type ImportProgress, type StagingDeps, stageFile } from './stage-file.ts'

export type ContactsImportRequest = {
  kind: 'contacts'
  libraryId: number
  mode: ContactImportMode
  /** For replace-levels: the academic levels whose patrons' contacts are replaced. */
  levels: readonly string[]
  /** Replace modes: keep contacts staff added or edited by hand. */
  keepCustom: boolean
  file: ImportFile
  actor: Actor
  onProgress?: (progress: ImportProgress) => void
}

/** A file read, checked row by row and staged, its batch still being read. */
export type StagedFile = { batchId: number; fileName: string; checksum: string; rows: number; warnings: ImportProblem[] }

export type ContactsImportResult = { batchId: number; summary: ContactImportSummary } & ContactImportChanges

/** Seed 000: adding contacts is staff's; replacing them cannot be undone, and is an admin's. */
export const contactsImportPermission = (mode: ContactImportMode): Permission => (mode === 'add' ? 'importContacts' : 'replaceContacts')

/**
 * Opens a batch, reads and checks the file and stages its good rows. A file with problems is
 * refused with the database's problems too, so that one dry run lists them all (its batch is
 * then `invalid`); a readable file without any is returned with its batch still being read.
 */
export async function readContactsFile(
  deps: StagingDeps,
  input: ContactsImportRequest,
): Promise<Result<{ staged: StagedFile; plan: ContactImportPlan }, ImportError>> {
  const refused = checkPermission(input.actor, contactsImportPermission(input.mode))
  if (refused) return err(refused)
  let levels: string[] = []
  if (input.mode === 'replace-levels') {
    const named = await findLevelsByName(deps.db, input.libraryId, input.levels)
    if (named.known.length === 0 || named.unknown.length > 0)
      return err({ code: 'invalid_levels', levels: named.known.length === 0 && named.unknown.length === 0 ? [] : named.unknown })
    levels = named.known
  }
  const keepCustom = input.keepCustom && input.mode !== 'add'
  const opened = await openBatch(deps.db, {
    libraryId: input.libraryId,
    kind: 'contacts',
    mode: input.mode,
    levels,
    keepCustom,
    fileName: input.file.name,
    requestedBy: input.actor.ref,
    confirmPermission: contactsImportPermission(input.mode),
    now: deps.clock.now(),
  })
  if (!opened.ok) return opened
  const batchId = opened.value
  const plan: ContactImportPlan = { libraryId: input.libraryId, batchId, mode: input.mode, levels, keepCustom }
  const close = (outcome: Parameters<typeof finishStaging>[1]['outcome']) => finishStaging(deps.db, { batchId, outcome, now: deps.clock.now() })
  try {
    // Seed 000: at most one primary per patron, within the file too.
    // Keyed by patron id: a username is a slice of the file's text and would keep all of it in memory.
    const primaryLines = new Map<number, number>()
    // About 10 MB for a district of 100,000 patrons; it spares every later step a join on lower(username).
    const patronIds = await findPatronIdsByUsername(deps.db, input.libraryId)
    // The dry run says how many patrons of the file do not exist (a file sent before its
    // patrons), besides an error for each of their rows.
    const unknownUsernames = new Set<string>()
    const patronIdOf = (username: string) => {
      const key = username.toLowerCase()
      const id = patronIds.get(key)
      // A copy: the key may be a slice of the file's text, and would keep all of it alive.
      if (id === undefined) unknownUsernames.add(Buffer.from(key).toString())
      return id
    }
    const staged = await stageFile(deps, {
      batchId,
      file: input.file,
      columns: contactColumns,
      table: 'import_contact_rows',
      tableColumns: stagedContactColumns,
      readRow: (line, fields, positions) => {
        const read = readContactRow(batchId, line, fields, positions, patronIdOf)
        if (!('row' in read) || !read.isPrimary) return read
        const first = primaryLines.get(read.patronId)
        if (first === undefined) {
          primaryLines.set(read.patronId, line)
          return read
        }
        return { problems: [{ line, column: 'primary', message: `a second primary contact for ${read.username} (the first is on line ${first})` }] }
      },
      onProgress: input.onProgress,
    })
    if (!staged.readable) {
      await close({ status: 'invalid' })
      return err({ code: 'unreadable_file', message: staged.message })
    }
    input.onProgress?.({ phase: 'checking', rowsRead: staged.rows })
    // Fresh statistics on the staged rows: without them the planner takes a batch of 250,000
    // rows for a hundred and picks nested loops (B1). The columns the plan filters and joins on
    // by key; all thirteen took three times as long.
    await sql`analyze import_contact_rows (batch_id, line, patron_id, usage, is_primary)`.execute(deps.db)
    // Seed 000's contacts are a patron's addresses, each once: a file that gives one twice is refused.
    const repeated = await findRepeatedAddresses(deps.db, batchId)
    staged.problems.merge(repeated.problems, repeated.count)
    if (staged.problems.count > 0) {
      const found = await deps.db.transaction().execute(async (tx) => {
        await allowPlanMemory(tx)
        await matchFileRows(tx, plan)
        return findDatabaseProblems(tx, plan)
      })
      staged.problems.merge(found.problems, found.count)
      const { first: problems, count: problemCount } = staged.problems
      await close({ status: 'invalid', rowCount: staged.rows, checksum: staged.checksum, problems, problemCount, warnings: staged.warnings })
      return err({
        code: 'invalid_file',
        problems,
        problemCount,
        warnings: staged.warnings,
        ...(unknownUsernames.size > 0 && { patronsNotFound: unknownUsernames.size }),
      })
    }
    return ok({ staged: { batchId, fileName: input.file.name, checksum: staged.checksum, rows: staged.rows, warnings: staged.warnings }, plan })
  } catch (error) {
    await close({ status: 'failed' }).catch(() => {})
    throw error
  }
}

/** What applying a staged contacts file would do, counted against the library as it is now. */
export async function countContactChanges(db: Db, plan: ContactImportPlan, warnings: ImportProblem[]): Promise<Result<ContactImportSummary, ImportError>> {
  return db.transaction().execute(async (tx) => {
    await allowPlanMemory(tx)
    await matchFileRows(tx, plan)
    const found = await findDatabaseProblems(tx, plan)
    if (found.count > 0) return err({ code: 'invalid_file', problems: found.problems, problemCount: found.count, warnings } as const)
    return ok(await summarisePlan(tx, plan))
  })
}

/**
 * Applies a confirmed contacts batch, in the transaction `applyBatch` runs: checks again (the
 * library may have moved since the dry run), counts, applies and reconciles what it did with what
 * it counted. Audited with who asked, who confirmed, the file's name and checksum, and the counts.
 */
export async function applyContactsBatch(
  deps: { clock: { now(): Date } },
  tx: Db,
  batch: ContactsImportBatch,
  input: { actor: Actor; onProgress?: (progress: ImportProgress) => void },
): Promise<Result<{ value: ContactsImportResult; summary: unknown }, ImportError>> {
  const plan: ContactImportPlan = { libraryId: batch.libraryId, batchId: batch.id, mode: batch.mode, levels: batch.levels, keepCustom: batch.keepCustom }
  input.onProgress?.({ phase: 'applying', rowsRead: batch.rowCount, done: 0, total: batch.rowCount })
  await allowPlanMemory(tx)
  // Every row read was staged (stage-file.ts); every row staged must be applied, once.
  const staged = await countStagedRows(tx, 'import_contact_rows', batch.id)
  if (staged !== batch.rowCount) throw new Error(`import #${batch.id}: ${batch.rowCount} rows were staged, but ${staged} are there to apply`)
  await matchFileRows(tx, plan)
  const found = await findDatabaseProblems(tx, plan)
  if (found.count > 0) return err({ code: 'invalid_file', problems: found.problems, problemCount: found.count, warnings: batch.warnings })
  const summary = await summarisePlan(tx, plan)
  const applied = await executePlan(tx, plan, deps.clock.now())
  reconcile(batch.id, summary, applied)
  await recordAudit(tx, {
    libraryId: batch.libraryId,
    actor: actorLabel(batch.requestedBy),
    approver: actorLabel(input.actor.ref),
    action: 'contacts.imported',
    subjectType: 'import',
    subjectId: batch.id,
    details: { fileName: batch.fileName, checksum: batch.checksum, mode: batch.mode, levels: batch.levels, keepCustom: batch.keepCustom, ...applied, summary },
  })
  return ok({ value: { batchId: batch.id, ...applied, summary }, summary })
}

/**
 * What the apply did must be what it counted, and account for every row of the file: a row is
 * added, changes a contact, leaves one unchanged, or is skipped as a duplicate. Otherwise the
 * transaction is rolled back rather than commit a change nobody was shown.
 */
function reconcile(batchId: number, summary: ContactImportSummary, done: ContactImportChanges): void {
  const rowsAccounted = done.added + done.updated + done.unchanged + done.skipped
  const asCounted =
    done.added === summary.contactsToAdd &&
    done.updated === summary.contactsToUpdate &&
    done.deleted === summary.contactsToDelete &&
    done.unchanged === summary.contactsUnchanged &&
    done.skipped === summary.duplicatesSkipped
  if (!asCounted || rowsAccounted !== summary.rows) {
    throw new Error(`import #${batchId}: the apply did not do what it counted (${JSON.stringify({ summary, done })})`)
  }
}
