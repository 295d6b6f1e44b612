/**
 * One recipient's copy of a message as the dispatcher hands it to a transport: rendered, its
 * secret in place, addressed. A message to N recipients leaves as N copies, as large senders do:
 * each shows the same From, To and Cc (Bcc recipients are never shown) and is delivered to one
 * recipient alone (`envelopeTo`), so its unsubscribe link and one-click POST speak for that
 * recipient only.
 */
export type OutgoingEmail = {
  /** The outbox message's id: with `recipientPosition`, the transport's idempotency key; a header for tracing. */
  messageId: string
  /** Which of the message's recipients this copy is for (message_recipients.position). */
  recipientPosition: number
  from: { name: string; address: string }
  replyTo?: string
  /** The visible To and Cc headers, the same in every copy. */
  to: readonly string[]
  cc: readonly string[]
  /** The one address this copy is delivered to (the SMTP envelope's recipient): in To, in Cc, or a Bcc recipient. */
  envelopeTo: string
  subject: string
  html: string
  text: string
  /** Extra headers (List-Unsubscribe and List-Unsubscribe-Post, this copy's own). */
  headers?: Readonly<Record<string, string>>
  /** Tags for the provider (library, scenario). */
  tags?: Readonly<Record<string, string>>
}

/**
 * What sending did: sent, with the provider's id; or failed, `retry` when trying again later may
 * work (throttled, a network error), not when it cannot (a rejected address).
 */
export type SendOutcome = { ok: true; transportId: string } | { ok: false; retry: boolean; error: string }

/** Sends email: `file` writes .eml files (the default), `ses` sends through Amazon SES. */
export type EmailTransport = {
  readonly name: 'file' | 'ses'
  /**
   * True when handing the same copy over twice delivers it once (the file transport, by the
   * message id and recipient position). SES has no such key: a copy that may have reached it is
   * never sent again.
   */
  readonly idempotent?: boolean
  send(email: OutgoingEmail): Promise<SendOutcome>
}
