import { GetAccountCommand, SESv2Client, SendEmailCommand, type SendEmailCommandInput } from '@aws-sdk/client-sesv2'
import { type Clock, systemClock } from '../domain/deps.ts'
import { composeMime } from './mime.ts'
import type { EmailTransport, OutgoingEmail, SendOutcome } from './transport.ts'

/** SES could not be set up at start (the account's rate unreadable): one sentence an admin acts on. */
export class SesStartError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'SesStartError'
  }
}

/**
 * An SES v2 client from the SDK's own chain: region (AWS_REGION, the profile), credentials (the
 * environment, the profile, the instance or task role) and endpoint (AWS_ENDPOINT_URL_SESV2, or
 * AWS_ENDPOINT_URL). The SDK does not retry by itself: the dispatcher decides, with its backoff,
 * and a send is never repeated behind its back (SES has no idempotency key).
 */
export function createSesClient(): SESv2Client {
  return new SESv2Client({ maxAttempts: 1, requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 } })
}

/**
 * The account's sending rate (GetAccount's MaxSendRate, emails per second), and whether it may
 * send at all outside the sandbox, for the start-up log.
 */
export async function readAccountSendRate(client: SESv2Client): Promise<{ maxSendRate: number; productionAccess: boolean; sendingEnabled: boolean }> {
  const account = await client.send(new GetAccountCommand({}))
  const maxSendRate = account.SendQuota?.MaxSendRate
  if (maxSendRate === undefined || !(maxSendRate > 0)) throw new Error('SES GetAccount answered without a sending rate (SendQuota.MaxSendRate)')
  return { maxSendRate, productionAccess: account.ProductionAccessEnabled === true, sendingEnabled: account.SendingEnabled !== false }
}

/**
 * The `ses` transport: each recipient's copy through SES v2 SendEmail as raw MIME (composed as
 * the file transport writes it, List-Unsubscribe among its headers, no Bcc header), delivered to
 * that recipient alone (`Destination.ToAddresses`, the envelope), with the configuration set (its
 * event destinations tell us of bounces, complaints and deliveries) and tags naming the library,
 * the scenario, our message id and the recipient (SES hands them back in every event). What SES
 * answers is sorted into: sent, with SES's message id; may pass (retry); or the copy's own fault
 * (failed for good). See `classifySesError`.
 */
export function createSesTransport(options: { client: SESv2Client; configurationSet?: string; clock?: Clock }): EmailTransport {
  const { client, configurationSet, clock = systemClock } = options
  return {
    name: 'ses',
    idempotent: false,
    async send(email: OutgoingEmail): Promise<SendOutcome> {
      try {
        const answer = await client.send(new SendEmailCommand(await sendEmailInput(email, configurationSet, clock.now())))
        if (!answer.MessageId) return { ok: false, retry: true, error: 'SES answered without a message id' }
        return { ok: true, transportId: answer.MessageId }
      } catch (error) {
        return classifySesError(error)
      }
    },
  }
}

/** The SendEmail request for a recipient's copy. */
export async function sendEmailInput(email: OutgoingEmail, configurationSet: string | undefined, date: Date): Promise<SendEmailCommandInput> {
  return {
    FromEmailAddress: email.from.address,
    Destination: { ToAddresses: [email.envelopeTo] },
    Content: { Raw: { Data: await composeMime(email, date) } },
    ...(configurationSet !== undefined && { ConfigurationSetName: configurationSet }),
    EmailTags: Object.entries({ ...email.tags, message: email.messageId, recipient: String(email.recipientPosition + 1) }).map(([name, value]) => ({
      Name: tagText(name),
      Value: tagText(value),
    })),
  }
}

// SES takes tag names and values of ASCII letters, digits, _ and - only (256 at most):
// `circulation.overdue` is tagged `circulation_overdue`.
function tagText(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256) || '_'
}

/** Refused for this copy alone: its content or its address. Sending it again gives the same answer. */
const messageFaults = new Set(['MessageRejected', 'BadRequestException'])

/**
 * Refused for every message while the account is as it is: suspended, paused, its MAIL FROM
 * domain or configuration set missing, credentials refused. The message is not at fault and an
 * admin can fix the account: it waits with the retries' backoff (a day and a half in all) instead
 * of being failed at once with the whole outbox.
 */
const accountFaults = new Set([
  'AccountSuspendedException',
  'SendingPausedException',
  'MailFromDomainNotVerifiedException',
  'NotFoundException',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'CredentialsProviderError',
])

/** Throttled: the account's rate or its daily quota. */
const throttles = new Set(['TooManyRequestsException', 'LimitExceededException', 'ThrottlingException', 'Throttling'])

/**
 * What an SES error means for the message: throttling, SES's own faults (5xx) and the network
 * retry; the account's faults retry too (see `accountFaults`); the message's own fault
 * (MessageRejected, BadRequest) fails it for good; anything else unknown retries, since a message
 * failed by mistake is lost while one retried by mistake only waits.
 */
export function classifySesError(error: unknown): SendOutcome {
  const name = error instanceof Error ? error.name : 'Error'
  const text = error instanceof Error ? error.message : String(error)
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
  const said = `SES ${name}${status ? ` (${status})` : ''}: ${text}`
  if (messageFaults.has(name)) return { ok: false, retry: false, error: said }
  if (throttles.has(name)) return { ok: false, retry: true, error: `throttled: ${said}` }
  if (accountFaults.has(name)) return { ok: false, retry: true, error: `the SES account cannot send: ${said}` }
  if (status !== undefined && status >= 500) return { ok: false, retry: true, error: said }
  const code = (error as NodeJS.ErrnoException).code
  if (status === undefined) return { ok: false, retry: true, error: `could not reach SES: ${code ?? name}: ${text}` }
  return { ok: false, retry: true, error: said }
}
