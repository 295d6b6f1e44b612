import { listBlacklist } from '../../domain/bounces/list-blacklist.ts'
import type { AppDeps } from '../../domain/deps.ts'
import { can } from '../../domain/staff/permissions.ts'
import { notice, type SlackMessage } from '../views.ts'
import { type BotApp, type BotContext, identifyStaff } from '../workspace.ts'
import { bouncesMessage, listBlacklistErrorText } from './views.ts'

/** `/bounces [since YYYY-MM-DD]`: the blacklisted addresses of the library's contacts, with Fix and Remove. */
export function registerBouncesCommand(app: BotApp, deps: AppDeps): void {
  app.command('/bounces', identifyStaff(deps), async ({ command, ack, respond, context }) => {
    await ack()
    // "since 2026-03-01" or just the date.
    const since = command.text.trim().replace(/^since\s+/i, '')
    await respond({ response_type: 'ephemeral', ...(await bouncesList(deps, context, { since, notice: undefined })) })
  })
}

/** The list as `context.actor` may act on it: viewers see no buttons. */
export async function bouncesList(
  deps: Pick<AppDeps, 'db' | 'clock'>,
  context: BotContext,
  input: { since: string; notice: string | undefined },
): Promise<SlackMessage> {
  const page = await listBlacklist(deps, { libraryId: context.library.id, actor: context.actor, since: input.since })
  if (!page.ok) return notice([input.notice, listBlacklistErrorText(page.error, context.library.name)].filter(Boolean).join('\n'))
  return bouncesMessage(page.value, {
    canFix: can(context.actor, 'changeContacts'),
    canRemove: can(context.actor, 'reviewBlacklist'),
    ...(input.notice !== undefined && { notice: input.notice }),
    ...(input.since !== '' && { since: input.since }),
  })
}
