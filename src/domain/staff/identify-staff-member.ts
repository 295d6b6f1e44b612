import type { AppDeps } from '../deps.ts'
import type { Actor } from './actors.ts'
import type { StaffRole } from './roles.ts'

/**
 * A Slack member of a library's staff as the tool acts for them (`--as U123`): the role the staff
 * table gives them, or admin when SLACK_ADMIN_USER_IDS names them; null for anyone else. The
 * actor is the member's, so who asked for something in Slack is the same person in the tool.
 */
export async function identifyStaffMember(deps: Pick<AppDeps, 'db' | 'adminUserIds'>, input: { libraryId: number; slackUserId: string }): Promise<Actor> {
  const ref = { kind: 'slack', userId: input.slackUserId } as const
  if (deps.adminUserIds.includes(input.slackUserId)) return { ref, role: 'admin' }
  const row = await deps.db
    .selectFrom('staff')
    .where('library_id', '=', input.libraryId)
    .where('slack_user_id', '=', input.slackUserId)
    .select('role')
    .executeTakeFirst()
  return { ref, role: (row?.role as StaffRole | undefined) ?? null }
}
