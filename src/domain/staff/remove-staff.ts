import { recordAudit } from '../audit/record-audit.ts'
import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import { type Actor, actorLabel } from './actors.ts'
import type { StaffError } from './errors.ts'
import { checkPermission } from './permissions.ts'
import { findStaffRoleForUpdate, isLastAdmin } from './queries.ts'
import type { StaffRole } from './roles.ts'

/** Takes a Slack user off the library's staff. Admins only; the last admin stays. Audited. */
export async function removeStaff(
  deps: Pick<AppDeps, 'db' | 'adminUserIds'>,
  input: { libraryId: number; slackUserId: string; actor: Actor },
): Promise<Result<{ slackUserId: string; role: StaffRole }, StaffError>> {
  const refused = checkPermission(input.actor, 'manageStaff')
  if (refused) return err(refused)
  if (deps.adminUserIds.includes(input.slackUserId)) return err({ code: 'configured_admin', slackUserId: input.slackUserId })
  return deps.db.transaction().execute(async (tx) => {
    const before = await findStaffRoleForUpdate(tx, input)
    if (!before) return err({ code: 'staff_not_found', slackUserId: input.slackUserId } as const)
    if (before.role === 'admin' && (await isLastAdmin(tx, { ...input, adminUserIds: deps.adminUserIds }))) {
      return err({ code: 'last_admin', slackUserId: input.slackUserId } as const)
    }
    await tx.deleteFrom('staff').where('library_id', '=', input.libraryId).where('slack_user_id', '=', input.slackUserId).execute()
    await recordAudit(tx, {
      libraryId: input.libraryId,
      actor: actorLabel(input.actor.ref),
      action: 'staff.removed',
      subjectType: 'staff',
      subjectId: input.slackUserId,
      before,
    })
    return ok({ slackUserId: input.slackUserId, role: before.role })
  })
}
