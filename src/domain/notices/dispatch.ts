import type { EmailTransport, OutgoingEmail, SendOutcome } from '../../mail/transport.ts'
import type { AppDeps } from '../deps.ts'
import { type UnsubscribeSettings, withUnsubscribeLink } from '../preferences/unsubscribe-link.ts'
import { secretMarker } from './outbox.ts'
import {
  type ClaimedMessage,
  type ClaimRef,
  claimDueMessages,
  mayHaveBeenSentReason,
  recordCopyHandedOver,
  recordCopyNotSent,
  recordCopySent,
  recordFailed,
  recordRetry,
  recordSent,
  releaseClaims,
} from './outbox-queries.ts'
import type { SendPace } from './send-rate.ts'

/** How the dispatcher paces itself and gives up. */
export type DispatchSettings = {
  /** Messages claimed at a time. */
  batchSize: number
  /** How long a claim holds: a sender that dies mid-batch leaves its messages due again after this. */
  leaseSeconds: number
  /** Attempts before a message that keeps failing (or whose sender keeps dying) is recorded failed. */
  maxAttempts: number
  /** Waits before each retry of a message whose send may work later, the last one repeated. */
  retryDelaysSeconds: readonly number[]
  /**
   * Each wait is lengthened by up to this fraction, at random, so that messages throttled
   * together (by SES, or while the network was down) do not all come back in the same second.
   */
  retryJitter: number
}

export const defaultDispatchSettings: DispatchSettings = {
  batchSize: 20,
  leaseSeconds: 120,
  maxAttempts: 8,
  // 1 and 5 minutes, half an hour, 2 hours, then every 6 hours: a day and a half in all.
  retryDelaysSeconds: [60, 300, 1_800, 7_200, 21_600],
  retryJitter: 0.2,
}

/** What one round did; `released` were claimed and handed back unsent (stopping, or the lease running short). */
export type DispatchRound = { claimed: number; sent: number; retried: number; failed: number; skipped: number; released: number }

type Deps = Pick<AppDeps, 'db' | 'clock' | 'logger'> & {
  transport: EmailTransport
  /** The sender's address (EMAIL_FROM); the name is each library's sender name, else its name. */
  fromAddress: string
  /** The sending rate shared by every instance (SES): waited for before each copy. None: as fast as the transport goes. */
  sendPace?: SendPace
  /** A number in [0, 1) (Math.random): the retry jitter's draw. */
  random?: () => number
  /** Where unsubscribe links point and what signs them; left out, notices carry none (a test's own). */
  unsubscribe?: UnsubscribeSettings
}

/**
 * Sends one batch of due messages: claims them (committed before any is sent), then sends each as
 * one copy per recipient (transport.ts) and records what happened: each copy `sent` with the
 * transport's id, and the message `sent` once every copy is; on a failure that may pass
 * (throttling, the network), queued again after a growing wait, until `maxAttempts`, and the next
 * attempt sends only the copies not yet sent; `failed` at once on one that will not. The shared
 * send pace gives one turn per copy (SES counts its rate in recipients). A password-reset link is
 * put into the email where its marker stands, and deleted once the message is sent or has failed
 * for good. `shouldStop` is asked before each copy: a stopping service finishes the copy in hand
 * and hands back the rest.
 */
export async function dispatchDueMessages(deps: Deps, options: Partial<DispatchSettings> & { shouldStop?: () => boolean } = {}): Promise<DispatchRound> {
  const settings = { ...defaultDispatchSettings, ...options }
  const now = deps.clock.now()
  const leaseUntil = new Date(now.getTime() + settings.leaseSeconds * 1000)
  // A send begun this close to the lease's end could finish after another dispatcher took the
  // message over: what is left of the batch is handed back instead.
  const sendBefore = new Date(leaseUntil.getTime() - Math.min(30, settings.leaseSeconds / 4) * 1000)
  const claim = await claimDueMessages(deps.db, {
    now,
    leaseUntil,
    limit: settings.batchSize,
    maxAttempts: settings.maxAttempts,
    idempotentTransport: deps.transport.idempotent === true,
  })
  const round: DispatchRound = {
    claimed: claim.messages.length + claim.conditionGone.length + claim.gaveUp.length + claim.blacklisted.length,
    sent: 0,
    retried: 0,
    failed: claim.gaveUp.length,
    skipped: claim.conditionGone.length + claim.blacklisted.length,
    released: 0,
  }
  for (const id of claim.gaveUp) deps.logger.warn({ messageId: id, attempts: settings.maxAttempts }, 'gave up on a message whose sender kept stopping')

  for (const [index, message] of claim.messages.entries()) {
    const ref: ClaimRef = { id: message.id, attempts: message.attempts }
    const sent = await sendCopies(deps, message, ref, () => options.shouldStop?.() === true || deps.clock.now() >= sendBefore)
    if (sent === 'stopping') {
      const rest = claim.messages.slice(index).map(({ id, attempts }) => ({ id, attempts }))
      await releaseClaims(deps.db, rest, { now: deps.clock.now() })
      round.released = rest.length
      break
    }
    if (sent === 'lost') continue
    const at = deps.clock.now()
    let recorded: boolean
    if (sent.ok) {
      const uncertain = message.recipients.filter((r) => r.mayHaveBeenSent).length
      if (uncertain > 0) {
        // A copy may have reached SES before its sender stopped: the others went, that one is never sent twice.
        recorded = await recordFailed(deps.db, ref, { reason: mayHaveBeenSentReason })
        round.failed += 1
        deps.logger.warn({ messageId: message.id, copies: uncertain }, mayHaveBeenSentReason)
      } else {
        recorded = await recordSent(deps.db, ref, { sentAt: at })
        round.sent += 1
      }
    } else if (sent.retry && message.attempts < settings.maxAttempts) {
      const delays = settings.retryDelaysSeconds
      const base = delays[Math.min(message.attempts, delays.length) - 1] ?? 60
      const wait = Math.round(base * (1 + settings.retryJitter * (deps.random ?? Math.random)()))
      recorded = await recordRetry(deps.db, ref, { nextAttemptAt: new Date(at.getTime() + wait * 1000), reason: sent.error })
      round.retried += 1
      deps.logger.warn(
        { messageId: message.id, attempts: message.attempts, retryInSeconds: wait, error: withoutAddresses(sent.error) },
        'sending failed; will retry',
      )
    } else {
      const reason = sent.retry ? `gave up after ${message.attempts} attempts: ${sent.error}` : sent.error
      recorded = await recordFailed(deps.db, ref, { reason })
      round.failed += 1
      deps.logger.error({ messageId: message.id, attempts: message.attempts, error: withoutAddresses(reason) }, 'sending failed for good')
    }
    if (!recorded) deps.logger.warn({ messageId: message.id }, 'a message was taken over by another sender before its outcome was recorded')
  }
  if (round.claimed > 0) deps.logger.info({ ...round, transport: deps.transport.name }, 'dispatched queued messages')
  return round
}

/**
 * Sends a message's copies not yet sent, one per recipient, each recorded as it goes; stops at
 * the first that fails (the rest wait for the next attempt, or the message has failed).
 * `stopping`: asked to stop before a copy (nothing recorded for the rest); `lost`: another sender
 * took the message over.
 */
async function sendCopies(
  deps: Deps,
  message: ClaimedMessage,
  ref: ClaimRef,
  shouldStop: () => boolean,
): Promise<{ ok: true } | { ok: false; retry: boolean; error: string } | 'stopping' | 'lost'> {
  const email = renderEmail(deps, message)
  if (!email.ok) return email
  for (const recipient of message.recipients) {
    if (recipient.sent || recipient.mayHaveBeenSent) continue
    if (shouldStop()) return 'stopping'
    await deps.sendPace?.waitForTurn()
    // Committed before the call: a sender that stops before recording the outcome leaves a trace
    // that stops the copy being sent twice (outbox-queries.ts, docs/operations.md).
    if (!(await recordCopyHandedOver(deps.db, ref, { position: recipient.position, at: deps.clock.now() }))) {
      deps.logger.warn({ messageId: message.id }, 'a message was taken over by another sender before it was sent')
      return 'lost'
    }
    const copy = withUnsubscribeLink(
      { ...email.value, recipientPosition: recipient.position, envelopeTo: recipient.address },
      { scenario: message.scenario, patronId: message.patronId, isPatronContact: recipient.contactId !== null, settings: deps.unsubscribe },
    )
    const outcome = await sendOne(deps.transport, copy)
    if (!outcome.ok) {
      await recordCopyNotSent(deps.db, ref, { position: recipient.position })
      return outcome
    }
    if (!(await recordCopySent(deps.db, ref, { position: recipient.position, sentAt: deps.clock.now(), transportId: outcome.transportId }))) {
      deps.logger.warn({ messageId: message.id }, 'a message was taken over by another sender before its outcome was recorded')
      return 'lost'
    }
  }
  return { ok: true }
}

/** The email every copy shares: its secret in place, its visible To and Cc (Bcc recipients are never shown). */
function renderEmail(
  deps: Deps,
  message: ClaimedMessage,
): { ok: true; value: Omit<OutgoingEmail, 'recipientPosition' | 'envelopeTo'> } | { ok: false; retry: false; error: string } {
  const carriesSecret = [message.subject, message.text, message.html].some((part) => part.includes(secretMarker))
  // Sent without it, the email would show the marker where the link should be.
  if (carriesSecret && message.secret === null) return { ok: false, retry: false, error: 'the reset link is no longer held (it is deleted once used)' }
  if (message.recipients.length === 0) return { ok: false, retry: false, error: 'the message has no recipients' }
  const visible = (kind: 'to' | 'cc') => message.recipients.filter((r) => r.kind === kind).map((r) => r.address)
  const secret = message.secret ?? ''
  return {
    ok: true,
    value: {
      messageId: message.id,
      from: { name: message.senderName, address: deps.fromAddress },
      ...(message.replyTo !== null && { replyTo: message.replyTo }),
      to: visible('to'),
      cc: visible('cc'),
      subject: message.subject.replaceAll(secretMarker, secret),
      text: message.text.replaceAll(secretMarker, secret),
      html: message.html.replaceAll(secretMarker, escapeHtml(secret)),
      tags: { library: String(message.libraryId), scenario: message.scenario },
    },
  }
}

async function sendOne(transport: EmailTransport, email: OutgoingEmail): Promise<SendOutcome> {
  try {
    return await transport.send(email)
  } catch (error) {
    // A transport that throws broke on something passing (a socket, a timeout): try again later.
    return { ok: false, retry: true, error: error instanceof Error ? error.message : String(error) }
  }
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')
}

// A provider's error may quote an address; the log keeps no personal data.
function withoutAddresses(text: string): string {
  return text.replace(/[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g, '<address>')
}
