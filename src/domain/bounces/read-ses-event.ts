import { z } from 'zod'
import { err, ok, type Result } from '../result.ts'

/** One recipient an event names, with what the receiving server said of it. */
export type NamedRecipient = { address: string; detail: string | null }

/** What SES said, in either of its formats, reduced to what the library acts on. */
export type SesEvent = {
  /** SES's message id (messages.transport_id). */
  sesMessageId: string
  /** Our message id, from the `message` tag the SES transport sets, when present. */
  ourMessageId: string | null
  /** When it happened, as SES dates it. */
  at: Date
} & (
  | { kind: 'bounce'; bounceType: 'Permanent' | 'Transient' | 'Undetermined'; bounceSubType: string; recipients: NamedRecipient[] }
  | { kind: 'complaint'; feedbackType: string | null; recipients: NamedRecipient[] }
  | { kind: 'delivery'; recipients: NamedRecipient[] }
  | { kind: 'delay'; delayType: string; recipients: NamedRecipient[] }
  | { kind: 'reject'; reason: string }
  | { kind: 'rendering_failure'; problem: string }
  /** Send, Open, Click, Subscription: acknowledged, nothing changes. */
  | { kind: 'acknowledged'; type: string }
)

export type SesEventProblem = { code: 'not_an_ses_event'; problem: string }

const recipientList = z.array(z.object({ emailAddress: z.string().min(1), diagnosticCode: z.string().optional(), status: z.string().optional() }))
const mail = z.object({
  messageId: z.string().min(1),
  timestamp: z.string(),
  // Event publishing: { name: [values] }. The older notifications carry no tags.
  tags: z.record(z.string(), z.array(z.string())).optional(),
})
const bounce = z.object({
  bounceType: z.enum(['Permanent', 'Transient', 'Undetermined']),
  bounceSubType: z.string().default(''),
  bouncedRecipients: recipientList,
  timestamp: z.string(),
})
const complaint = z.object({
  complainedRecipients: z.array(z.object({ emailAddress: z.string().min(1) })),
  complaintFeedbackType: z.string().optional(),
  timestamp: z.string(),
})
const delivery = z.object({ recipients: z.array(z.string().min(1)), smtpResponse: z.string().optional(), timestamp: z.string() })
const deliveryDelay = z.object({ delayType: z.string().default('Undetermined'), delayedRecipients: recipientList, timestamp: z.string() })

/** The tag our SES transport puts on every message: its id in the outbox. */
export const messageTag = 'message'

/**
 * Reads an SES notification (`notificationType`, set on an identity) or an event (`eventType`,
 * published by a configuration set) from the SNS message's text.
 */
export function readSesEvent(messageText: string): Result<SesEvent, SesEventProblem> {
  let json: Record<string, unknown>
  try {
    const parsed = JSON.parse(messageText)
    if (typeof parsed !== 'object' || parsed === null) return problem('the message is not a JSON object')
    json = parsed
  } catch {
    return problem('the message is not JSON')
  }
  const type = json.eventType ?? json.notificationType
  if (typeof type !== 'string') return problem('the message has neither eventType nor notificationType')
  // SES's test message when a topic is set on an identity: nothing to act on, nor a mail.
  if (type === 'AmazonSnsSubscriptionSucceeded') return ok({ kind: 'acknowledged', type, sesMessageId: '', ourMessageId: null, at: new Date(0) })
  const mailPart = mail.safeParse(json.mail)
  if (!mailPart.success) return problem(`${type}: no readable mail (${issueOf(mailPart.error)})`)
  const common = { sesMessageId: mailPart.data.messageId, ourMessageId: ourMessageIdOf(mailPart.data.tags) }
  const at = (timestamp: string) => {
    const date = new Date(timestamp)
    return Number.isNaN(date.getTime()) ? new Date(mailPart.data.timestamp) : date
  }

  switch (type) {
    case 'Bounce': {
      const part = bounce.safeParse(json.bounce)
      if (!part.success) return problem(`Bounce: ${issueOf(part.error)}`)
      const { bounceType, bounceSubType, bouncedRecipients, timestamp } = part.data
      return ok({ ...common, at: at(timestamp), kind: 'bounce', bounceType, bounceSubType, recipients: bouncedRecipients.map(withDiagnostic) })
    }
    case 'Complaint': {
      const part = complaint.safeParse(json.complaint)
      if (!part.success) return problem(`Complaint: ${issueOf(part.error)}`)
      const feedbackType = part.data.complaintFeedbackType ?? null
      const recipients = part.data.complainedRecipients.map((r) => ({ address: r.emailAddress, detail: feedbackType }))
      return ok({ ...common, at: at(part.data.timestamp), kind: 'complaint', feedbackType, recipients })
    }
    case 'Delivery': {
      const part = delivery.safeParse(json.delivery)
      if (!part.success) return problem(`Delivery: ${issueOf(part.error)}`)
      const detail = part.data.smtpResponse ?? null
      return ok({ ...common, at: at(part.data.timestamp), kind: 'delivery', recipients: part.data.recipients.map((address) => ({ address, detail })) })
    }
    case 'DeliveryDelay': {
      const part = deliveryDelay.safeParse(json.deliveryDelay)
      if (!part.success) return problem(`DeliveryDelay: ${issueOf(part.error)}`)
      const { delayType, delayedRecipients, timestamp } = part.data
      const recipients = delayedRecipients.map((r) => ({ address: r.emailAddress, detail: [delayType, r.diagnosticCode].filter(Boolean).join(': ') }))
      return ok({ ...common, at: at(timestamp), kind: 'delay', delayType, recipients })
    }
    case 'Reject': {
      const reason = z.object({ reason: z.string() }).safeParse(json.reject)
      return ok({ ...common, at: at(mailPart.data.timestamp), kind: 'reject', reason: reason.success ? reason.data.reason : 'no reason given' })
    }
    // Event publishing spells it with a space; the API's event type has none.
    case 'Rendering Failure':
    case 'RenderingFailure': {
      const failure = z.object({ errorMessage: z.string(), templateName: z.string().optional() }).safeParse(json.failure)
      const problemText = failure.success ? [failure.data.templateName, failure.data.errorMessage].filter(Boolean).join(': ') : 'no reason given'
      return ok({ ...common, at: at(mailPart.data.timestamp), kind: 'rendering_failure', problem: problemText })
    }
    case 'Send':
    case 'Open':
    case 'Click':
    case 'Subscription':
      return ok({ ...common, at: at(mailPart.data.timestamp), kind: 'acknowledged', type })
    default:
      return problem(`unknown SES event type ${JSON.stringify(type).slice(0, 60)}`)
  }
}

function withDiagnostic(recipient: { emailAddress: string; diagnosticCode?: string | undefined; status?: string | undefined }): NamedRecipient {
  return { address: recipient.emailAddress, detail: recipient.diagnosticCode ?? recipient.status ?? null }
}

function ourMessageIdOf(tags: Record<string, string[]> | undefined): string | null {
  const value = tags?.[messageTag]?.[0]
  return value !== undefined && /^\d{1,18}$/.test(value) ? value : null
}

// The field that is wrong, never its value: a value may be an address.
function issueOf(error: z.ZodError): string {
  const issue = error.issues[0]
  return issue ? `${issue.path.join('.') || '(top)'} ${issue.code}` : 'unreadable'
}

const problem = (text: string) => err<SesEventProblem>({ code: 'not_an_ses_event', problem: text })
