import type { AppDeps } from '../../domain/deps.ts'
import { listMessages } from '../../domain/notices/list-messages.ts'
import { notice, type SlackMessage } from '../views.ts'
import { type BotApp, type BotContext, identifyStaff } from '../workspace.ts'
import { type EmailLogRef, emailLogErrorText, emailLogHelp, emailLogMessage, emailLogPageSize } from './views.ts'

/** `/emaillog <patron or address>`: the latest messages about a patron, or to an address, a page at a time. */
export function registerEmailLogCommand(app: BotApp, deps: AppDeps): void {
  app.command('/emaillog', identifyStaff(deps), async ({ command, ack, respond, context }) => {
    await ack()
    const query = command.text.trim()
    const answer = query === '' ? emailLogHelp() : await emailLogPage(deps, context, { query, cursors: [] })
    await respond({ response_type: 'ephemeral', ...answer })
  })
}

/** The page of the log `ref` names: the first, or the one after its last cursor. */
export async function emailLogPage(deps: Pick<AppDeps, 'db'>, context: BotContext, ref: EmailLogRef): Promise<SlackMessage> {
  // An address has an @; a username never does.
  const who = ref.query.includes('@') ? { address: ref.query } : { username: ref.query }
  const cursor = ref.cursors.at(-1)
  const page = await listMessages(deps, {
    libraryId: context.library.id,
    actor: context.actor,
    filters: { ...who, limit: emailLogPageSize, ...(cursor !== undefined && { cursor }) },
  })
  return page.ok ? emailLogMessage(page.value, ref) : notice(emailLogErrorText(page.error, context.library.name))
}
