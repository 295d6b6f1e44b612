import type { AppDeps } from '../deps.ts'
import { findLibrary } from '../libraries/queries.ts'
import { err, ok, type Result } from '../result.ts'
import type { ApiKeyError, ApiKeySummary } from './errors.ts'
import { selectApiKeys } from './queries.ts'

/** The deployment's keys, or one library's (which must exist: a typo must not read as "no keys"). */
export async function listApiKeys(deps: Pick<AppDeps, 'db'>, input: { libraryId?: number }): Promise<Result<ApiKeySummary[], ApiKeyError>> {
  if (input.libraryId !== undefined && !(await findLibrary(deps.db, input.libraryId))) return err({ code: 'library_not_found', libraryId: input.libraryId })
  return ok(await selectApiKeys(deps.db, input))
}
