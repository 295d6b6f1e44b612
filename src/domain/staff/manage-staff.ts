import type { AppDeps } from '../deps.ts'
import { recordAudit } from '../audit/record-audit.ts'
import { err, ok, type Result } from '../result.ts'
import type { StaffError, StaffMember } from './errors.ts'
import { checkRole, staffRoles, type Actor, type StaffRole } from './roles.ts'

type Deps = Pick<AppDeps, 'db' | 'clock' | 'adminUserIds'>

/** Staff of a library, configured admins first. Anyone on staff may look. */
export async function listStaff(
  deps: Pick<AppDeps, 'db' | 'adminUserIds'>,
  input: { libraryId: number; actor: Actor },
): Promise<Result<StaffMember[], StaffError>> {
  const refused = checkRole(input.actor, 'viewer')
  if (refused) return err(refused)
  const rows = await deps.db
    .selectFrom('staff')
    .where('library_id', '=', input.libraryId)
    .select(['slack_user_id as slackUserId', 'role', 'added_by as addedBy', 'updated_at as updatedAt'])
    .orderBy('role')
    .orderBy('slack_user_id')
    .execute()
  const configured: StaffMember[] = deps.adminUserIds
    .filter((id) => !rows.some((r) => r.slackUserId === id))
    .map((id) => ({ slackUserId: id, role: 'admin', addedBy: 'configuration', updatedAt: new Date(0), fromConfiguration: true }))
  return ok([
    ...configured,
    ...rows.map((r) => ({ ...r, updatedAt: new Date(r.updatedAt), fromConfiguration: deps.adminUserIds.includes(r.slackUserId) })),
  ])
}

/** Gives a Slack user a role in the library, or changes it. Admins only; audited. */
export async function setStaffRole(
  deps: Deps,
  input: { libraryId: number; slackUserId: string; role: string; actor: Actor },
): Promise<Result<StaffMember, StaffError>> {
  const refused = checkRole(input.actor, 'admin')
  if (refused) return err(refused)
  if (!(staffRoles as readonly string[]).includes(input.role)) return err({ code: 'invalid_role', role: input.role })
  // A role given here would be written and audited, and change nothing: the configuration wins.
  if (deps.adminUserIds.includes(input.slackUserId)) return err({ code: 'configured_admin', slackUserId: input.slackUserId })
  const role = input.role as StaffRole
  return deps.db.transaction().execute(async (tx) => {
    const library = await tx.selectFrom('libraries').where('id', '=', input.libraryId).select('id').executeTakeFirst()
    if (!library) return err({ code: 'library_not_found', libraryId: input.libraryId } as const)
    const before = await tx
      .selectFrom('staff')
      .where('library_id', '=', input.libraryId)
      .where('slack_user_id', '=', input.slackUserId)
      .select(['role'])
      .forUpdate()
      .executeTakeFirst()
    if (before?.role === 'admin' && role !== 'admin' && (await isLastAdmin(tx, input.libraryId, input.slackUserId, deps.adminUserIds))) {
      return err({ code: 'last_admin', slackUserId: input.slackUserId } as const)
    }
    const now = deps.clock.now()
    const row = await tx
      .insertInto('staff')
      .values({ library_id: input.libraryId, slack_user_id: input.slackUserId, role, added_by: input.actor.label, created_at: now, updated_at: now })
      .onConflict((oc) => oc.columns(['library_id', 'slack_user_id']).doUpdateSet({ role, updated_at: now }))
      .returning(['slack_user_id as slackUserId', 'role', 'added_by as addedBy', 'updated_at as updatedAt'])
      .executeTakeFirstOrThrow()
    await recordAudit(tx, {
      libraryId: input.libraryId,
      actor: input.actor.label,
      action: before ? 'staff.role_changed' : 'staff.added',
      subjectType: 'staff',
      subjectId: input.slackUserId,
      before: before ?? null,
      after: { role },
    })
    return ok({ ...row, updatedAt: new Date(row.updatedAt), fromConfiguration: deps.adminUserIds.includes(row.slackUserId) })
  })
}

/** Takes a Slack user off the library's staff. Admins only; the last admin stays. Audited. */
export async function removeStaff(
  deps: Deps,
  input: { libraryId: number; slackUserId: string; actor: Actor },
): Promise<Result<{ slackUserId: string; role: StaffRole }, StaffError>> {
  const refused = checkRole(input.actor, 'admin')
  if (refused) return err(refused)
  if (deps.adminUserIds.includes(input.slackUserId)) return err({ code: 'configured_admin', slackUserId: input.slackUserId })
  return deps.db.transaction().execute(async (tx) => {
    const before = await tx
      .selectFrom('staff')
      .where('library_id', '=', input.libraryId)
      .where('slack_user_id', '=', input.slackUserId)
      .select(['role'])
      .forUpdate()
      .executeTakeFirst()
    if (!before) return err({ code: 'staff_not_found', slackUserId: input.slackUserId } as const)
    if (before.role === 'admin' && (await isLastAdmin(tx, input.libraryId, input.slackUserId, deps.adminUserIds))) {
      return err({ code: 'last_admin', slackUserId: input.slackUserId } as const)
    }
    await tx.deleteFrom('staff').where('library_id', '=', input.libraryId).where('slack_user_id', '=', input.slackUserId).execute()
    await recordAudit(tx, {
      libraryId: input.libraryId,
      actor: input.actor.label,
      action: 'staff.removed',
      subjectType: 'staff',
      subjectId: input.slackUserId,
      before,
    })
    return ok({ slackUserId: input.slackUserId, role: before.role as StaffRole })
  })
}

// A library is never left without an admin who can manage staff (configured admins count).
async function isLastAdmin(db: AppDeps['db'], libraryId: number, slackUserId: string, adminUserIds: readonly string[]) {
  if (adminUserIds.some((id) => id !== slackUserId)) return false
  const others = await db
    .selectFrom('staff')
    .where('library_id', '=', libraryId)
    .where('role', '=', 'admin')
    .where('slack_user_id', '!=', slackUserId)
    .select('slack_user_id')
    .executeTakeFirst()
  return others === undefined
}
