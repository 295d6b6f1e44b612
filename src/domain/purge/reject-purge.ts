import { recordAudit } from '../audit/record-audit.ts'
import { dropStagedRows, lockBatch } from '../batches/queries.ts'
import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import { type Actor, actorLabel, isSameActor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { PurgeError } from './errors.ts'
import type { PurgeRequest } from './purge-view.ts'
import { findPurgeBatch, toPurgeRequest } from './queries.ts'

/**
 * Rejects a purge request: another admin says no (`rejected`), or its asker takes it back
 * (`cancelled`). Nothing else changes; audited. Once approved it can no longer be stopped.
 */
export async function rejectPurge(
  deps: Pick<AppDeps, 'db' | 'clock'>,
  input: { libraryId: number; actor: Actor; requestId: number },
): Promise<Result<PurgeRequest, PurgeError>> {
  const refused = checkPermission(input.actor, 'purgePatrons')
  if (refused) return err(refused)
  const decided = await deps.db.transaction().execute(async (tx): Promise<Result<'rejected' | 'cancelled', PurgeError>> => {
    const batch = await lockBatch(tx, { libraryId: input.libraryId, batchId: input.requestId })
    if (batch === 'locked') return err({ code: 'batch_not_ready', batchId: input.requestId, status: 'applying' })
    if (batch === undefined || batch.kind !== 'purge') return err({ code: 'request_not_found', requestId: input.requestId })
    if (batch.status !== 'staged') return err({ code: 'batch_not_ready', batchId: batch.id, status: batch.status })
    const now = deps.clock.now()
    if (batch.expiresAt !== null && batch.expiresAt.getTime() <= now.getTime()) {
      await tx.updateTable('batches').set({ status: 'expired', finished_at: now }).where('id', '=', batch.id).execute()
      await dropStagedRows(tx, [batch.id])
      return err({ code: 'batch_not_ready', batchId: batch.id, status: 'expired' })
    }
    const status = isSameActor(batch.requestedBy, input.actor.ref) ? 'cancelled' : 'rejected'
    await tx
      .updateTable('batches')
      .set({ status, finished_at: now, ...(status === 'rejected' && { confirmed_by: actorLabel(input.actor.ref) }) })
      .where('id', '=', batch.id)
      .execute()
    await dropStagedRows(tx, [batch.id])
    await recordAudit(tx, {
      libraryId: input.libraryId,
      actor: actorLabel(input.actor.ref),
      action: `purge.${status}`,
      subjectType: 'purge',
      subjectId: batch.id,
      details: { requestedBy: actorLabel(batch.requestedBy), patrons: batch.summary.patrons },
    })
    return ok(status)
  })
  if (!decided.ok) return decided
  const batch = await findPurgeBatch(deps.db, input)
  return ok(toPurgeRequest(batch!))
}
