import type { AppDeps } from '../deps.ts'
import type { LibrarySummary } from '../libraries/errors.ts'
import { findLibraryBySlackTeam } from '../libraries/queries.ts'
import type { Actor } from './actors.ts'
import type { StaffRole } from './roles.ts'

/**
 * The library a Slack workspace belongs to, and the role a member holds in it, found afresh on
 * every command, click and submission: authority never comes from an earlier message. Members
 * named in SLACK_ADMIN_USER_IDS are admins of every library: that is how the first admins get in.
 * Undefined for a workspace no library is linked to.
 */
export async function identifySlackMember(
  deps: Pick<AppDeps, 'db' | 'adminUserIds'>,
  input: { slackTeamId: string; slackUserId: string },
): Promise<{ library: LibrarySummary; actor: Actor } | undefined> {
  const library = await findLibraryBySlackTeam(deps.db, input.slackTeamId)
  if (!library) return undefined
  const ref = { kind: 'slack', userId: input.slackUserId } as const
  if (deps.adminUserIds.includes(input.slackUserId)) return { library, actor: { ref, role: 'admin' } }
  const row = await deps.db
    .selectFrom('staff')
    .where('library_id', '=', library.id)
    .where('slack_user_id', '=', input.slackUserId)
    .select('role')
    .executeTakeFirst()
  return { library, actor: { ref, role: (row?.role as StaffRole | undefined) ?? null } }
}
