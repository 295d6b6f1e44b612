import { dropBatch } from '../batches/cancel-batch.ts'
import { finishStaging } from '../batches/stage-batch.ts'
import { ok, type Result } from '../result.ts'
import { applyImport, type ImportApplied } from './confirm-import.ts'
import type { ImportError } from './errors.ts'
import { countImport, type ImportPreview, type ImportRequest } from './preview-import.ts'
import type { StagingDeps } from './stage-file.ts'

const unconfirmedAfterMs = 60_000

export type ImportFileOutcome = { dryRun: true; preview: ImportPreview } | { dryRun: false; preview: ImportPreview; applied: ImportApplied }

/**
 * Imports a file in one request, as the API and the command-line tool do: the one who sends it
 * both asks and confirms. Reads and checks the whole file, counts what it would do, then applies
 * it in one transaction; or, on a dry run, says what it would do. Either way nothing is left
 * behind to confirm: a dry run's batch and a refused one's are deleted, and no "cancelled" is
 * written, as nobody cancelled anything.
 */
export async function importFile(deps: StagingDeps, request: ImportRequest & { dryRun: boolean }): Promise<Result<ImportFileOutcome, ImportError>> {
  const counted = await countImport(deps, request)
  if (!counted.ok) return counted
  const preview = counted.value
  if (request.dryRun) {
    await dropBatch(deps.db, preview.batchId)
    return ok({ dryRun: true, preview })
  }
  const staged = await finishStaging(deps.db, {
    batchId: preview.batchId,
    now: deps.clock.now(),
    outcome: {
      status: 'staged',
      rowCount: preview.rows,
      checksum: preview.checksum,
      warnings: preview.warnings,
      summary: preview.summary,
      // Confirmed by this very request, at once: one its process left unconfirmed goes soon.
      confirmPermission: preview.confirmPermission,
      expiresAfterMs: unconfirmedAfterMs,
    },
  })
  if (!staged.ok) return staged
  const applied = await applyImport(deps, {
    libraryId: request.libraryId,
    batchId: preview.batchId,
    kind: preview.kind,
    actor: request.actor,
    onProgress: request.onProgress,
  })
  if (!applied.ok) {
    await dropBatch(deps.db, preview.batchId)
    return applied
  }
  return ok({ dryRun: false, preview, applied: applied.value })
}
