import type { Context } from 'hono'
import type { Logger } from 'pino'
import { isSnsMessageSeen, rememberSnsMessage } from '../domain/bounces/queries.ts'
import { readSesEvent } from '../domain/bounces/read-ses-event.ts'
import { recordSesEvent, recordSesEvents, type SesEventOutcome, type SnsSesEvent, type SoftBounceSettings } from '../domain/bounces/record-ses-event.ts'
import type { AppDeps } from '../domain/deps.ts'
import { assertNever } from '../domain/result.ts'
import { payloadTooLargeResponse, readBodyUpTo } from './read-limited-body.ts'
import { commitTogether } from './sns/commit-together.ts'
import { parseSnsMessage, type SnsMessage, type SnsRefusal, snsRegionOf } from './sns/sns-message.ts'
import { createSnsVerifier, type SnsFetch } from './sns/verify-sns-message.ts'

// An SNS message is at most 256 KB; SES's notifications are a few kilobytes (headers truncated at 10 KB).
export const maxSnsBodyBytes = 256 * 1024

export type SesWebhookOptions = {
  /** The database's dependencies, once it is open (undefined while the service starts: SNS retries a 503). */
  deps: () => Pick<AppDeps, 'db' | 'clock'> | undefined
  logger: Logger
  /** SNS_TOPIC_ARNS: any AWS account's topic is signed by AWS too, so only ours are taken. */
  topicArns: readonly string[]
  softBounces: SoftBounceSettings
  /** Certificates and subscription confirmations; tests serve local files. */
  fetchSns: SnsFetch
}

/**
 * `POST /webhooks/ses`: SNS messages carrying SES's bounces, complaints and deliveries. No
 * session: the SNS signature is the credential. Every refusal is logged with its reason (never an
 * address) so that setting SNS up is easy to debug.
 */
export function createSesWebhook(options: SesWebhookOptions): (c: Context) => Promise<Response> {
  const verify = createSnsVerifier(options.fetchSns)
  const topics = new Set(options.topicArns)
  const { logger } = options
  // Events are written in batches, each answered once its batch has committed (never before: SNS
  // drops what it was told was delivered).
  const record = commitTogether<SnsSesEvent, SesEventOutcome>({
    runBatch: (events) => recordSesEvents(options.deps()!, { events, softBounces: options.softBounces }),
    runOne: (event) => recordSesEvent(options.deps()!, { ...event, softBounces: options.softBounces }),
    maxBatch: 100,
    maxRunning: 2,
  })

  const refuse = (refusal: SnsRefusal, message?: SnsMessage) => {
    const { status, sentence } = describeRefusal(refusal, topics.size)
    const { code, ...facts } = refusal
    // A forged message's fields are the forger's text: each is cut short in the log.
    const shortFacts = Object.fromEntries(Object.entries(facts).map(([name, value]) => [name, String(value).slice(0, 200)]))
    logger.warn({ reason: code, ...shortFacts, snsMessageId: message?.MessageId.slice(0, 100), snsType: message?.Type }, `refused an SNS message: ${sentence}`)
    return problem(status, sentence)
  }

  return async (c) => {
    // Counted as it arrives, whatever the content type (SNS says text/plain), before anything parses it.
    const bytes = await readBodyUpTo(c.req.raw, maxSnsBodyBytes)
    if (bytes === undefined) {
      logger.warn({ reason: 'too_large', maxBytes: maxSnsBodyBytes }, 'refused an SNS message: its body is larger than an SNS message can be')
      return payloadTooLargeResponse(JSON.stringify({ type: 'about:blank', title: 'Payload Too Large', status: 413 }), 'application/problem+json')
    }
    const parsed = parseSnsMessage(new TextDecoder().decode(bytes))
    if (!parsed.ok) return refuse(parsed.error)
    const message = parsed.value
    if (!topics.has(message.TopicArn)) return refuse({ code: 'unknown_topic', topicArn: message.TopicArn }, message)
    const verified = await verify(message)
    if (!verified.ok) return refuse(verified.error, message)
    const deps = options.deps()
    if (!deps) return problem(503, 'the service is starting')

    switch (message.Type) {
      case 'SubscriptionConfirmation': {
        if (await isSnsMessageSeen(deps.db, message.MessageId)) return c.body(null, 200)
        if (snsRegionOf(message.SubscribeURL) === undefined) return refuse({ code: 'untrusted_subscribe_url', url: originOf(message.SubscribeURL) }, message)
        const confirmed = await options.fetchSns(message.SubscribeURL).then(
          async (response) => (response.ok ? undefined : `SNS answered HTTP ${response.status}`),
          (error: unknown) => (error instanceof Error ? error.message : String(error)),
        )
        // Not remembered: SNS sends the confirmation again, and the next one may get through.
        if (confirmed !== undefined) return refuse({ code: 'subscription_not_confirmed', problem: confirmed }, message)
        await rememberSnsMessage(deps.db, { messageId: message.MessageId, topicArn: message.TopicArn, type: message.Type, at: deps.clock.now() })
        logger.info({ topicArn: message.TopicArn }, 'confirmed the subscription to an SNS topic: SES events will arrive here')
        return c.body(null, 200)
      }
      case 'UnsubscribeConfirmation': {
        if (await rememberSnsMessage(deps.db, { messageId: message.MessageId, topicArn: message.TopicArn, type: message.Type, at: deps.clock.now() })) {
          logger.warn(
            { topicArn: message.TopicArn },
            'this endpoint was unsubscribed from an SNS topic: no more SES events will arrive from it until it is subscribed again',
          )
        }
        return c.body(null, 200)
      }
      case 'Notification': {
        const event = readSesEvent(message.Message)
        if (!event.ok) return refuse(event.error, message)
        const outcome = await record({ snsMessageId: message.MessageId, topicArn: message.TopicArn, event: event.value })
        if (outcome.redelivery) logger.info({ snsMessageId: message.MessageId }, 'ignored an SNS message already handled (a redelivery)')
        else logger.info({ snsMessageId: message.MessageId, topicArn: message.TopicArn, ...outcome }, 'learnt from an SES event')
        return c.body(null, 200)
      }
      default:
        return assertNever(message)
    }
  }
}

/** The status SNS gets, and the sentence the log and the answer say. Forged or malformed: 4xx; our side or AWS's unreachable: 5xx, so SNS tries again. */
function describeRefusal(refusal: SnsRefusal, topicCount: number): { status: 400 | 403 | 502; sentence: string } {
  switch (refusal.code) {
    case 'not_json':
      return { status: 400, sentence: 'the body is not JSON' }
    case 'not_an_sns_message':
      return { status: 400, sentence: `the body is not an SNS message (${refusal.field} is missing or wrong)` }
    case 'unsupported_signature_version':
      return { status: 400, sentence: `SignatureVersion ${refusal.version} is not 1 or 2` }
    case 'untrusted_certificate_url':
      return { status: 403, sentence: 'its SigningCertURL is not https://sns.<region>.amazonaws.com/….pem' }
    case 'certificate_unavailable':
      return { status: 502, sentence: `its signing certificate could not be fetched (${refusal.problem})` }
    case 'timestamp_outside_certificate':
      return { status: 403, sentence: "its Timestamp lies outside its signing certificate's validity" }
    case 'bad_signature':
      return { status: 403, sentence: 'its signature does not match: it was changed, or not signed by SNS' }
    case 'unknown_topic':
      return {
        status: 403,
        sentence: topicCount === 0 ? 'SNS_TOPIC_ARNS is not set: no topic is accepted' : 'its topic is not one of SNS_TOPIC_ARNS',
      }
    case 'untrusted_subscribe_url':
      return { status: 403, sentence: 'its SubscribeURL is not https://sns.<region>.amazonaws.com/…' }
    case 'subscription_not_confirmed':
      return { status: 502, sentence: `the subscription could not be confirmed (${refusal.problem})` }
    case 'not_an_ses_event':
      return { status: 400, sentence: `its Message is not an SES notification or event (${refusal.problem})` }
    default:
      return assertNever(refusal)
  }
}

function problem(status: number, detail: string): Response {
  const title = { 400: 'Bad Request', 403: 'Forbidden', 502: 'Bad Gateway', 503: 'Service Unavailable' }[status] ?? 'Error'
  return new Response(JSON.stringify({ type: 'about:blank', title, status, detail }), { status, headers: { 'content-type': 'application/problem+json' } })
}

// The subscription URL's token is left out of the log: it confirms the subscription.
function originOf(url: string): string {
  try {
    return new URL(url).origin
  } catch {
    return '(not a URL)'
  }
}
