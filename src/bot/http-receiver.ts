import { type App, type Receiver, type ReceiverEvent, ReceiverMultipleAckError } from '@slack/bolt'
import type { Context } from 'hono'
import type { Logger } from 'pino'
import { z } from 'zod'
import type { Clock } from '../domain/deps.ts'
import { payloadTooLargeResponse, readBodyUpTo } from '../http/read-limited-body.ts'
import { isSignedBySlack } from './verify-signature.ts'

/** A Bolt receiver served by our own Hono server on `POST /slack/events`. */
type HttpReceiver = Receiver & { handle(c: Context): Promise<Response> }

/** Slack gives up on a request after 3 seconds; by then every listener must have acknowledged. */
const ackTimeoutMs = 3_000
// Slack's payloads are a few kilobytes; the body must be read before its signature can be checked.
const maxBodyBytes = 1_000_000

const slackBody = z.record(z.string(), z.unknown())

/**
 * Commands and interactivity arrive as forms (interactivity as one `payload` field of JSON),
 * events as JSON. Returns undefined for a body that is neither.
 */
function parseSlackBody(rawBody: string, contentType: string | undefined): Record<string, unknown> | undefined {
  try {
    if (contentType?.includes('application/json')) return slackBody.parse(JSON.parse(rawBody))
    const form = new URLSearchParams(rawBody)
    const payload = form.get('payload')
    return payload === null ? Object.fromEntries(form) : slackBody.parse(JSON.parse(payload))
  } catch {
    return undefined
  }
}

/** Verifies each request's signature on the raw body, then hands it to Bolt and answers with its `ack`. */
export function createHttpReceiver(options: { signingSecret: string; clock: Clock; logger: Logger }): HttpReceiver {
  let bolt: App | undefined
  return {
    init(app) {
      bolt = app
    },
    start: async () => {},
    stop: async () => {},
    async handle(c) {
      // Counted as it arrives, before the signature is checked: an unsigned chunked body is read no further than this.
      const bytes = await readBodyUpTo(c.req.raw, maxBodyBytes)
      if (bytes === undefined) return payloadTooLargeResponse(JSON.stringify({ error: 'body too large' }), 'application/json')
      const rawBody = new TextDecoder().decode(bytes)
      const signed = isSignedBySlack({
        signingSecret: options.signingSecret,
        rawBody,
        timestamp: c.req.header('x-slack-request-timestamp'),
        signature: c.req.header('x-slack-signature'),
        now: options.clock.now(),
      })
      if (!signed) {
        options.logger.warn('refused a Slack request: bad or stale signature')
        return c.json({ error: 'invalid or stale Slack signature' }, 401)
      }
      const body = parseSlackBody(rawBody, c.req.header('content-type'))
      if (body === undefined) return c.json({ error: 'unreadable body' }, 400)
      if (body.ssl_check !== undefined) return c.body(null, 200)
      if (body.type === 'url_verification') return c.json({ challenge: body.challenge })
      if (bolt === undefined) return c.json({ error: 'Slack is starting' }, 503)
      return dispatch(bolt, options.logger, {
        body,
        retryNum: numberOrUndefined(c.req.header('x-slack-retry-num')),
        retryReason: c.req.header('x-slack-retry-reason'),
      })
    },
  }
}

/**
 * Hands the request to Bolt; the HTTP answer is whatever the listener passes to `ack`, sent as
 * soon as it acks (work after the ack goes on in the background, as Slack expects).
 */
function dispatch(app: App, logger: Logger, event: Omit<ReceiverEvent, 'ack'>): Promise<Response> {
  return new Promise((resolve) => {
    let isAnswered = false
    const answer = (response: Response) => {
      if (isAnswered) return false
      isAnswered = true
      clearTimeout(timer)
      resolve(response)
      return true
    }
    const timer = setTimeout(() => {
      if (answer(new Response(null, { status: 404 }))) logger.warn('a Slack request was not acknowledged within 3 seconds')
    }, ackTimeoutMs)

    const isAnsweredEarly = typeof event.body.command === 'string'
    let isAcknowledged = false
    const ack: ReceiverEvent['ack'] = async (reply?: unknown) => {
      if (isAcknowledged) throw new ReceiverMultipleAckError()
      isAcknowledged = true
      if (!answer(toResponse(reply)) && !isAnsweredEarly) logger.warn('a Slack request was acknowledged after Slack stopped waiting')
    }

    // A slash command is answered at once, before any listener's database work: Slack waits 3 s
    // at most, and every reply to a command goes through its response_url anyway.
    if (isAnsweredEarly) answer(new Response(null, { status: 200 }))

    app.processEvent({ ...event, ack }).then(
      () => {
        const kind = event.body.command ?? event.body.type
        if (answer(new Response(null, { status: 404 }))) logger.warn({ kind }, 'no listener handled a Slack request')
      },
      (error: unknown) => {
        // Bolt's error handler has logged it already.
        if (!answer(new Response(null, { status: 500 }))) logger.debug({ err: error }, 'a Slack listener failed after acknowledging')
      },
    )
  })
}

function toResponse(reply: unknown): Response {
  if (reply === undefined || reply === '') return new Response(null, { status: 200 })
  if (typeof reply === 'string') return new Response(reply, { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' } })
  return Response.json(reply)
}

function numberOrUndefined(value: string | undefined): number | undefined {
  const parsed = Number(value)
  return value !== undefined && Number.isInteger(parsed) ? parsed : undefined
}
