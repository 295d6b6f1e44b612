/** An email as the dispatcher hands it to a transport: rendered, its secret in place, addressed. */
export type OutgoingEmail = {
  /** The outbox message's id: the transport's idempotency key, and a header for tracing. */
  messageId: string
  from: { name: string; address: string }
  replyTo?: string
  to: readonly string[]
  cc: readonly string[]
  bcc: readonly string[]
  subject: string
  html: string
  text: string
  /** Extra headers (List-Unsubscribe, the next issue). */
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
   * True when handing the same message over twice delivers it once (the file transport, by the
   * message id). SES has no such key: a message that may have reached it is never sent again.
   */
  readonly idempotent?: boolean
  send(email: OutgoingEmail): Promise<SendOutcome>
}
