import { isValidSlackRequest } from '@slack/bolt'

/** How far a request's timestamp may be from our clock, in seconds (Slack's replay window). */
const replayWindowSeconds = 300

/** A request's signature headers and raw body, with the time it is checked at. */
type SlackSignature = {
  signingSecret: string
  /** The body exactly as it arrived: parsing and re-encoding it would change the bytes Slack signed. */
  rawBody: string
  timestamp: string | undefined
  signature: string | undefined
  now: Date
}

/** Whether Slack signed this request (HMAC-SHA256, `v0`) within five minutes of `now`. */
export function isSignedBySlack(request: SlackSignature): boolean {
  if (request.timestamp === undefined || request.signature === undefined) return false
  if (!/^\d{1,12}$/.test(request.timestamp)) return false
  const timestampSeconds = Number(request.timestamp)
  // Bolt's helper refuses only old timestamps; one from the future is just as much a replay risk.
  if (Math.abs(request.now.getTime() / 1000 - timestampSeconds) > replayWindowSeconds) return false
  return isValidSlackRequest({
    signingSecret: request.signingSecret,
    body: request.rawBody,
    headers: { 'x-slack-signature': request.signature, 'x-slack-request-timestamp': timestampSeconds },
    nowMilliseconds: request.now.getTime(),
  })
}
