import type { AppDeps } from '../deps.ts'
import type { Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import type { PurgeError } from './errors.ts'
import type { PurgeOutcome, PurgeProgress } from './purge-view.ts'

/** Approves a purge (another admin than the asker) and runs it, one transaction per page; resumes an approved one. */
export async function approvePurge(
  _deps: Pick<AppDeps, 'db' | 'clock'>,
  _input: { libraryId: number; actor: Actor; requestId: number; onProgress?: ((progress: PurgeProgress) => void) | undefined },
): Promise<Result<PurgeOutcome, PurgeError>> {
  throw new Error('issue 14: approvePurge is not written yet')
}
