import { recordAudit } from '../audit/record-audit.ts'
import type { AppDeps } from '../deps.ts'
import { findLibrary } from '../libraries/queries.ts'
import { err, ok, type Result } from '../result.ts'
import { type Actor, actorLabel, isSlackUserId } from './actors.ts'
import type { StaffError, StaffMember } from './errors.ts'
import { checkPermission, isStaffRole } from './permissions.ts'
import { findStaffRoleForUpdate, isLastAdmin } from './queries.ts'

/** Gives a Slack user a role in the library, or changes it. Admins only; audited. */
export async function setStaffRole(
  deps: Pick<AppDeps, 'db' | 'clock' | 'adminUserIds'>,
  input: { libraryId: number; slackUserId: string; role: string; actor: Actor },
): Promise<Result<StaffMember, StaffError>> {
  const refused = checkPermission(input.actor, 'manageStaff')
  if (refused) return err(refused)
  if (!isSlackUserId(input.slackUserId)) return err({ code: 'invalid_slack_user', slackUserId: input.slackUserId })
  const role = input.role
  if (!isStaffRole(role)) return err({ code: 'invalid_role', role })
  // A role given here would be written and audited, and change nothing: the configuration wins.
  if (deps.adminUserIds.includes(input.slackUserId)) return err({ code: 'configured_admin', slackUserId: input.slackUserId })
  return deps.db.transaction().execute(async (tx) => {
    if (!(await findLibrary(tx, input.libraryId))) return err({ code: 'library_not_found', libraryId: input.libraryId } as const)
    const before = await findStaffRoleForUpdate(tx, input)
    if (before?.role === 'admin' && role !== 'admin' && (await isLastAdmin(tx, { ...input, adminUserIds: deps.adminUserIds }))) {
      return err({ code: 'last_admin', slackUserId: input.slackUserId } as const)
    }
    const now = deps.clock.now()
    const row = await tx
      .insertInto('staff')
      .values({ library_id: input.libraryId, slack_user_id: input.slackUserId, role, added_by: actorLabel(input.actor.ref), created_at: now, updated_at: now })
      .onConflict((oc) => oc.columns(['library_id', 'slack_user_id']).doUpdateSet({ role, updated_at: now }))
      .returning(['slack_user_id as slackUserId', 'added_by as addedBy', 'updated_at as updatedAt'])
      .executeTakeFirstOrThrow()
    await recordAudit(tx, {
      libraryId: input.libraryId,
      actor: actorLabel(input.actor.ref),
      action: before ? 'staff.role_changed' : 'staff.added',
      subjectType: 'staff',
      subjectId: input.slackUserId,
      before: before ?? null,
      after: { role },
    })
    return ok({ ...row, role, updatedAt: new Date(row.updatedAt), fromConfiguration: false })
  })
}
