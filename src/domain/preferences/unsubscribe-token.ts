import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * A link's token names one message, signed: `<message id>.<signature>`. The message says the
 * patron, the kind of notice and who received it; the token itself holds no personal data. The
 * signature is HMAC-SHA256 under UNSUBSCRIBE_SECRET, cut to 128 bits (22 base64url characters):
 * enough that guessing one is hopeless, short enough for a link that survives mail clients. It
 * does not expire: a link in an old email still works, and what it does can be undone.
 */
export function signUnsubscribeToken(secret: string, messageId: string): string {
  return `${messageId}.${signature(secret, messageId)}`
}

/** The message a token names, or null when it is malformed, forged or tampered with. */
export function readUnsubscribeToken(secret: string, token: string): string | null {
  const match = /^([1-9][0-9]{0,18})\.([A-Za-z0-9_-]{22})$/.exec(token)
  if (!match) return null
  const [, messageId, given] = match
  const expected = Buffer.from(signature(secret, messageId))
  const actual = Buffer.from(given)
  return actual.length === expected.length && timingSafeEqual(actual, expected) ? messageId : null
}

// The purpose is signed with the id, so the same secret could sign another kind of link safely.
function signature(secret: string, messageId: string): string {
  return createHmac('sha256', secret).update(`unsubscribe:${messageId}`).digest('base64url').slice(0, 22)
}
