import { recordAudit } from '../audit/record-audit.ts'
import type { PurgeBatch } from '../batches/batch.ts'
import { confirmBatch } from '../batches/confirm-batch.ts'
import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import { type Actor, actorLabel } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import { type PurgeError, purgeErrorOf } from './errors.ts'
import type { PurgeOutcome, PurgeProgress } from './purge-view.ts'
import { findPurgeBatch } from './queries.ts'
import { runPurge } from './run-purge.ts'

/**
 * Approves a purge (another admin than the asker) and runs it, one transaction per page, to its
 * end. An approved one left unfinished (its process died) is resumed by any admin.
 */
export async function approvePurge(
  deps: Pick<AppDeps, 'db' | 'clock'>,
  input: { libraryId: number; actor: Actor; requestId: number; onProgress?: ((progress: PurgeProgress) => void) | undefined },
): Promise<Result<PurgeOutcome, PurgeError>> {
  const refused = checkPermission(input.actor, 'purgePatrons')
  if (refused) return err(refused)
  const found = await findPurgeBatch(deps.db, input)
  if (!found) return err({ code: 'request_not_found', requestId: input.requestId })
  let batch: PurgeBatch = found
  if (found.status !== 'approved') {
    const confirmed = await confirmBatch(deps, { libraryId: input.libraryId, batchId: input.requestId, kind: 'purge', actor: input.actor }, (tx, approved) =>
      recordAudit(tx, {
        libraryId: approved.libraryId,
        actor: actorLabel(approved.requestedBy),
        approver: actorLabel(input.actor.ref),
        action: 'purge.approved',
        subjectType: 'purge',
        subjectId: approved.id,
        details: { ...approved.request, impact: approved.summary },
      }),
    )
    if (!confirmed.ok) return err(purgeErrorOf(confirmed.error, input.requestId))
    batch = confirmed.value
  }
  return ok(await runPurge(deps, { batch, onProgress: input.onProgress }))
}
