import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import { actorOf } from '../staff/actors.ts'
import type { Permission } from '../staff/permissions.ts'
import type { Batch, BatchKind, RunningBatch } from './batch.ts'

/**
 * The advisory locks of batches: an apply holds its library's (`laneLock`, with the library's id)
 * and its batch's (`batchLock`, with the batch's id) until its transaction ends. The library's
 * is what keeps two batches of a library from applying at once; the batch's says which one runs.
 * A process that dies takes them with it.
 */
export const laneLock = 20_480
export const batchLock = 20_481

// Each kind's staged rows: no foreign key takes them with their batch (COPY checked none).
const stagingTables = ['import_contact_rows', 'import_patron_rows', 'purge_patrons'] as const

export async function dropStagedRows(db: Db, batchIds: readonly number[]): Promise<void> {
  if (batchIds.length === 0) return
  for (const table of stagingTables)
    await db
      .deleteFrom(table)
      .where('batch_id', 'in', [...batchIds])
      .execute()
}

const batchColumns = [
  'id',
  'library_id',
  'kind',
  'mode',
  'levels',
  'keep_custom',
  'file_name',
  'checksum',
  'status',
  'requested_by',
  'confirmed_by',
  'confirm_permission',
  'confirmer_must_differ',
  'row_count',
  'warnings',
  'summary',
  'request',
  'report_message',
  'created_at',
  'expires_at',
] as const

type BatchRow = { [K in (typeof batchColumns)[number]]: unknown }

/** A batch as the domain reads it: typed by its kind, its actors read back from their labels. */
function toBatch(row: BatchRow): Batch {
  const common = {
    id: row.id as number,
    libraryId: row.library_id as number,
    status: row.status as Batch['status'],
    requestedBy: actorOf(row.requested_by as string),
    confirmedBy: row.confirmed_by === null ? null : actorOf(row.confirmed_by as string),
    confirmPermission: row.confirm_permission as Permission,
    confirmerMustDiffer: row.confirmer_must_differ as boolean,
    createdAt: new Date(row.created_at as string),
    expiresAt: row.expires_at === null ? null : new Date(row.expires_at as string),
    fileName: row.file_name as string,
    checksum: row.checksum as string | null,
    rowCount: row.row_count as number,
    warnings: (row.warnings ?? []) as Batch['warnings'],
  }
  const kind = row.kind as BatchKind
  switch (kind) {
    case 'contacts':
      return { ...common, kind, mode: row.mode as never, levels: row.levels as string[], keepCustom: row.keep_custom as boolean, summary: row.summary as never }
    case 'patrons':
      return { ...common, kind, mode: 'upsert', summary: row.summary as never }
    case 'preferences':
      return { ...common, kind, request: row.request as never, summary: row.summary as never }
    case 'purge':
      return { ...common, kind, request: row.request as never, summary: row.summary as never, reportMessage: (row.report_message ?? null) as never }
  }
}

export async function findBatch(db: Db, input: { libraryId: number; batchId: number }): Promise<Batch | undefined> {
  const row = await db.selectFrom('batches').where('library_id', '=', input.libraryId).where('id', '=', input.batchId).select(batchColumns).executeTakeFirst()
  return row ? toBatch(row) : undefined
}

/** The same, locked for the caller's transaction; undefined also while another transaction holds it. */
export async function lockBatch(db: Db, input: { libraryId: number; batchId: number }): Promise<Batch | 'locked' | undefined> {
  try {
    const row = await db
      .selectFrom('batches')
      .where('library_id', '=', input.libraryId)
      .where('id', '=', input.batchId)
      .select(batchColumns)
      .forUpdate()
      .noWait()
      .executeTakeFirst()
    return row ? toBatch(row) : undefined
  } catch (error) {
    // 55P03: lock_not_available. An apply holds it: the batch is being applied right now.
    if ((error as { code?: string }).code === '55P03') return 'locked'
    throw error
  }
}

/**
 * What holds the library: the batch an apply holds the lock of, or else the one being read. The
 * lock is looked up in pg_locks, which every database user may read, among this database's.
 */
export async function findRunningBatch(db: Db, libraryId: number): Promise<RunningBatch | undefined> {
  const { rows } = await sql<{ id: number; kind: BatchKind; requested_by: string; created_at: Date; applying: boolean }>`
    -- A purge runs once approved: who set it going is its approver.
    select b.id, b.kind, case when b.status = 'approved' then coalesce(b.confirmed_by, b.requested_by) else b.requested_by end as requested_by, b.created_at,
      exists (select 1 from pg_locks l where l.locktype = 'advisory' and l.granted and l.database = d.oid and l.classid = ${batchLock} and l.objid = b.id and l.objsubid = 2) as applying
    from batches b
    -- Advisory locks are the database's own, but pg_locks shows every database's on the server.
    cross join (select oid from pg_database where datname = current_database()) d
    -- An approved purge holds its batch's lock while a page runs.
    where b.library_id = ${libraryId} and (b.status = 'staging' or (b.status in ('staged', 'approved') and exists (
      select 1 from pg_locks l where l.locktype = 'advisory' and l.granted and l.database = d.oid and l.classid = ${batchLock} and l.objid = b.id and l.objsubid = 2)))
    order by applying desc, b.id
    limit 1`.execute(db)
  const row = rows[0]
  if (!row) return undefined
  return {
    batchId: row.id,
    kind: row.kind,
    phase: row.applying ? 'applying' : 'reading',
    requestedBy: actorOf(row.requested_by),
    startedAt: new Date(row.created_at),
  }
}
