import { createHmac, timingSafeEqual } from 'node:crypto'

/** What a link's token names: one message, and which of its recipients the copy went to. */
export type UnsubscribeCopy = { messageId: string; recipientPosition: number }

/**
 * A link's token names one recipient's copy of a message, signed: `<message id>.<recipient
 * position>.<signature>`. The message says the patron and the kind of notice, the position which
 * contact received the copy; the token itself holds no personal data. The signature is
 * HMAC-SHA256 under UNSUBSCRIBE_SECRET, cut to 128 bits (22 base64url characters): enough that
 * guessing one is hopeless, short enough for a link that survives mail clients. It does not
 * expire: a link in an old email still works, and what it does can be undone.
 */
export function signUnsubscribeToken(secret: string, copy: UnsubscribeCopy): string {
  const named = `${copy.messageId}.${copy.recipientPosition}`
  return `${named}.${signature(secret, named)}`
}

/** The copy a token names, or null when it is malformed, forged or tampered with. */
export function readUnsubscribeToken(secret: string, token: string): UnsubscribeCopy | null {
  const match = /^([1-9][0-9]{0,18})\.(0|[1-9][0-9]{0,5})\.([A-Za-z0-9_-]{22})$/.exec(token)
  if (!match) return null
  const [, messageId, position, given] = match
  const expected = Buffer.from(signature(secret, `${messageId}.${position}`))
  const actual = Buffer.from(given)
  return actual.length === expected.length && timingSafeEqual(actual, expected) ? { messageId, recipientPosition: Number(position) } : null
}

// The purpose is signed with the copy, so the same secret could sign another kind of link safely.
function signature(secret: string, named: string): string {
  return createHmac('sha256', secret).update(`unsubscribe:${named}`).digest('base64url').slice(0, 22)
}
