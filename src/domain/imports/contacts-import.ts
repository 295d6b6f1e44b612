import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import { recordAudit } from '../audit/record-audit.ts'
import { err, ok, type Result } from '../result.ts'
import { checkRole, type Actor } from '../staff/roles.ts'
import { closeBatch, contactsImportRole, givenUpWhileReading, openBatch, runApply } from './batches.ts'
import { contactColumns } from './columns.ts'
import { readContactRow, stagedContactColumns } from './contact-rows.ts'
import {
  allowPlanMemory,
  executePlan,
  findDatabaseProblems,
  findRepeatedAddresses,
  matchFileRows,
  type ContactImportChanges,
  findPatronIdsByUsername,
  summarisePlan,
  type ContactImportMode,
  type ContactImportPlan,
  type ContactImportSummary,
} from './contacts-plan.ts'
import type { ImportError, ImportProblem } from './errors.ts'
import { countStagedRows, stageFile, type ImportFile, type ImportProgress, type StagingDeps } from './stage-file.ts'
import { unstorableText } from '../text.ts'

export type ContactsImportRequest = {
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

/** A file read, checked row by row and staged: ready to apply, or to be checked whole as a dry run. */
export type StagedContactsImport = {
  batchId: number
  fileName: string
  checksum: string
  rows: number
  warnings: ImportProblem[]
}

export type ContactsImportPreview = StagedContactsImport & { summary: ContactImportSummary }


/**
 * Reads the whole file, checks each row (columns, values, patrons, one primary each) and
 * stages the good rows. Changes no contact; the batch waits for `applyContactsImport`, which
 * checks again against the database. A caller that applies at once (the API, the command line)
 * needs nothing more; a dry run is `previewContactsImport`.
 */
export async function stageContactsImport(
  deps: StagingDeps,
  input: ContactsImportRequest,
): Promise<Result<StagedContactsImport, ImportError>> {
  const read = await readContactsFile(deps, input)
  if (!read.ok) return read
  const { staged } = read.value
  const closed = await closeBatch(deps.db, staged.batchId, { status: 'staged', now: deps.clock.now(), from: ['staging'], rowCount: staged.rows, checksum: staged.checksum, warnings: staged.warnings })
  if (!closed) return err(givenUpWhileReading(staged.batchId))
  return ok(staged)
}

/**
 * The dry run: stages the file, then checks it against the database and says what applying it
 * would do. Nothing changes; the staged batch waits for `applyContactsImport`.
 */
export async function previewContactsImport(
  deps: StagingDeps,
  input: ContactsImportRequest,
): Promise<Result<ContactsImportPreview, ImportError>> {
  const read = await readContactsFile(deps, input)
  if (!read.ok) return read
  const { staged, plan } = read.value
  const { batchId, rows, checksum, warnings } = staged
  try {
    // The batch is still `staging`, so no other import of the library starts while it is checked.
    const checked = await deps.db.transaction().execute(async (tx) => {
      await allowPlanMemory(tx)
      await matchFileRows(tx, plan)
      const found = await findDatabaseProblems(tx, plan)
      return { found, summary: found.count === 0 ? await summarisePlan(tx, plan) : undefined }
    })
    if (!checked.summary) {
      const { problems, count } = checked.found
      await closeBatch(deps.db, batchId, { status: 'invalid', now: deps.clock.now(), from: ['staging'], rowCount: rows, checksum, problems, problemCount: count, warnings })
      return err({ code: 'invalid_file', problems, problemCount: count, warnings })
    }
    const summary = checked.summary
    const closed = await closeBatch(deps.db, batchId, { status: 'staged', now: deps.clock.now(), from: ['staging'], rowCount: rows, checksum, warnings, summary })
    if (!closed) return err(givenUpWhileReading(batchId))
    return ok({ ...staged, summary })
  } catch (error) {
    await closeBatch(deps.db, batchId, { status: 'failed', now: deps.clock.now(), from: ['staging'] }).catch(() => {})
    throw error
  }
}

/**
 * Opens a batch, reads and checks the file and stages its good rows. A file with problems is
 * refused with the database's problems too, so that one dry run lists them all; a readable
 * file without any is returned with its batch still `staging`, for the caller to close.
 */
async function readContactsFile(
  deps: StagingDeps,
  input: ContactsImportRequest,
): Promise<Result<{ staged: StagedContactsImport; plan: ContactImportPlan }, ImportError>> {
  const refused = checkRole(input.actor, contactsImportRole(input.mode))
  if (refused) return err(refused)
  let levels: string[] = []
  if (input.mode === 'replace-levels') {
    const named = await findLevelsByName(deps.db, input.libraryId, input.levels)
    if (named.known.length === 0 || named.unknown.length > 0) return err({ code: 'invalid_levels', levels: named.known.length === 0 && named.unknown.length === 0 ? [] : named.unknown })
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
    requestedBy: input.actor.label,
    now: deps.clock.now(),
  })
  if (!opened.ok) return opened
  const batchId = opened.value
  const plan: ContactImportPlan = { libraryId: input.libraryId, batchId, mode: input.mode, levels, keepCustom }
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
        const key = read.patronId
        const first = primaryLines.get(key)
        if (first === undefined) {
          primaryLines.set(key, line)
          return read
        }
        return { problems: [{ line, column: 'primary', message: `a second primary contact for ${read.username} (the first is on line ${first})` }] }
      },
      onProgress: input.onProgress,
    })
    if (!staged.readable) {
      await closeBatch(deps.db, batchId, { status: 'invalid', now: deps.clock.now(), from: ['staging'] })
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
      await closeBatch(deps.db, batchId, {
        status: 'invalid', now: deps.clock.now(), from: ['staging'], rowCount: staged.rows, checksum: staged.checksum,
        problems: staged.problems.first, problemCount: staged.problems.count, warnings: staged.warnings,
      })
      return err({
        code: 'invalid_file', problems: staged.problems.first, problemCount: staged.problems.count, warnings: staged.warnings,
        ...(unknownUsernames.size > 0 && { patronsNotFound: unknownUsernames.size }),
      })
    }
    return ok({ staged: { batchId, fileName: input.file.name, checksum: staged.checksum, rows: staged.rows, warnings: staged.warnings }, plan })
  } catch (error) {
    await closeBatch(deps.db, batchId, { status: 'failed', now: deps.clock.now(), from: ['staging'] }).catch(() => {})
    throw error
  }
}

export type ContactsImportResult = { batchId: number; summary: ContactImportSummary } & ContactImportChanges

/**
 * What the apply did must be what it counted, and account for every row of the file: a row is
 * added, changes a contact, leaves one unchanged, or is skipped as a duplicate. Otherwise the
 * transaction is rolled back rather than commit a change nobody was shown.
 */
function reconcile(batchId: number, summary: ContactImportSummary, done: ContactImportChanges): void {
  const rowsAccounted = done.added + done.updated + done.unchanged + done.skipped
  const asCounted =
    done.added === summary.contactsToAdd && done.updated === summary.contactsToUpdate && done.deleted === summary.contactsToDelete &&
    done.unchanged === summary.contactsUnchanged && done.skipped === summary.duplicatesSkipped
  if (!asCounted || rowsAccounted !== summary.rows) {
    throw new Error(`import #${batchId}: the apply did not do what it counted (${JSON.stringify({ summary, done })})`)
  }
}

/**
 * Applies a staged contacts import in one transaction: a crash or a database error leaves the
 * contacts exactly as they were. Checks are made again, since the data may have moved since
 * the dry run. Audited with who asked, who confirmed, the file's name and checksum, and counts.
 */
export async function applyContactsImport(
  deps: StagingDeps,
  input: { libraryId: number; batchId: number; actor: Actor; onProgress?: (progress: ImportProgress) => void },
): Promise<Result<ContactsImportResult, ImportError>> {
  return runApply(deps, { ...input, kind: 'contacts' }, async (tx, batch) => {
    const mode = batch.mode as ContactImportMode
    const plan: ContactImportPlan = { libraryId: input.libraryId, batchId: batch.id, mode, levels: batch.levels, keepCustom: batch.keepCustom }
    input.onProgress?.({ phase: 'applying', rowsRead: batch.rowCount, done: 0, total: batch.rowCount })
    await allowPlanMemory(tx)
    // Every row read was staged (stage-file.ts); every row staged must be applied, once.
    const staged = await countStagedRows(tx, 'import_contact_rows', batch.id)
    if (staged !== batch.rowCount) throw new Error(`import #${batch.id}: ${batch.rowCount} rows were staged, but ${staged} are there to apply`)
    await matchFileRows(tx, plan)
    const found = await findDatabaseProblems(tx, plan)
    if (found.count > 0) return err<ImportError>({ code: 'invalid_file', problems: found.problems, problemCount: found.count, warnings: batch.warnings })
    const summary = await summarisePlan(tx, plan)
    const applied = await executePlan(tx, plan, deps.clock.now())
    reconcile(batch.id, summary, applied)
    await recordAudit(tx, {
      libraryId: input.libraryId,
      actor: batch.requestedBy,
      approver: input.actor.label,
      action: 'contacts.imported',
      subjectType: 'import',
      subjectId: batch.id,
      details: { fileName: batch.fileName, checksum: batch.checksum, mode, levels: batch.levels, keepCustom: batch.keepCustom, ...applied, summary },
    })
    return ok({ batchId: batch.id, ...applied, summary })
  })
}

/**
 * The library's academic levels by the names staff typed, matched as everything else is: without
 * regard to case or surrounding spaces ("year 7" is "Year 7"). Known ones come back as the library
 * spells them; unknown ones as typed.
 */
async function findLevelsByName(db: Db, libraryId: number, names: readonly string[]): Promise<{ known: string[]; unknown: string[] }> {
  const typed = [...new Set(names.map((name) => name.trim()).filter(Boolean))]
  // Text no level can hold is unknown without asking: the database would refuse to compare it.
  const askable = typed.filter((name) => unstorableText(name) === undefined)
  const rows = askable.length === 0 ? [] : await db
    .selectFrom('academic_levels')
    .where('library_id', '=', libraryId)
    .where(sql<string>`lower(name)`, 'in', askable.map((name) => name.toLowerCase()))
    .select('name')
    .execute()
  const byKey = new Map(rows.map((row) => [row.name.toLowerCase(), row.name]))
  const known = [...new Set(typed.flatMap((name) => byKey.get(name.toLowerCase()) ?? []))]
  return { known, unknown: typed.filter((name) => !byKey.has(name.toLowerCase())).map((name) => name.toWellFormed().replaceAll('\u0000', '\ufffd')) }
}
