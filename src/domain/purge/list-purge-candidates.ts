import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { PurgeError } from './errors.ts'
import type { PurgeCandidatePage, PurgeFilter, PurgePageSize } from './purge-view.ts'
import { candidatesPage, findGroupId, findLevelId } from './queries.ts'

/**
 * The deactivated patrons of the library, page by page, by name, with their open loans and
 * contacts (seed 004). A page past the last shows the last.
 */
export async function listPurgeCandidates(
  deps: Pick<AppDeps, 'db' | 'clock'>,
  input: { libraryId: number; actor: Actor; page: number; pageSize: PurgePageSize; filter: PurgeFilter },
): Promise<Result<PurgeCandidatePage, PurgeError>> {
  const refused = checkPermission(input.actor, 'purgePatrons')
  if (refused) return err(refused)
  const { academicLevel, group } = input.filter
  const levelId = academicLevel ? await findLevelId(deps.db, input.libraryId, academicLevel) : null
  if (levelId === undefined) return err({ code: 'unknown_in_filter', field: 'academicLevel', value: academicLevel! })
  const groupId = group ? await findGroupId(deps.db, input.libraryId, group) : null
  if (groupId === undefined) return err({ code: 'unknown_in_filter', field: 'group', value: group! })
  const args = { libraryId: input.libraryId, levelId, groupId, limit: input.pageSize }
  const wanted = Math.max(1, Math.floor(input.page))
  let found = await candidatesPage(deps.db, { ...args, offset: (wanted - 1) * input.pageSize })
  const pages = Math.max(1, Math.ceil(found.total / input.pageSize))
  const page = Math.min(wanted, pages)
  if (page !== wanted) found = await candidatesPage(deps.db, { ...args, offset: (page - 1) * input.pageSize })
  return ok({ candidates: found.candidates, page, pageSize: input.pageSize, total: found.total, pages })
}
