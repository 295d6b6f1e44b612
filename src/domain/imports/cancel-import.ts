import type { Db } from '../../db/database.ts'
import { cancelBatch } from '../batches/cancel-batch.ts'
import type { Clock } from '../deps.ts'
import { ok, type Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import type { ImportError } from './errors.ts'

/**
 * Cancel under a dry run: drops the staged import. Its author may, and anyone who may confirm
 * it. Nothing else changes; audited as `import.cancelled`.
 */
export async function cancelImport(
  deps: { db: Db; clock: Clock },
  input: { libraryId: number; batchId: number; actor: Actor },
): Promise<Result<{ batchId: number }, ImportError>> {
  const cancelled = await cancelBatch(deps, { ...input, auditAs: 'import' })
  return cancelled.ok ? ok({ batchId: cancelled.value.id }) : cancelled
}
