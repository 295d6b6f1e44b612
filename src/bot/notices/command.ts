import type { AppDeps } from '../../domain/deps.ts'
import { assertNever } from '../../domain/result.ts'
import type { SlackMessage } from '../views.ts'
import { type BotApp, type BotContext, identifyStaff } from '../workspace.ts'
import { currentOverview } from './overview.ts'
import { answerNoticesPreview } from './preview.ts'
import { noticesHelp } from './views.ts'

/** What `/notices …` asks for. */
type NoticesCommand = { kind: 'overview' } | { kind: 'help'; problem?: string } | { kind: 'preview'; asOf: string }

/** Reads the text after `/notices`. */
export function parseNoticesCommand(text: string): NoticesCommand {
  const [verb = '', ...rest] = text.trim().split(/\s+/).filter(Boolean)
  switch (verb.toLowerCase()) {
    case '':
      return { kind: 'overview' }
    case 'help':
      return { kind: 'help' }
    case 'preview':
      return { kind: 'preview', asOf: rest.join(' ') }
    default:
      return { kind: 'help', problem: `“${verb.slice(0, 40)}” is not something /notices does.` }
  }
}

/** `/notices`: every scenario and the library's settings; admins change them from there. */
export function registerNoticesCommand(app: BotApp, deps: AppDeps): void {
  app.command('/notices', identifyStaff(deps), async ({ command, ack, respond, context }) => {
    await ack()
    const message = await answerNoticesCommand(deps, context, command.text)
    await respond({ response_type: 'ephemeral', ...message })
  })
}

async function answerNoticesCommand(deps: AppDeps, context: BotContext, text: string): Promise<SlackMessage> {
  const request = parseNoticesCommand(text)
  switch (request.kind) {
    case 'overview':
      return currentOverview(deps, context)
    case 'help':
      return noticesHelp(request.problem)
    case 'preview':
      return answerNoticesPreview(deps, context, request.asOf)
    default:
      return assertNever(request)
  }
}
