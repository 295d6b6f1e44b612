import { recordAudit } from '../audit/record-audit.ts'
import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import { checkRole, type Actor } from '../staff/roles.ts'
import { closeBatch, findBatch, roleToDecide } from './batches.ts'
import type { ImportError } from './errors.ts'

/**
 * Drops a staged import that staff decided not to apply: whoever asked for it may, and anyone
 * with the role confirming it takes (a staff member's dry run that deactivates patrons waits for
 * an admin, and its author may still withdraw it). Nothing else changes. A Confirm that claimed
 * the batch first wins.
 */
export async function cancelImport(
  deps: Pick<AppDeps, 'db' | 'clock'>,
  input: { libraryId: number; batchId: number; actor: Actor },
): Promise<Result<{ batchId: number }, ImportError>> {
  const refused = checkRole(input.actor, 'staff')
  if (refused) return err(refused)
  const batch = await findBatch(deps.db, input)
  if (!batch) return err({ code: 'batch_not_found', batchId: input.batchId })
  const mayNot = batch.requestedBy === input.actor.label ? undefined : checkRole(input.actor, roleToDecide(batch))
  if (mayNot) return err(mayNot)
  const closed = await closeBatch(deps.db, batch.id, { status: 'cancelled', now: deps.clock.now(), from: ['staged'] })
  if (!closed) {
    const now = await findBatch(deps.db, input)
    return err({ code: 'batch_not_ready', batchId: input.batchId, status: now?.status ?? batch.status })
  }
  await recordAudit(deps.db, {
    libraryId: input.libraryId, actor: input.actor.label, action: 'import.cancelled', subjectType: 'import', subjectId: batch.id,
    details: { fileName: batch.fileName, checksum: batch.checksum, kind: batch.kind, mode: batch.mode },
  })
  return ok({ batchId: batch.id })
}
