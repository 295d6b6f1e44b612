import type { AppDeps } from '../deps.ts'
import type { PurgeOutcome, PurgeProgress, PurgeRequest } from './purge-view.ts'

/** Requests nobody approved within a week: expired, nothing changed; returned to update their Slack messages. */
export async function expirePurgeRequests(_deps: Pick<AppDeps, 'db' | 'clock'>, _input: { now: Date }): Promise<PurgeRequest[]> {
  throw new Error('issue 14: expirePurgeRequests is not written yet')
}

/** Approved purges left unfinished (a process died mid-way): each resumed at its first page not done. */
export async function resumePurges(
  _deps: Pick<AppDeps, 'db' | 'clock'>,
  _input: { onProgress?: ((requestId: number, progress: PurgeProgress) => void) | undefined },
): Promise<PurgeOutcome[]> {
  throw new Error('issue 14: resumePurges is not written yet')
}
