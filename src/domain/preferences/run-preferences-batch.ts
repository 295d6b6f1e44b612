import { findBatch } from '../batches/queries.ts'
import type { AppDeps } from '../deps.ts'
import { err, type Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import { confirmPreferencesBatch } from './confirm-preferences-batch.ts'
import type { PreferencesBatchError } from './errors.ts'
import { normalizedRequest, type PreferencesBatchAsked, type PreferencesBatchOutcome } from './preferences-batch.ts'
import { type PreferencesBatchPreview, previewPreferencesBatch } from './preview-preferences-batch.ts'

/**
 * The contact preferences batch in one call (the API): a dry run previews and stages it; an apply
 * confirms the staged preview it names (`batchId`), which must have been asked with the same
 * request, or, naming none, previews and confirms at once.
 */
export async function runPreferencesBatch(
  deps: Pick<AppDeps, 'db' | 'clock'>,
  input: { libraryId: number; actor: Actor; request: PreferencesBatchAsked; dryRun: boolean; batchId?: number | undefined },
): Promise<Result<PreferencesBatchPreview | (PreferencesBatchOutcome & { batchId: number }), PreferencesBatchError>> {
  const refused = checkPermission(input.actor, 'runPreferencesBatch')
  if (refused) return err(refused)
  const request = normalizedRequest(input.request)
  if (input.dryRun) return previewPreferencesBatch(deps, { ...input, request })
  let batchId = input.batchId
  if (batchId === undefined) {
    const preview = await previewPreferencesBatch(deps, { ...input, request })
    if (!preview.ok) return preview
    batchId = preview.value.batchId
  } else {
    const batch = await findBatch(deps.db, { libraryId: input.libraryId, batchId })
    if (batch === undefined || batch.kind !== 'preferences') return err({ code: 'batch_not_found', batchId })
    if (JSON.stringify(normalizedRequest(batch.request)) !== JSON.stringify(request)) return err({ code: 'batch_request_differs', batchId })
  }
  const confirmed = await confirmPreferencesBatch(deps, { libraryId: input.libraryId, actor: input.actor, batchId })
  return confirmed.ok ? { ok: true, value: { ...confirmed.value, batchId } } : confirmed
}
