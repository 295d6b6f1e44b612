import type { AppDeps } from '../deps.ts'
import type { Actor, StaffRole } from './roles.ts'

/**
 * The role a Slack user holds in a library. Users named in SLACK_ADMIN_USER_IDS are admins of
 * every library: that is how the first admins get in.
 */
export async function resolveSlackActor(
  deps: Pick<AppDeps, 'db' | 'adminUserIds'>,
  input: { libraryId: number; slackUserId: string },
): Promise<Actor> {
  const label = `slack:${input.slackUserId}`
  if (deps.adminUserIds.includes(input.slackUserId)) return { label, role: 'admin' }
  const row = await deps.db
    .selectFrom('staff')
    .where('library_id', '=', input.libraryId)
    .where('slack_user_id', '=', input.slackUserId)
    .select('role')
    .executeTakeFirst()
  return { label, role: (row?.role as StaffRole | undefined) ?? null }
}
