import type { Db } from '../../db/database.ts'
import { recordAudit } from '../audit/record-audit.ts'
import type { Clock } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import { type Actor, actorLabel, isSameActor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { Batch, BatchError } from './batch.ts'
import { dropStagedRows, lockBatch } from './queries.ts'

/**
 * Drops a staged batch that staff decided not to apply. Whoever asked for it may, and anyone
 * with the permission confirming it takes. Nothing else changes; audited as `<kind>.cancelled`
 * (`import.cancelled` for an import). A Confirm that is applying it wins.
 */
export async function cancelBatch(
  deps: { db: Db; clock: Clock },
  input: { libraryId: number; batchId: number; actor: Actor; auditAs: string },
): Promise<Result<Batch, BatchError>> {
  return deps.db.transaction().execute(async (tx): Promise<Result<Batch, BatchError>> => {
    const batch = await lockBatch(tx, input)
    if (batch === 'locked') return err({ code: 'batch_not_ready', batchId: input.batchId, status: 'applying' })
    if (batch === undefined) return err({ code: 'batch_not_found', batchId: input.batchId })
    const refused = isSameActor(batch.requestedBy, input.actor.ref) ? undefined : checkPermission(input.actor, batch.confirmPermission)
    if (refused) return err(refused)
    if (batch.status !== 'staged') return err({ code: 'batch_not_ready', batchId: batch.id, status: batch.status })
    await tx.updateTable('batches').set({ status: 'cancelled', finished_at: deps.clock.now() }).where('id', '=', batch.id).execute()
    await dropStagedRows(tx, [batch.id])
    await recordAudit(tx, {
      libraryId: input.libraryId,
      actor: actorLabel(input.actor.ref),
      action: `${input.auditAs}.cancelled`,
      subjectType: input.auditAs,
      subjectId: batch.id,
      details: { fileName: batch.fileName, checksum: batch.checksum, kind: batch.kind, ...('mode' in batch && { mode: batch.mode }) },
    })
    return ok({ ...batch, status: 'cancelled' })
  })
}

/**
 * Deletes a batch and its staged rows, leaving no trace: a dry run asked for alone (the API's
 * and the tool's `dryRun`) is not work anyone cancelled, and waits for nobody.
 */
export async function dropBatch(db: Db, batchId: number): Promise<void> {
  await dropStagedRows(db, [batchId])
  await db.deleteFrom('batches').where('id', '=', batchId).where('status', 'in', ['staging', 'staged', 'invalid']).execute()
}
