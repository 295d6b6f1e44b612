import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { PurgeError } from './errors.ts'
import type { PurgePageSize, PurgeRequestPatron } from './purge-view.ts'
import { findPurgeBatch, requestPatronsPage } from './queries.ts'

/** Exactly who a purge request removes, page by page (those already purged are gone from it). */
export async function listPurgeRequestPatrons(
  deps: Pick<AppDeps, 'db' | 'clock'>,
  input: { libraryId: number; actor: Actor; requestId: number; page: number; pageSize: PurgePageSize },
): Promise<Result<{ patrons: PurgeRequestPatron[]; total: number }, PurgeError>> {
  const refused = checkPermission(input.actor, 'purgePatrons')
  if (refused) return err(refused)
  const batch = await findPurgeBatch(deps.db, input)
  if (!batch) return err({ code: 'request_not_found', requestId: input.requestId })
  const page = Math.max(1, Math.floor(input.page))
  return ok(await requestPatronsPage(deps.db, { batchId: batch.id, offset: (page - 1) * input.pageSize, limit: input.pageSize }))
}
