import type { AppDeps } from '../deps.ts'
import { findLibrary } from '../libraries/queries.ts'
import { err, ok, type Result } from '../result.ts'
import type { Actor } from './actors.ts'
import type { StaffError, StaffMember } from './errors.ts'
import { checkPermission } from './permissions.ts'
import { listStoredStaff } from './queries.ts'
import type { StaffRole } from './roles.ts'

/** Staff of a library, configured admins first. Anyone on staff may look. */
export async function listStaff(
  deps: Pick<AppDeps, 'db' | 'adminUserIds'>,
  input: { libraryId: number; actor: Actor },
): Promise<Result<StaffMember[], StaffError>> {
  const refused = checkPermission(input.actor, 'seeStaff')
  if (refused) return err(refused)
  // Configured admins are admins everywhere: a typo in the library must not read as its staff.
  if (!(await findLibrary(deps.db, input.libraryId))) return err({ code: 'library_not_found', libraryId: input.libraryId })
  const rows = await listStoredStaff(deps.db, input.libraryId)
  const configured: StaffMember[] = deps.adminUserIds
    .filter((id) => !rows.some((r) => r.slackUserId === id))
    .map((id) => ({ slackUserId: id, role: 'admin', addedBy: 'configuration', updatedAt: new Date(0), fromConfiguration: true }))
  return ok([
    ...configured,
    ...rows.map((r) => ({ ...r, role: r.role as StaffRole, updatedAt: new Date(r.updatedAt), fromConfiguration: deps.adminUserIds.includes(r.slackUserId) })),
  ])
}
