import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import { err, ok, type Result } from '../result.ts'
import { type ActorRef, actorLabel } from '../staff/actors.ts'
import type { Permission } from '../staff/permissions.ts'
import type { BatchError, BatchKind } from './batch.ts'
import { expireBatches, giveUpDeadBatches } from './give-up-batches.ts'
import { findRunningBatch, laneLock } from './queries.ts'

type NewBatch = {
  libraryId: number
  kind: BatchKind
  mode: string
  levels?: readonly string[]
  keepCustom?: boolean
  fileName: string
  requestedBy: ActorRef
  /** The permission confirming it takes, as far as is known before it is read (set again when it is staged). */
  confirmPermission: Permission
  confirmerMustDiffer?: boolean
  now: Date
}

/**
 * Opens a batch, `staging` while its file is read. One batch of a library is read or applied at
 * a time: while another is, the request is told whose and since when, and nothing is opened.
 * Batches left by a process that died, and staged ones nobody confirmed in time, are closed first.
 */
export async function openBatch(db: Db, input: NewBatch): Promise<Result<number, BatchError>> {
  await giveUpDeadBatches(db, { libraryId: input.libraryId, now: input.now })
  await expireBatches(db, { libraryId: input.libraryId, now: input.now })
  const opened = await db.transaction().execute(async (tx) => {
    // An apply holds its library's lock until it commits; holding it here keeps one from starting
    // before this batch shows as being read.
    const { rows } = await sql<{ free: boolean }>`select pg_try_advisory_xact_lock(${laneLock}, ${input.libraryId}) as free`.execute(tx)
    if (!rows[0].free) return undefined
    return tx
      .insertInto('batches')
      .values({
        library_id: input.libraryId,
        kind: input.kind,
        mode: input.mode,
        levels: sql`${sql.val([...(input.levels ?? [])])}::text[]`,
        keep_custom: input.keepCustom ?? false,
        file_name: input.fileName,
        status: 'staging',
        requested_by: actorLabel(input.requestedBy),
        confirm_permission: input.confirmPermission,
        confirmer_must_differ: input.confirmerMustDiffer ?? false,
        created_at: input.now,
        heartbeat_at: input.now,
      })
      .onConflict((oc) => oc.column('library_id').where(sql<boolean>`status = 'staging'`).doNothing())
      .returning('id')
      .executeTakeFirst()
  })
  if (opened) return ok(opened.id)
  const running = await findRunningBatch(db, input.libraryId)
  // Between the two statements the other batch may have ended: then the library is free again.
  if (!running) return openBatch(db, input)
  return err({ code: 'batch_running', running })
}
