import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import type { Clock } from '../deps.ts'
import type { ImportProblem } from '../imports/errors.ts'
import { err, ok, type Result } from '../result.ts'
import { type Actor, actorLabel, isSameActor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { BatchError, BatchKind, BatchOf } from './batch.ts'
import { giveUpDeadBatches } from './give-up-batches.ts'
import { batchLock, dropStagedRows, findRunningBatch, laneLock, lockBatch } from './queries.ts'

// Sent as text and cast: drivers disagree on how they encode a parameter typed jsonb.
const json = (value: unknown) => sql`cast(${JSON.stringify(value)}::text as jsonb)`

/** What an apply that was refused found (checks made again at confirmation), recorded on the batch. */
type ApplyRefusal = { problems: ImportProblem[]; problemCount: number }

/**
 * Confirms a staged batch and applies it, in one transaction: the claim (the batch's row lock,
 * the library's lock), the work, and the batch marked `applied` with who confirmed it and what it
 * did commit together, or none of them does. So no batch ever says `applying`, or `failed`, while
 * its changes stand; a process that dies mid-apply leaves the batch as it was, and the library
 * free. Refused: without the permission the batch names; by its own requester when it needs
 * another; while another batch of the library is read or applied; once not `staged`.
 *
 * `apply` returns its refusal as a value (the checks made again found problems): the batch is
 * then `invalid` and nothing else changes. It throws for a failure: the transaction rolls back
 * and the batch is `failed`.
 */
export async function applyBatch<K extends BatchKind, T, E>(
  deps: { db: Db; clock: Clock },
  input: { libraryId: number; batchId: number; kind: K; actor: Actor },
  apply: (tx: Db, batch: BatchOf<K>) => Promise<Result<{ value: T; summary: unknown }, E>>,
  refusalOf: (error: E) => ApplyRefusal | undefined,
): Promise<Result<T, E | BatchError>> {
  let claimed = false
  try {
    return await deps.db.transaction().execute(async (tx): Promise<Result<T, E | BatchError>> => {
      const lane = await sql<{ free: boolean }>`select pg_try_advisory_xact_lock(${laneLock}, ${input.libraryId}) as free`.execute(tx)
      if (!lane.rows[0].free) return err(await busy(tx, input))
      const batch = await lockBatch(tx, input)
      if (batch === 'locked') return err({ code: 'batch_not_ready', batchId: input.batchId, status: 'applying' })
      if (batch === undefined || batch.kind !== input.kind) return err({ code: 'batch_not_found', batchId: input.batchId })
      if (batch.status !== 'staged') return err({ code: 'batch_not_ready', batchId: batch.id, status: batch.status })
      // Waited too long: the library may have moved on since its dry run was shown.
      if (batch.expiresAt !== null && batch.expiresAt.getTime() <= deps.clock.now().getTime()) {
        await tx.updateTable('batches').set({ status: 'expired', finished_at: deps.clock.now() }).where('id', '=', batch.id).execute()
        await dropStagedRows(tx, [batch.id])
        return err({ code: 'batch_not_ready', batchId: batch.id, status: 'expired' })
      }
      const refused = checkPermission(input.actor, batch.confirmPermission)
      if (refused) return err(refused)
      if (batch.confirmerMustDiffer && isSameActor(batch.requestedBy, input.actor.ref)) {
        return err({ code: 'same_confirmer', batchId: batch.id, requestedBy: batch.requestedBy })
      }
      // One at a time: a file being read in the library holds it too (unless its process is gone).
      await giveUpDeadBatches(tx, { libraryId: input.libraryId, now: deps.clock.now() })
      const reading = await findRunningBatch(tx, input.libraryId)
      if (reading) return err({ code: 'batch_running', running: reading })
      await sql`select pg_advisory_xact_lock(${batchLock}, ${batch.id})`.execute(tx)
      claimed = true
      const done = await apply(tx, batch as BatchOf<K>)
      const now = deps.clock.now()
      if (!done.ok) {
        const refusal = refusalOf(done.error)
        await tx
          .updateTable('batches')
          .set({
            status: 'invalid',
            finished_at: now,
            ...(refusal && { errors: json(refusal.problems), error_count: refusal.problemCount }),
          })
          .where('id', '=', batch.id)
          .execute()
        await dropStagedRows(tx, [batch.id])
        return done
      }
      await tx
        .updateTable('batches')
        .set({ status: 'applied', confirmed_by: actorLabel(input.actor.ref), summary: json(done.value.summary), finished_at: now })
        .where('id', '=', batch.id)
        .execute()
      await dropStagedRows(tx, [batch.id])
      return ok(done.value.value)
    })
  } catch (error) {
    // Rolled back: nothing of it stands. The batch is marked failed, its staged rows dropped.
    if (claimed) await markFailed(deps.db, input.batchId, deps.clock.now()).catch(() => {})
    throw error
  }
}

async function busy(db: Db, input: { libraryId: number; batchId: number }): Promise<BatchError> {
  const running = await findRunningBatch(db, input.libraryId)
  if (running?.batchId === input.batchId) return { code: 'batch_not_ready', batchId: input.batchId, status: 'applying' }
  // Its lock was released between the two looks: it has just finished; try again.
  return running ? { code: 'batch_running', running } : { code: 'batch_not_ready', batchId: input.batchId, status: 'applying' }
}

async function markFailed(db: Db, batchId: number, now: Date): Promise<void> {
  const failed = await db
    .updateTable('batches')
    .set({ status: 'failed', finished_at: now })
    .where('id', '=', batchId)
    .where('status', '=', 'staged')
    .returning('id')
    .execute()
  await dropStagedRows(
    db,
    failed.map((row) => row.id),
  )
}
