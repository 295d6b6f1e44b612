import type { Db } from '../../db/database.ts'
import type { StaffRole } from './roles.ts'

/** A member's stored role in the library, locked for the caller's transaction. */
export async function findStaffRoleForUpdate(db: Db, input: { libraryId: number; slackUserId: string }): Promise<{ role: StaffRole } | undefined> {
  const row = await db
    .selectFrom('staff')
    .where('library_id', '=', input.libraryId)
    .where('slack_user_id', '=', input.slackUserId)
    .select(['role'])
    .forUpdate()
    .executeTakeFirst()
  return row as { role: StaffRole } | undefined
}

/** The library's staff as stored, by role then member id. */
export async function listStoredStaff(db: Db, libraryId: number) {
  return db
    .selectFrom('staff')
    .where('library_id', '=', libraryId)
    .select(['slack_user_id as slackUserId', 'role', 'added_by as addedBy', 'updated_at as updatedAt'])
    .orderBy('role')
    .orderBy('slack_user_id')
    .execute()
}

/**
 * Whether `slackUserId` is the library's last admin: a library is never left without one who can
 * manage staff (admins from SLACK_ADMIN_USER_IDS count).
 */
export async function isLastAdmin(db: Db, input: { libraryId: number; slackUserId: string; adminUserIds: readonly string[] }): Promise<boolean> {
  if (input.adminUserIds.some((id) => id !== input.slackUserId)) return false
  const others = await db
    .selectFrom('staff')
    .where('library_id', '=', input.libraryId)
    .where('role', '=', 'admin')
    .where('slack_user_id', '!=', input.slackUserId)
    .select('slack_user_id')
    .executeTakeFirst()
  return others === undefined
}
