import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import type { Clock } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import { type Actor, actorLabel, isSameActor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { BatchError, BatchKind, BatchOf } from './batch.ts'
import { dropStagedRows, lockBatch } from './queries.ts'

/**
 * Confirms a staged batch whose work runs afterwards, in steps of its own (a purge, page by page):
 * with applyBatch's checks (not expired, the permission it names, another confirmer when it needs
 * one), it becomes `approved`, with who confirmed it, and nothing else changes. `audit` runs in the
 * same transaction. An expired batch is marked so and refused.
 */
export async function confirmBatch<K extends BatchKind>(
  deps: { db: Db; clock: Clock },
  input: { libraryId: number; batchId: number; kind: K; actor: Actor },
  audit: (tx: Db, batch: BatchOf<K>) => Promise<void>,
): Promise<Result<BatchOf<K>, BatchError>> {
  return deps.db.transaction().execute(async (tx): Promise<Result<BatchOf<K>, BatchError>> => {
    const batch = await lockBatch(tx, input)
    if (batch === 'locked') return err({ code: 'batch_not_ready', batchId: input.batchId, status: 'applying' })
    if (batch === undefined || batch.kind !== input.kind) return err({ code: 'batch_not_found', batchId: input.batchId })
    if (batch.status !== 'staged') return err({ code: 'batch_not_ready', batchId: batch.id, status: batch.status })
    const now = deps.clock.now()
    if (batch.expiresAt !== null && batch.expiresAt.getTime() <= now.getTime()) {
      await tx.updateTable('batches').set({ status: 'expired', finished_at: now }).where('id', '=', batch.id).execute()
      await dropStagedRows(tx, [batch.id])
      return err({ code: 'batch_not_ready', batchId: batch.id, status: 'expired' })
    }
    const refused = checkPermission(input.actor, batch.confirmPermission)
    if (refused) return err(refused)
    if (batch.confirmerMustDiffer && isSameActor(batch.requestedBy, input.actor.ref)) {
      return err({ code: 'same_confirmer', batchId: batch.id, requestedBy: batch.requestedBy })
    }
    await tx
      .updateTable('batches')
      .set({ status: 'approved', confirmed_by: actorLabel(input.actor.ref), heartbeat_at: now })
      .where('id', '=', batch.id)
      .execute()
    const approved = { ...batch, status: 'approved', confirmedBy: input.actor.ref } as BatchOf<K>
    await audit(tx, approved)
    return ok(approved)
  })
}

// Sent as text and cast: drivers disagree on how they encode a parameter typed jsonb.
const json = (value: unknown) => sql`cast(${JSON.stringify(value)}::text as jsonb)`

/**
 * Ends an approved batch whose steps are all done: `applied`, with what it did, its staged rows
 * dropped. Run it in the transaction of its last step or after it; false if it was not approved.
 */
export async function finishBatch(tx: Db, input: { batchId: number; summary: unknown; now: Date }): Promise<boolean> {
  const done = await tx
    .updateTable('batches')
    .set({ status: 'applied', summary: json(input.summary), finished_at: input.now })
    .where('id', '=', input.batchId)
    .where('status', '=', 'approved')
    .returning('id')
    .executeTakeFirst()
  if (done) await dropStagedRows(tx, [input.batchId])
  return done !== undefined
}
