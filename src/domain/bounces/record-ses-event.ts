import type { Db } from '../../db/database.ts'
import { emailAddressKey } from '../contacts/contact-fields.ts'
import type { AppDeps } from '../deps.ts'
import { assertNever } from '../result.ts'
import { type BlacklistEntry, blacklistAddresses } from './blacklist.ts'
import {
  countSoftBounces,
  failSentMessages,
  findSesMessages,
  type RecipientDeliveryChange,
  rememberSnsMessages,
  type SesMessage,
  setRecipientDeliveries,
} from './queries.ts'
import type { NamedRecipient, SesEvent } from './read-ses-event.ts'

/** When transient bounces blacklist an address: `limit` of them within `windowDays` (SOFT_BOUNCE_LIMIT, SOFT_BOUNCE_WINDOW_DAYS). */
export type SoftBounceSettings = { limit: number; windowDays: number }
export const defaultSoftBounceSettings: SoftBounceSettings = { limit: 3, windowDays: 7 }

/** One SES event as SNS delivered it. */
export type SnsSesEvent = { snsMessageId: string; topicArn: string; event: SesEvent }

/** What one SES event changed, for the log line (counts only: no addresses in logs). */
export type SesEventOutcome =
  | { redelivery: true }
  | { redelivery: false; kind: SesEvent['kind']; isOurMessage: boolean; recipientsNamed: number; blacklisted: number; softBounces: number }

type Deps = Pick<AppDeps, 'db' | 'clock'>

/**
 * Learns from SES events, each once per SNS message id, all in one transaction (one commit for
 * many: a bounce storm arrives as many deliveries at once). Permanent bounces and complaints
 * blacklist the addresses they name at once; transient and undetermined bounces count, and
 * `limit` of them within the window blacklist; deliveries, delays, bounces and complaints mark
 * exactly the recipients named on our message; a Reject or a rendering failure fails the message,
 * no address's fault. Each event blames only the recipients it names, never the message's first
 * address: with BCC that would blacklist the wrong person.
 */
export async function recordSesEvents(deps: Deps, input: { events: readonly SnsSesEvent[]; softBounces: SoftBounceSettings }): Promise<SesEventOutcome[]> {
  return deps.db.transaction().execute((tx) => learnFromEvents(tx, deps.clock.now(), input))
}

/** One event, as `recordSesEvents` records many. */
export async function recordSesEvent(deps: Deps, input: SnsSesEvent & { softBounces: SoftBounceSettings }): Promise<SesEventOutcome> {
  const [outcome] = await recordSesEvents(deps, { events: [input], softBounces: input.softBounces })
  return outcome
}

async function learnFromEvents(tx: Db, now: Date, input: { events: readonly SnsSesEvent[]; softBounces: SoftBounceSettings }): Promise<SesEventOutcome[]> {
  const isNew = await rememberSnsMessages(tx, {
    at: now,
    messages: input.events.map((e) => ({ messageId: e.snsMessageId, topicArn: e.topicArn, type: `ses:${e.event.kind}` })),
  })
  // The same SNS message twice in one batch is a redelivery too: the first one counts.
  const taken = new Set<string>()
  const fresh = input.events.filter((e) => isNew.has(e.snsMessageId) && !taken.has(e.snsMessageId) && taken.add(e.snsMessageId))
  const acting = fresh.filter((e) => e.event.kind !== 'acknowledged')
  const messages = await findSesMessages(tx, {
    sesMessageIds: [...new Set(acting.map((e) => e.event.sesMessageId))],
    ourMessageIds: [...new Set(acting.flatMap((e) => (e.event.ourMessageId === null ? [] : [e.event.ourMessageId])))],
  })
  // SES's id first, a copy's or the message's: a message sent again after a crash carries our id on both sends.
  const messageOf = (event: SesEvent) =>
    messages.find((m) => m.transportId === event.sesMessageId || m.recipients.some((r) => r.transportId === event.sesMessageId)) ??
    (event.ourMessageId === null ? undefined : messages.find((m) => m.id === event.ourMessageId))

  const changes = new Map<string, RecipientDeliveryChange>()
  const blacklist: Array<BlacklistEntry & { snsMessageId: string }> = []
  const softBounces: Array<{ addressKey: string; messageId: string | null; at: Date; entry: BlacklistEntry & { snsMessageId: string } }> = []
  const failures: Array<{ messageId: string; reason: string }> = []
  const named = new Map<string, number>()

  for (const { snsMessageId, event } of acting) {
    const message = messageOf(event)
    const learnt = { snsMessageId, source: 'ses' as const, libraryId: message?.libraryId ?? null, messageId: message?.id ?? null }
    const mark = (delivery: RecipientDeliveryChange['delivery'], recipients: readonly NamedRecipient[]) => {
      const found = recipientsNamed(message, event.sesMessageId, recipients)
      named.set(snsMessageId, found.length)
      for (const r of found) keepLatest(changes, { messageId: message!.id, position: r.position, delivery, detail: r.detail, at: event.at })
    }
    switch (event.kind) {
      case 'bounce': {
        const kindOf = `${event.bounceType}/${event.bounceSubType || 'General'}`
        const recipients = event.recipients.map((r) => ({ address: r.address, detail: r.detail ? `${kindOf}: ${r.detail}` : kindOf }))
        mark('bounced', recipients)
        for (const r of recipients) {
          const entry = { ...learnt, address: r.address, reason: 'bounce' as const, detail: r.detail }
          if (event.bounceType === 'Permanent') blacklist.push(entry)
          // Transient and Undetermined: the address may work tomorrow (a full mailbox, a server
          // down); only repeated ones within the window make it one to stop mailing.
          else softBounces.push({ addressKey: emailAddressKey(r.address), messageId: message?.id ?? null, at: event.at, entry })
        }
        break
      }
      case 'complaint': {
        const detail = event.feedbackType ? `complaint: ${event.feedbackType}` : 'complaint (no feedback type)'
        const recipients = event.recipients.map((r) => ({ address: r.address, detail }))
        mark('complained', recipients)
        for (const r of recipients) blacklist.push({ ...learnt, address: r.address, reason: 'complaint', detail })
        break
      }
      case 'delivery':
        mark('delivered', event.recipients)
        break
      case 'delay':
        mark('delayed', event.recipients)
        break
      case 'reject':
        // SES refused to send it (a virus, bad content): our message's fault, not an address's.
        // Each copy is rejected on its own: the event's copy, or every recipient of a message sent as one.
        if (message) {
          failures.push({ messageId: message.id, reason: `SES rejected it: ${event.reason}` })
          mark(
            'rejected',
            copiesOf(message, event.sesMessageId).map((r) => ({ address: r.address, detail: event.reason })),
          )
        }
        break
      case 'rendering_failure':
        if (message) failures.push({ messageId: message.id, reason: `SES could not render it: ${event.problem}` })
        break
      case 'acknowledged':
        break
      default:
        assertNever(event)
    }
  }

  await setRecipientDeliveries(tx, [...changes.values()])
  await failSentMessages(tx, failures)
  const softCounts = await countSoftBounces(tx, { bounces: softBounces, windowDays: input.softBounces.windowDays })
  for (const { addressKey, entry } of softBounces) {
    const count = softCounts.get(addressKey) ?? 0
    if (count >= input.softBounces.limit) {
      blacklist.push({
        ...entry,
        reason: 'soft_bounces',
        detail: `${count} soft bounces within ${input.softBounces.windowDays} days; the last: ${entry.detail}`,
      })
    }
  }
  const { added } = await blacklistAddresses(tx, { at: now, entries: blacklist })
  const addedKeys = new Set(added.map(emailAddressKey))

  return input.events.map(({ snsMessageId, event }) => {
    if (!fresh.some((e) => e.snsMessageId === snsMessageId && e.event === event)) return { redelivery: true }
    const blacklisted = new Set(
      blacklist.filter((b) => b.snsMessageId === snsMessageId && addedKeys.has(emailAddressKey(b.address))).map((b) => emailAddressKey(b.address)),
    )
    return {
      redelivery: false,
      kind: event.kind,
      isOurMessage: event.kind !== 'acknowledged' && messageOf(event) !== undefined,
      recipientsNamed: named.get(snsMessageId) ?? 0,
      blacklisted: blacklisted.size,
      softBounces: softBounces.filter((b) => b.entry.snsMessageId === snsMessageId).length,
    }
  })
}

/** The recipients an SES message went to: the one its copy was for, or all of a message sent as one email (before copies). */
function copiesOf(message: SesMessage, sesMessageId: string): SesMessage['recipients'] {
  const copy = message.recipients.filter((r) => r.transportId === sesMessageId)
  return copy.length > 0 ? copy : message.recipients
}

/**
 * The recipients of our message that the event names, each with what was said of it (matched by
 * address key, among the recipients the event's SES message went to).
 */
function recipientsNamed(message: SesMessage | undefined, sesMessageId: string, recipients: readonly NamedRecipient[]) {
  if (!message) return []
  const detailByKey = new Map(recipients.map((r) => [emailAddressKey(r.address), r.detail]))
  return copiesOf(message, sesMessageId).flatMap((r) => {
    const key = emailAddressKey(r.address)
    return detailByKey.has(key) ? [{ position: r.position, detail: detailByKey.get(key) ?? null }] : []
  })
}

// A recipient left out because its address was blacklisted was never sent: no event moves it.
const deliveryRank: Record<RecipientDeliveryChange['delivery'], number> = { delayed: 1, delivered: 2, rejected: 3, bounced: 3, complained: 4, skipped: 5 }

// One change per recipient per statement, chosen as the database would order them.
function keepLatest(changes: Map<string, RecipientDeliveryChange>, change: RecipientDeliveryChange) {
  const key = `${change.messageId}:${change.position}`
  const kept = changes.get(key)
  const isLater =
    kept === undefined ||
    deliveryRank[change.delivery] > deliveryRank[kept.delivery] ||
    (deliveryRank[change.delivery] === deliveryRank[kept.delivery] && change.at >= kept.at)
  if (isLater) changes.set(key, change)
}
