import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import type { ImportBatchesTable } from '../../db/schema.ts'
import { err, ok, type Result } from '../result.ts'
import { checkRole, type Actor, type StaffRole } from '../staff/roles.ts'
import type { ImportError, ImportProblem } from './errors.ts'

export type ImportKind = 'contacts' | 'patrons'
export type BatchStatus = ImportBatchesTable['status']

// A batch being read beats every 10 seconds (stage-file.ts); one silent for a minute was left
// by a process that is gone, and stops blocking its library.
const staleAfterMs = 60_000
// A dry run nobody confirmed or cancelled is dropped after a day, with its staged rows.
const unconfirmedAfterMs = 24 * 60 * 60_000

/**
 * Opens a batch in status `staging`. At most one batch per library is staging or applying
 * (a partial unique index), so two imports never run at once; the second is told who runs.
 */
export async function openBatch(
  db: Db,
  input: { libraryId: number; kind: ImportKind; mode: string; levels: readonly string[]; keepCustom: boolean; fileName: string; requestedBy: string; now: Date },
): Promise<Result<number, ImportError>> {
  await giveUpDeadBatches(db, { libraryId: input.libraryId, now: input.now })
  const unconfirmed = await db
    .selectFrom('import_batches')
    .where('library_id', '=', input.libraryId)
    .where('status', '=', 'staged')
    .where('heartbeat_at', '<', new Date(input.now.getTime() - unconfirmedAfterMs))
    .select('id')
    .execute()
  for (const { id } of unconfirmed) await closeBatch(db, id, { status: 'cancelled', now: input.now })
  const row = await db
    .insertInto('import_batches')
    .values({
      library_id: input.libraryId,
      kind: input.kind,
      mode: input.mode,
      levels: sql`${sql.val([...input.levels])}::text[]` as any,
      keep_custom: input.keepCustom,
      file_name: input.fileName,
      status: 'staging',
      requested_by: input.requestedBy,
      created_at: input.now,
      heartbeat_at: input.now,
    })
    .onConflict((oc) => oc.column('library_id').where(sql<boolean>`status in ('staging', 'applying')`).doNothing())
    .returning('id')
    .executeTakeFirst()
  if (row) return ok(row.id)
  return err(await runningError(db, input.libraryId))
}

/**
 * The advisory locks an apply holds on its batch (with the batch's id as the second key): taken
 * before the batch shows `applying`, and held until its transaction has ended. A batch that shows
 * `applying` without it was left by a process that is gone (killed, or stopped mid-apply), whose
 * transaction the database rolled back: it changed nothing, and is given up at once.
 */
const applyLockClass = 20_481

/**
 * Gives up the batches whose process is gone: an apply whose lock nobody holds, and a file being
 * read whose heartbeat stopped a minute ago. Their staged rows go with them. Returns their ids.
 */
export async function giveUpDeadBatches(db: Db, input: { libraryId?: number; now: Date }): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`
    update import_batches set status = 'failed', finished_at = ${input.now}
    where status in ('staging', 'applying')
      and (${input.libraryId ?? null}::int is null or library_id = ${input.libraryId ?? null})
      -- The lock is tried only for an apply, and held by this statement alone.
      and case status when 'staging' then heartbeat_at < ${new Date(input.now.getTime() - staleAfterMs)}
        else pg_try_advisory_xact_lock(${applyLockClass}, id) end
    returning id`.execute(db)
  // No foreign key takes a batch's staged rows with it (COPY checked none): they go here.
  await dropStagedRows(db, rows.map((row) => row.id))
  return rows.map((row) => row.id)
}

/**
 * Gives up every batch left reading or applying by an earlier run of the process that owns the
 * database alone (the embedded one): nothing else can be running them.
 */
export async function giveUpUnfinishedBatches(db: Db, input: { now: Date }): Promise<number[]> {
  const unfinished = await db
    .updateTable('import_batches')
    .set({ status: 'failed', finished_at: input.now })
    .where('status', 'in', ['staging', 'applying'])
    .returning('id')
    .execute()
  await dropStagedRows(db, unfinished.map((row) => row.id))
  return unfinished.map((row) => row.id)
}

export async function runningError(db: Db, libraryId: number): Promise<ImportError> {
  const running = await db
    .selectFrom('import_batches')
    .where('library_id', '=', libraryId)
    .where('status', 'in', ['staging', 'applying'])
    .select(['id', 'requested_by', 'created_at'])
    .executeTakeFirst()
  return { code: 'import_running', batchId: running?.id ?? 0, requestedBy: running?.requested_by ?? 'someone', startedAt: new Date(running?.created_at ?? 0) }
}

/** The refusal of a file whose batch was given up while it was read (released by an admin, or its heart stopped). */
export const givenUpWhileReading = (batchId: number): ImportError => ({ code: 'batch_not_ready', batchId, status: 'failed' })

export async function heartbeat(db: Db, batchId: number, now: Date): Promise<void> {
  await db.updateTable('import_batches').set({ heartbeat_at: now }).where('id', '=', batchId).execute()
}

export async function closeBatch(
  db: Db,
  batchId: number,
  outcome: {
    status: 'staged' | 'invalid' | 'applied' | 'failed' | 'cancelled'
    now: Date
    rowCount?: number
    checksum?: string
    problems?: ImportProblem[]
    problemCount?: number
    warnings?: ImportProblem[]
    summary?: unknown
    approvedBy?: string
    /** Close it only from one of these statuses; says whether it did. */
    from?: readonly BatchStatus[]
  },
): Promise<boolean> {
  const closed = await db
    .updateTable('import_batches')
    .set({
      status: outcome.status,
      heartbeat_at: outcome.now,
      ...(outcome.status !== 'staged' && { finished_at: outcome.now }),
      ...(outcome.rowCount !== undefined && { row_count: outcome.rowCount }),
      ...(outcome.checksum !== undefined && { checksum: outcome.checksum }),
      ...(outcome.problems !== undefined && { errors: sql`cast(${JSON.stringify(outcome.problems)}::text as jsonb)` }),
      ...(outcome.problemCount !== undefined && { error_count: outcome.problemCount }),
      ...(outcome.warnings !== undefined && { warnings: sql`cast(${JSON.stringify(outcome.warnings)}::text as jsonb)` }),
      ...(outcome.summary !== undefined && { summary: sql`cast(${JSON.stringify(outcome.summary)}::text as jsonb)` }),
      ...(outcome.approvedBy !== undefined && { approved_by: outcome.approvedBy }),
    })
    .where('id', '=', batchId)
    .$if(outcome.from !== undefined, (qb) => qb.where('status', 'in', [...outcome.from!]))
    .returning('id')
    .executeTakeFirst()
  if (!closed) return false
  // Staged rows are only kept while the batch waits for confirmation.
  if (outcome.status !== 'staged') await dropStagedRows(db, [batchId])
  return true
}

export async function dropStagedRows(db: Db, batchIds: number[]): Promise<void> {
  if (batchIds.length === 0) return
  await db.deleteFrom('import_contact_rows').where('batch_id', 'in', batchIds).execute()
  await db.deleteFrom('import_patron_rows').where('batch_id', 'in', batchIds).execute()
}

export type ImportBatch = {
  id: number
  libraryId: number
  kind: ImportKind
  mode: string
  levels: string[]
  keepCustom: boolean
  fileName: string
  checksum: string | null
  status: string
  requestedBy: string
  rowCount: number
  /** What the file's reading ignored (unknown columns), for a refusal at apply to repeat. */
  warnings: ImportProblem[]
  /** The dry run's counts, when there was one. */
  summary: unknown
}

export async function findBatch(db: Db, input: { libraryId: number; batchId: number }): Promise<ImportBatch | undefined> {
  const row = await db
    .selectFrom('import_batches')
    .where('library_id', '=', input.libraryId)
    .where('id', '=', input.batchId)
    .select([
      'id', 'library_id as libraryId', 'kind', 'mode', 'levels', 'keep_custom as keepCustom', 'file_name as fileName',
      'checksum', 'status', 'requested_by as requestedBy', 'row_count as rowCount', 'warnings', 'summary',
    ])
    .executeTakeFirst()
  return row as ImportBatch | undefined
}

/**
 * Who may confirm or cancel a batch: replacing contacts (seed 000) and deactivating patrons
 * (seed 004, counted by the dry run) take an admin; adding contacts and creating or updating
 * patrons, staff.
 */
export function roleToDecide(batch: Pick<ImportBatch, 'kind' | 'mode' | 'summary'>): StaffRole {
  if (batch.kind === 'contacts') return contactsImportRole(batch.mode)
  return ((batch.summary as { toDeactivate?: number } | null)?.toDeactivate ?? 0) > 0 ? 'admin' : 'staff'
}

/** A contacts import in `mode` takes this role, to ask for and to confirm. */
export const contactsImportRole = (mode: string): StaffRole => (mode === 'add' ? 'staff' : 'admin')

/**
 * Confirms a staged batch: claims it for `actor` (refused if they may not decide it, if it is
 * not staged, or if another import of the library runs), then runs `apply` in one transaction
 * that also marks the batch applied, so its changes and its status land together or not at all.
 * Records how it ended: applied; invalid (the checks made again failed; nothing changed); or
 * failed (thrown; rolled back). The apply's lock is held throughout: a batch left `applying` by a
 * process that died is known to be dead at once (`giveUpDeadBatches`).
 */
export async function runApply<T>(
  deps: { db: Db; clock: { now(): Date } },
  input: { libraryId: number; batchId: number; kind: ImportKind; actor: Actor; onProgress?: (progress: { phase: 'done'; rowsRead: number }) => void },
  apply: (tx: Db, batch: ImportBatch) => Promise<Result<T, ImportError>>,
): Promise<Result<T, ImportError>> {
  // One connection for the lock, the claim and the transaction: the lock is its session's.
  return deps.db.connection().execute(async (db) => {
    await sql`select pg_advisory_lock(${applyLockClass}, ${input.batchId})`.execute(db)
    try {
      const claimed = await claimBatch(db, { ...input, now: deps.clock.now() })
      if (!claimed.ok) return claimed
      const batch = claimed.value
      try {
        const outcome = await db.transaction().execute(async (tx) => {
          const result = await apply(tx, batch)
          const closed = result.ok
            ? await closeBatch(tx, batch.id, { status: 'applied', now: deps.clock.now(), approvedBy: input.actor.label, summary: result.value, from: ['applying'] })
            : await closeBatch(tx, batch.id, { status: 'invalid', now: deps.clock.now(), from: ['applying'], ...(result.error.code === 'invalid_file' && { problems: result.error.problems, problemCount: result.error.problemCount }) })
          // Given up meanwhile (an admin released it): nothing of the apply may land.
          if (!closed) throw new BatchGivenUp(batch.id)
          return result
        })
        if (outcome.ok) input.onProgress?.({ phase: 'done', rowsRead: batch.rowCount })
        return outcome
      } catch (error) {
        if (error instanceof BatchGivenUp) return err({ code: 'batch_not_ready', batchId: batch.id, status: 'failed' } as const)
        await closeBatch(db, batch.id, { status: 'failed', now: deps.clock.now(), from: ['applying'] }).catch(() => {})
        throw error
      }
    } finally {
      await sql`select pg_advisory_unlock(${applyLockClass}, ${input.batchId})`.execute(db).catch(() => {})
    }
  })
}

class BatchGivenUp extends Error {
  constructor(batchId: number) {
    super(`import #${batchId} was given up while it applied`)
    this.name = 'BatchGivenUp'
  }
}

/** Moves a staged batch to `applying` for `actor`; fails if they may not decide it, if it is not staged, or if another import runs. */
async function claimBatch(
  db: Db,
  input: { libraryId: number; batchId: number; kind: ImportKind; actor: Actor; now: Date },
): Promise<Result<ImportBatch, ImportError>> {
  const batch = await findBatch(db, input)
  if (!batch || batch.kind !== input.kind) return err({ code: 'batch_not_found', batchId: input.batchId })
  const refused = checkRole(input.actor, roleToDecide(batch))
  if (refused) return err(refused)
  if (batch.status !== 'staged') return err({ code: 'batch_not_ready', batchId: input.batchId, status: batch.status })
  try {
    const claimed = await db
      .updateTable('import_batches')
      .set({ status: 'applying', heartbeat_at: input.now })
      .where('id', '=', input.batchId)
      .where('status', '=', 'staged')
      .returning('id')
      .executeTakeFirst()
    if (!claimed) return err({ code: 'batch_not_ready', batchId: input.batchId, status: 'applying' })
  } catch (error) {
    if (isUniqueViolation(error)) return err(await runningError(db, input.libraryId))
    throw error
  }
  return ok(batch)
}

export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === '23505'
}
