import type { AnyMiddlewareArgs, CodedError, Context, webApi } from '@slack/bolt'
import type { Logger } from 'pino'
import { type SlackMessage, somethingWentWrong } from './views.ts'

/**
 * What may be logged of a failure: its name, code and stack frames, but not its message,
 * since a Postgres or parser message can quote a row of the file, a name or a search.
 */
export function failureFacts(error: unknown): { name: string; code?: string; stack?: string } {
  if (!(error instanceof Error)) return { name: typeof error }
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined
  const frames = error.stack
    ?.split('\n')
    .filter((line) => line.trimStart().startsWith('at '))
    .join('\n')
  return { name: error.name, ...(code !== undefined && { code }), ...(frames && { stack: frames }) }
}

/** What Bolt's extended error handler is given (Bolt does not export the type). */
type FailedRequest = { error: CodedError; body: Body; context: Context }
type Body = AnyMiddlewareArgs['body']

// Passed on to the receiver (which answers Slack 500 when nothing was acknowledged yet); it says
// nothing of the original, which is logged once, here.
class ListenerFailed extends Error {
  override name = 'ListenerFailed'
}

/**
 * Bolt's error handler, for a listener that threw: an outage or a bug. A slash command is
 * answered before its listener runs, so without this the asker would get no reply at all. The
 * asker is told, privately, and the failure is logged without its message.
 */
export function answerListenerFailure(options: { client: webApi.WebClient; logger: Logger }) {
  return async ({ error, body, context }: FailedRequest): Promise<void> => {
    // Bolt wraps errors that have no `code` of their own.
    const original = 'original' in error && error.original instanceof Error ? error.original : error
    options.logger.error({ failure: failureFacts(original), request: requestKind(body) }, 'a Slack listener failed; the asker is told so')
    try {
      await tellAsker(options.client, body, context.botToken, somethingWentWrong())
    } catch (failure) {
      options.logger.warn({ failure: failureFacts(failure) }, 'could not tell the asker that their request failed')
    }
    throw new ListenerFailed('a Slack listener failed (logged above)')
  }
}

// Commands and button clicks carry a response_url; a form's submission does not, so the app's
// direct message with the person says it instead. Events have nobody to tell.
async function tellAsker(client: webApi.WebClient, body: Body, botToken: string | undefined, message: SlackMessage): Promise<void> {
  if ('response_url' in body && typeof body.response_url === 'string') {
    const response = await fetch(body.response_url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, ...message }),
    })
    if (!response.ok) throw new Error(`the response_url answered ${response.status}`)
    return
  }
  const userId = body.type === 'view_submission' && 'user' in body ? body.user.id : undefined
  if (userId !== undefined) await client.chat.postMessage({ token: botToken, channel: userId, ...message })
}

// Which command, button or form failed: Slack's names, never what was typed.
function requestKind(body: Body): string {
  if ('command' in body && typeof body.command === 'string') return body.command
  if (body.type === 'block_actions' && 'actions' in body)
    return `block_actions ${body.actions.map((action: { action_id?: string }) => action.action_id).join(',')}`
  if (body.type === 'view_submission' && 'view' in body) return `view_submission ${body.view.callback_id}`
  if ('event' in body && typeof body.event === 'object' && body.event !== null && 'type' in body.event) return `event ${String(body.event.type)}`
  return String(body.type ?? 'unknown')
}

/** The `error` of a Web API call Slack refused (`file_not_found`), when it is one. */
export function slackErrorCode(error: unknown): string | undefined {
  if (error instanceof Error && 'data' in error && typeof error.data === 'object' && error.data !== null && 'error' in error.data) {
    return typeof error.data.error === 'string' ? error.data.error : undefined
  }
  return undefined
}
