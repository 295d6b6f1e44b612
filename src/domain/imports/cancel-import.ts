import { recordAudit } from '../audit/record-audit.ts'
import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import { checkRole, type Actor } from '../staff/roles.ts'
import { closeBatch, findBatch } from './batches.ts'
import type { ImportError } from './errors.ts'

/** Drops a staged import that staff decided not to apply. Nothing else changes. */
export async function cancelImport(
  deps: Pick<AppDeps, 'db' | 'clock'>,
  input: { libraryId: number; batchId: number; actor: Actor },
): Promise<Result<{ batchId: number }, ImportError>> {
  const refused = checkRole(input.actor, 'staff')
  if (refused) return err(refused)
  const batch = await findBatch(deps.db, input)
  if (!batch) return err({ code: 'batch_not_found', batchId: input.batchId })
  if (batch.status !== 'staged') return err({ code: 'batch_not_ready', batchId: input.batchId, status: batch.status })
  await closeBatch(deps.db, batch.id, { status: 'cancelled', now: deps.clock.now() })
  await recordAudit(deps.db, {
    libraryId: input.libraryId, actor: input.actor.label, action: 'import.cancelled', subjectType: 'import', subjectId: batch.id,
    details: { fileName: batch.fileName, checksum: batch.checksum, kind: batch.kind, mode: batch.mode },
  })
  return ok({ batchId: batch.id })
}
