import { recordAudit } from '../audit/record-audit.ts'
import { dropStagedRows } from '../batches/queries.ts'
import type { AppDeps } from '../deps.ts'
import type { PurgeOutcome, PurgeProgress, PurgeRequest } from './purge-view.ts'
import { findPurgeBatch, toPurgeRequest } from './queries.ts'
import { findUnfinishedPurges, runPurge } from './run-purge.ts'

/** Requests nobody approved within a week: expired, nothing changed; returned to update their Slack messages. */
export async function expirePurgeRequests(deps: Pick<AppDeps, 'db' | 'clock'>, input: { now: Date }): Promise<PurgeRequest[]> {
  const expired = await deps.db.transaction().execute(async (tx) => {
    const rows = await tx
      .updateTable('batches')
      .set({ status: 'expired', finished_at: input.now })
      .where('kind', '=', 'purge')
      .where('status', '=', 'staged')
      .where('expires_at', '<=', input.now)
      .returning(['id', 'library_id', 'requested_by'])
      .execute()
    await dropStagedRows(
      tx,
      rows.map((row) => row.id),
    )
    for (const row of rows) {
      await recordAudit(tx, { libraryId: row.library_id, actor: row.requested_by, action: 'purge.expired', subjectType: 'purge', subjectId: row.id })
    }
    return rows
  })
  const requests: PurgeRequest[] = []
  for (const row of expired) {
    const batch = await findPurgeBatch(deps.db, { libraryId: row.library_id, requestId: row.id })
    if (batch) requests.push(toPurgeRequest(batch))
  }
  return requests
}

/** A purge the sweep carried on: its request as it stood (who asked, who approved, where it was posted), and what it did. */
export type ResumedPurge = PurgeOutcome & { request: PurgeRequest }

/**
 * Approved purges left unfinished (a process died mid-way, no page done for a minute): each
 * resumed at its first page not done.
 */
export async function resumePurges(
  deps: Pick<AppDeps, 'db' | 'clock'>,
  input: { onProgress?: ((request: PurgeRequest, progress: PurgeProgress) => void) | undefined },
): Promise<ResumedPurge[]> {
  const resumed: ResumedPurge[] = []
  for (const batch of await findUnfinishedPurges(deps.db, { now: deps.clock.now() })) {
    const request = toPurgeRequest(batch)
    const outcome = await runPurge(deps, { batch, onProgress: (progress) => input.onProgress?.(request, progress) })
    resumed.push({ ...outcome, request })
  }
  return resumed
}
