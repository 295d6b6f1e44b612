import type { Db } from '../../db/database.ts'
import { type ReleasedBatch, type ReleaseError, releaseBatch } from '../batches/give-up-batches.ts'
import type { Clock } from '../deps.ts'
import type { Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'

/**
 * Frees a library whose import was left being read by a process that is gone, so the next import
 * can start (`library-comms import release`). See releaseBatch. Audited as `import.released`.
 */
export async function releaseImport(
  deps: { db: Db; clock: Clock },
  input: { libraryId: number; actor: Actor; force: boolean },
): Promise<Result<ReleasedBatch, ReleaseError>> {
  return releaseBatch(deps, { ...input, auditAs: 'import' })
}
