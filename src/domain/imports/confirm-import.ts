import { applyBatch } from '../batches/apply-batch.ts'
import type { ImportKind } from '../batches/batch.ts'
import { findBatch } from '../batches/queries.ts'
import { err, ok, type Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import { applyContactsBatch, type ContactsImportResult } from './contacts-import.ts'
import { type ImportError, refusalOf } from './errors.ts'
import { applyPatronsBatch, type PatronsImportResult, refuseDeactivations } from './patrons-import.ts'
import type { ImportProgress, StagingDeps } from './stage-file.ts'

export type ImportApplied = ({ kind: 'contacts' } & ContactsImportResult) | ({ kind: 'patrons' } & PatronsImportResult)

/**
 * Confirm under a dry run: applies the staged import in one transaction, checked again against
 * the library as it is now. Refused without the permission the import takes (a patrons file that
 * deactivates, by its lines), while another import runs, or once it is no longer waiting.
 */
export async function confirmImport(
  deps: StagingDeps,
  input: { libraryId: number; batchId: number; actor: Actor; onProgress?: (progress: ImportProgress) => void },
): Promise<Result<ImportApplied, ImportError>> {
  const batch = await findBatch(deps.db, input)
  if (!batch || batch.kind === 'preferences' || batch.kind === 'purge') return err({ code: 'batch_not_found', batchId: input.batchId })
  return applyImport(deps, { ...input, kind: batch.kind })
}

/** Applies a staged import of `kind` (confirm-import, import-file). */
export async function applyImport(
  deps: StagingDeps,
  input: { libraryId: number; batchId: number; kind: ImportKind; actor: Actor; onProgress?: (progress: ImportProgress) => void },
): Promise<Result<ImportApplied, ImportError>> {
  const { actor, onProgress } = input
  if (input.kind === 'patrons') {
    // The rows that deactivate are named before anything is claimed: a staff member is told which.
    const refused = await refuseDeactivations(deps.db, { libraryId: input.libraryId, id: input.batchId }, actor)
    if (refused) return err(refused)
    const applied = await applyBatch(deps, { ...input, kind: 'patrons' }, (tx, batch) => applyPatronsBatch(deps, tx, batch, { actor, onProgress }), refusalOf)
    if (!applied.ok) return applied
    onProgress?.({ phase: 'done', rowsRead: applied.value.summary.rows })
    return ok({ kind: 'patrons', ...applied.value })
  }
  const applied = await applyBatch(deps, { ...input, kind: 'contacts' }, (tx, batch) => applyContactsBatch(deps, tx, batch, { actor, onProgress }), refusalOf)
  if (!applied.ok) return applied
  onProgress?.({ phase: 'done', rowsRead: applied.value.summary.rows })
  return ok({ kind: 'contacts', ...applied.value })
}
