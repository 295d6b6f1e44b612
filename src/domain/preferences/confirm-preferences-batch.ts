import { recordAudit } from '../audit/record-audit.ts'
import { applyBatch } from '../batches/apply-batch.ts'
import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import { type Actor, actorLabel, isSameActor } from '../staff/actors.ts'
import type { PreferencesBatchError } from './errors.ts'
import { type PreferencesBatchOutcome, planRequest } from './preferences-batch.ts'
import { applyPreferencesPlan } from './queries.ts'

/**
 * Applies a staged preview of the contact preferences batch, in one transaction under the
 * library's lock: the plan is made again and applied only if it changes exactly what the preview
 * counted; otherwise nothing changes and the batch is closed, with the count it would change now.
 * Audited with who asked, who confirmed, and the counts.
 */
export async function confirmPreferencesBatch(
  deps: Pick<AppDeps, 'db' | 'clock'>,
  input: { libraryId: number; actor: Actor; batchId: number },
): Promise<Result<PreferencesBatchOutcome, PreferencesBatchError>> {
  return applyBatch(
    deps,
    { libraryId: input.libraryId, batchId: input.batchId, kind: 'preferences', actor: input.actor },
    async (tx, batch): Promise<Result<{ value: PreferencesBatchOutcome; summary: unknown }, PreferencesBatchError>> => {
      const planned = await planRequest(tx, { libraryId: input.libraryId, request: batch.request })
      // A name in the filter gone since the preview: the contacts changed meanwhile.
      if (!planned.ok) return err({ code: 'preview_out_of_date', contactsToChange: null })
      const { planChecksum, ...counts } = planned.value
      if (planChecksum !== batch.checksum) return err({ code: 'preview_out_of_date', contactsToChange: counts.contactsToChange })
      const preferencesUpdated = await applyPreferencesPlan(tx, { overwriteRecipientChoices: batch.request.overwriteRecipientChoices })
      const outcome = { ...counts, preferencesUpdated }
      await recordAudit(tx, {
        libraryId: input.libraryId,
        actor: actorLabel(batch.requestedBy),
        approver: isSameActor(batch.requestedBy, input.actor.ref) ? null : actorLabel(input.actor.ref),
        action: 'preferences.batch_applied',
        subjectType: 'batch',
        subjectId: batch.id,
        details: { ...batch.request, ...outcome },
      })
      return ok({ value: outcome, summary: outcome })
    },
    () => undefined,
  )
}
