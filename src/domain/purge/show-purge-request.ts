import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { PurgeError } from './errors.ts'
import type { PurgeRequest } from './purge-view.ts'
import { findPurgeBatch, toPurgeRequest } from './queries.ts'

/** A purge request as it stands. */
export async function showPurgeRequest(
  deps: Pick<AppDeps, 'db' | 'clock'>,
  input: { libraryId: number; actor: Actor; requestId: number },
): Promise<Result<PurgeRequest, PurgeError>> {
  const refused = checkPermission(input.actor, 'purgePatrons')
  if (refused) return err(refused)
  const batch = await findPurgeBatch(deps.db, input)
  if (!batch) return err({ code: 'request_not_found', requestId: input.requestId })
  return ok(toPurgeRequest(batch))
}
