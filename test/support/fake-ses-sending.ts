import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { SendEmailCommandInput } from '@aws-sdk/client-sesv2'

/** A request SES received: SendEmail's body as sent, when (performance.now()), and the id SES gave it. */
export type ReceivedSend = { input: SendEmailCommandInput; atMs: number; messageId: string | null; signed: boolean }

/** The raw MIME a SendEmail request carried (Content.Raw.Data, base64 in the request's JSON). */
export function rawMimeOf(send: ReceivedSend): Buffer {
  return Buffer.from(String(send.input.Content?.Raw?.Data ?? ''), 'base64')
}

/** An answer to inject: an SES error (its type, HTTP status, message), or the connection dropped. */
export type SesAnswer = { error: string; status: number; message?: string } | 'drop' | 'ok'

/**
 * A small SES v2 over real HTTP, for what aws-ses-v2-local cannot show: it keeps each SendEmail
 * request whole (tags, configuration set, headers) with when it arrived, and answers from a script
 * of injected errors (throttling then success, a rejection) before answering as SES does.
 * GetAccount answers `maxSendRate`. Point the SDK at it with AWS_ENDPOINT_URL_SESV2.
 */
export async function startFakeSes(options: { maxSendRate?: number; latencyMs?: number } = {}) {
  const received: ReceivedSend[] = []
  const script: SesAnswer[] = []
  let answerFor: ((input: SendEmailCommandInput) => SesAnswer) | undefined
  let accountCalls = 0

  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    // When the request came in, before its body is read: as close to SES's own count as can be.
    const atMs = performance.now()
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const signed = (request.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256')
    if (request.method === 'GET' && request.url === '/v2/email/account') {
      accountCalls += 1
      return json(response, 200, {
        ProductionAccessEnabled: true,
        SendingEnabled: true,
        SendQuota: { Max24HourSend: 50_000, MaxSendRate: options.maxSendRate ?? 14, SentLast24Hours: 0 },
      })
    }
    if (request.method !== 'POST' || request.url !== '/v2/email/outbound-emails') return json(response, 404, { message: 'unknown operation' })
    const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as SendEmailCommandInput
    const answer = script.shift() ?? answerFor?.(input) ?? 'ok'
    if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs))
    if (answer === 'drop') {
      received.push({ input, atMs, messageId: null, signed })
      request.socket.destroy()
      return
    }
    if (answer !== 'ok') {
      received.push({ input, atMs, messageId: null, signed })
      response.setHeader('x-amzn-ErrorType', answer.error)
      return json(response, answer.status, { message: answer.message ?? answer.error })
    }
    const messageId = `0100019a-${randomUUID()}-000000`
    received.push({ input, atMs, messageId, signed })
    json(response, 200, { MessageId: messageId })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    url,
    received,
    /** The emails SES accepted. */
    accepted: () => received.filter((send) => send.messageId !== null),
    /** The next answers, in order, before SES answers as it would. */
    answerNext(...answers: SesAnswer[]) {
      script.push(...answers)
    },
    /** Answers each send by what it holds (a rejected address), once the script is used up. */
    answerBy(rule: (input: SendEmailCommandInput) => SesAnswer) {
      answerFor = rule
    },
    accountCalls: () => accountCalls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export type FakeSes = Awaited<ReturnType<typeof startFakeSes>>

/** The largest number of `times` (milliseconds) in any one-second window, [t, t + 1000). */
export function mostInAnySecond(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b)
  let most = 0
  let start = 0
  for (let end = 0; end < sorted.length; end += 1) {
    while (sorted[end] - sorted[start] >= 1000) start += 1
    most = Math.max(most, end - start + 1)
  }
  return most
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' })
  response.end(JSON.stringify(body))
}
