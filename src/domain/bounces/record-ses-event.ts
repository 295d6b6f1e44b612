import { emailAddressKey } from '../contacts/contact-fields.ts'
import type { AppDeps } from '../deps.ts'
import { assertNever } from '../result.ts'
import { type BlacklistEntry, blacklistAddresses } from './blacklist.ts'
import { countSoftBounces, failSentMessage, findSesMessage, type RecipientDelivery, rememberSnsMessage, setRecipientDelivery } from './queries.ts'
import type { NamedRecipient, SesEvent } from './read-ses-event.ts'

/** When transient bounces blacklist an address: `limit` of them within `windowDays` (SOFT_BOUNCE_LIMIT, SOFT_BOUNCE_WINDOW_DAYS). */
export type SoftBounceSettings = { limit: number; windowDays: number }
export const defaultSoftBounceSettings: SoftBounceSettings = { limit: 3, windowDays: 7 }

/** What one SES event changed, for the log line (counts only: no addresses in logs). */
export type SesEventOutcome =
  | { redelivery: true }
  | { redelivery: false; kind: SesEvent['kind']; isOurMessage: boolean; recipientsUpdated: number; blacklisted: number; softBounces: number }

type Deps = Pick<AppDeps, 'db' | 'clock'>

/**
 * Learns from one SES event, once per SNS message id, in one transaction: permanent bounces and
 * complaints blacklist the addresses they name at once; transient and undetermined bounces count,
 * and `limit` of them within the window blacklist; deliveries, delays, bounces and complaints
 * mark exactly the recipients named on our message; a Reject or a rendering failure fails the
 * message, no address's fault. Each event blames only the recipients it names, never the
 * message's first address: with BCC that would blacklist the wrong person.
 */
export async function recordSesEvent(
  deps: Deps,
  input: { snsMessageId: string; topicArn: string; event: SesEvent; softBounces: SoftBounceSettings },
): Promise<SesEventOutcome> {
  const { event } = input
  return deps.db.transaction().execute(async (tx) => {
    const isNew = await rememberSnsMessage(tx, { messageId: input.snsMessageId, topicArn: input.topicArn, type: `ses:${event.kind}`, at: deps.clock.now() })
    if (!isNew) return { redelivery: true }
    const outcome = { redelivery: false as const, kind: event.kind, isOurMessage: false, recipientsUpdated: 0, blacklisted: 0, softBounces: 0 }
    if (event.kind === 'acknowledged') return outcome
    const message = await findSesMessage(tx, { sesMessageId: event.sesMessageId, ourMessageId: event.ourMessageId })
    outcome.isOurMessage = message !== undefined
    const learnt = { source: 'ses' as const, libraryId: message?.libraryId ?? null, messageId: message?.id ?? null }

    // The recipients of our message that the event names, each with what was said of it.
    const named = (recipients: readonly NamedRecipient[]) => {
      const detailByKey = new Map(recipients.map((r) => [emailAddressKey(r.address), r.detail]))
      return (message?.recipients ?? []).flatMap((r) => {
        const key = emailAddressKey(r.address)
        return detailByKey.has(key) ? [{ position: r.position, detail: detailByKey.get(key) ?? null }] : []
      })
    }
    const mark = async (delivery: RecipientDelivery, recipients: ReadonlyArray<{ position: number; detail: string | null }>) => {
      if (message) outcome.recipientsUpdated = await setRecipientDelivery(tx, { messageId: message.id, delivery, at: event.at, recipients })
    }
    const blacklist = async (entries: BlacklistEntry[]) => {
      outcome.blacklisted = (await blacklistAddresses(tx, { at: deps.clock.now(), entries })).added.length
    }

    switch (event.kind) {
      case 'bounce': {
        const kindOf = `${event.bounceType}/${event.bounceSubType || 'General'}`
        const detailOf = (r: NamedRecipient) => (r.detail ? `${kindOf}: ${r.detail}` : kindOf)
        await mark('bounced', named(event.recipients.map((r) => ({ address: r.address, detail: detailOf(r) }))))
        if (event.bounceType === 'Permanent') {
          await blacklist(event.recipients.map((r) => ({ ...learnt, address: r.address, reason: 'bounce', detail: detailOf(r) })))
          break
        }
        // Transient and Undetermined: the address may work tomorrow (a full mailbox, a server
        // down); only repeated ones within the window make it one to stop mailing.
        const keys = [...new Set(event.recipients.map((r) => emailAddressKey(r.address)))]
        const counts = await countSoftBounces(tx, { addressKeys: keys, messageId: message?.id ?? null, at: event.at, windowDays: input.softBounces.windowDays })
        outcome.softBounces = keys.length
        const repeated = event.recipients.filter((r) => (counts.get(emailAddressKey(r.address)) ?? 0) >= input.softBounces.limit)
        await blacklist(
          repeated.map((r) => ({
            ...learnt,
            address: r.address,
            reason: 'soft_bounces',
            detail: `${counts.get(emailAddressKey(r.address))} soft bounces within ${input.softBounces.windowDays} days; the last: ${detailOf(r)}`,
          })),
        )
        break
      }
      case 'complaint': {
        const detail = event.feedbackType ? `complaint: ${event.feedbackType}` : 'complaint (no feedback type)'
        await mark('complained', named(event.recipients.map((r) => ({ address: r.address, detail }))))
        await blacklist(event.recipients.map((r) => ({ ...learnt, address: r.address, reason: 'complaint', detail })))
        break
      }
      case 'delivery':
        await mark('delivered', named(event.recipients))
        break
      case 'delay':
        await mark('delayed', named(event.recipients))
        break
      case 'reject':
        // SES refused to send it (a virus, bad content): our message's fault, not an address's.
        if (message) {
          await failSentMessage(tx, { messageId: message.id, reason: `SES rejected it: ${event.reason}` })
          await mark(
            'rejected',
            message.recipients.map((r) => ({ position: r.position, detail: event.reason })),
          )
        }
        break
      case 'rendering_failure':
        if (message) await failSentMessage(tx, { messageId: message.id, reason: `SES could not render it: ${event.problem}` })
        break
      default:
        assertNever(event)
    }
    return outcome
  })
}
