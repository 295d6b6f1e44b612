import type {
  AllMiddlewareArgs,
  App,
  BlockAction,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt'
import type { AppDeps } from '../domain/deps.ts'
import type { LibrarySummary } from '../domain/libraries/errors.ts'
import type { Actor } from '../domain/staff/actors.ts'
import { identifySlackMember } from '../domain/staff/identify-slack-member.ts'
import { notice, noticeModal, type SlackMessage, unlinkedWorkspaceText } from './views.ts'

/** What every listener knows about the request: the workspace's library and who is asking. */
export type BotContext = { library: LibrarySummary; actor: Actor }
/** The Bolt app, whose listeners all run after `identifyStaff`. */
export type BotApp = App<BotContext>

/** The requests staff make: slash commands, button clicks, modal submissions. */
type StaffRequest = SlackCommandMiddlewareArgs | SlackActionMiddlewareArgs<BlockAction> | SlackViewMiddlewareArgs<ViewSubmitAction>

/**
 * Listener middleware: finds the library of the workspace and the asker's role, afresh on every
 * command, click and submission, so authority never comes from an earlier message or a view's
 * private_metadata. An unlinked workspace is told how to link it, and nothing else runs.
 */
export function identifyStaff(deps: Pick<AppDeps, 'db' | 'adminUserIds'>) {
  return async (args: StaffRequest & AllMiddlewareArgs<BotContext>): Promise<void> => {
    const { context } = args
    const teamId = context.teamId ?? userTeamOf(args.body)
    const member =
      teamId === undefined || context.userId === undefined ? undefined : await identifySlackMember(deps, { slackTeamId: teamId, slackUserId: context.userId })
    if (member === undefined) {
      await replyPrivately(args, notice(unlinkedWorkspaceText(teamId)))
      return
    }
    context.library = member.library
    context.actor = member.actor
    await args.next()
  }
}

// Org-wide installs on Enterprise Grid send `team: null`; the user still belongs to a workspace.
function userTeamOf(body: StaffRequest['body']): string | undefined {
  if ('user' in body && typeof body.user === 'object' && body.user !== null && 'team_id' in body.user) {
    return typeof body.user.team_id === 'string' ? body.user.team_id : undefined
  }
  return undefined
}

/** Acknowledges the request and shows `message` to the asker alone, in the way its kind allows. */
async function replyPrivately(args: StaffRequest, message: SlackMessage): Promise<void> {
  if ('command' in args) {
    await args.ack()
    await args.respond({ response_type: 'ephemeral', ...message })
  } else if ('action' in args) {
    await args.ack()
    await args.respond({ response_type: 'ephemeral', replace_original: false, ...message })
  } else {
    await args.ack({ response_action: 'update', view: noticeModal('library-comms', message.text) })
  }
}
