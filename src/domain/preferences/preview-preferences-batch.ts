import { recordStagedBatch } from '../batches/stage-batch.ts'
import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { PreferencesBatchError } from './errors.ts'
import { type PreferencesBatchCounts, type PreferencesBatchRequest, planRequest, previewWaitsMs } from './preferences-batch.ts'

export type PreferencesBatchPreview = PreferencesBatchCounts & {
  /** The staged batch: confirming it applies exactly what these counts say, or nothing. */
  batchId: number
  preferencesUpdated: 0
}

/**
 * The preview of the contact preferences batch (seed 003; docs/staff/preferences.md): counts what
 * the batch would change and stages it as a batch of its own, to confirm within a day
 * (confirm-preferences-batch.ts). Nothing of the contacts changes.
 */
export async function previewPreferencesBatch(
  deps: Pick<AppDeps, 'db' | 'clock'>,
  input: { libraryId: number; actor: Actor; request: PreferencesBatchRequest },
): Promise<Result<PreferencesBatchPreview, PreferencesBatchError>> {
  const refused = checkPermission(input.actor, 'runPreferencesBatch')
  if (refused) return err(refused)
  return deps.db.transaction().execute(async (tx) => {
    const planned = await planRequest(tx, { libraryId: input.libraryId, request: input.request })
    if (!planned.ok) return planned
    const { planChecksum, ...counts } = planned.value
    const batchId = await recordStagedBatch(tx, {
      libraryId: input.libraryId,
      kind: 'preferences',
      mode: input.request.mode,
      requestedBy: input.actor.ref,
      confirmPermission: 'runPreferencesBatch',
      request: input.request,
      summary: counts,
      checksum: planChecksum,
      rowCount: counts.contactsToChange,
      expiresAfterMs: previewWaitsMs,
      now: deps.clock.now(),
    })
    return ok({ ...counts, batchId, preferencesUpdated: 0 as const })
  })
}
