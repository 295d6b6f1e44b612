import { z } from 'zod'
import { err, ok, type Result } from '../../domain/result.ts'

/** Why the webhook refused a message: each is logged with its reason, so that setting SNS up is easy to debug. */
export type SnsRefusal =
  | { code: 'not_json' }
  | { code: 'not_an_sns_message'; field: string }
  | { code: 'unsupported_signature_version'; version: string }
  | { code: 'untrusted_certificate_url'; url: string }
  | { code: 'certificate_unavailable'; url: string; problem: string }
  | { code: 'timestamp_outside_certificate'; timestamp: string; validFrom: string; validTo: string }
  | { code: 'bad_signature' }
  | { code: 'unknown_topic'; topicArn: string }
  | { code: 'untrusted_subscribe_url'; url: string }
  | { code: 'subscription_not_confirmed'; problem: string }
  | { code: 'not_an_ses_event'; problem: string }

const text = z.string().min(1)

/** An SNS HTTP(S) message, as SNS posts it (the fields its signature covers, and how to check it). */
const snsFields = {
  MessageId: text,
  TopicArn: text,
  Message: z.string(),
  Timestamp: text,
  SignatureVersion: text,
  Signature: text,
  SigningCertURL: text,
}
const snsMessage = z.discriminatedUnion('Type', [
  z.object({ Type: z.literal('Notification'), Subject: z.string().nullish(), UnsubscribeURL: z.string().optional(), ...snsFields }),
  z.object({ Type: z.literal('SubscriptionConfirmation'), SubscribeURL: text, Token: text, ...snsFields }),
  z.object({ Type: z.literal('UnsubscribeConfirmation'), SubscribeURL: text, Token: text, ...snsFields }),
])

export type SnsMessage = z.infer<typeof snsMessage>

/** Reads an SNS message from the raw body (SNS sends it as text/plain); nothing else is trusted yet. */
export function parseSnsMessage(rawBody: string): Result<SnsMessage, SnsRefusal> {
  let json: unknown
  try {
    json = JSON.parse(rawBody)
  } catch {
    return err({ code: 'not_json' })
  }
  const parsed = snsMessage.safeParse(json)
  if (!parsed.success) return err({ code: 'not_an_sns_message', field: String(parsed.error.issues[0]?.path[0] ?? 'Type') })
  return ok(parsed.data)
}

/**
 * The string SNS signs: for a Notification, Message, MessageId, Subject (only when present),
 * Timestamp, TopicArn, Type; for (Un)SubscriptionConfirmation, Message, MessageId, SubscribeURL,
 * Timestamp, Token, TopicArn, Type. Each as `Key\nValue\n`, in that order.
 */
export function stringToSign(message: SnsMessage): string {
  const keys =
    message.Type === 'Notification'
      ? (['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const)
      : (['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const)
  let signed = ''
  for (const key of keys) {
    const value = (message as Record<string, unknown>)[key]
    // Lambda's copy of a message without a subject says null; it is not signed.
    if (value === undefined || value === null) continue
    signed += `${key}\n${String(value)}\n`
  }
  return signed
}

// An AWS region: us-east-1, eu-central-2, ap-southeast-4, us-gov-west-1, cn-north-1. Only a
// region-shaped label is taken: `sns.<anything>.amazonaws.com` would take S3's legacy endpoints
// (a bucket named "sns" at sns.s3-external-1.amazonaws.com serves anyone's certificate).
const regionPattern = /^[a-z]{2}(?:-gov)?-[a-z]+-\d{1,2}$/

/**
 * The region of an SNS endpoint URL (certificate or subscription), or undefined unless it is
 * `https://sns.<region>.amazonaws.com/…` (China's regions: `sns.cn-<…>.amazonaws.com.cn`), with no
 * port, user or password.
 */
export function snsRegionOf(url: string): string | undefined {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return undefined
  }
  if (parsed.protocol !== 'https:' || parsed.port !== '' || parsed.username !== '' || parsed.password !== '') return undefined
  const host = /^sns\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(parsed.hostname)
  if (!host || !regionPattern.test(host[1])) return undefined
  const isChina = host[1].startsWith('cn-')
  if (isChina !== (host[2] === '.cn')) return undefined
  return host[1]
}

// A SigningCertURL as SNS writes it (`https://sns.us-west-2.amazonaws.com/SimpleNotificationService-<hex>.pem`),
// matched on the raw string: a URL parser lower-cases the host, drops `:443` and resolves `/a/../`,
// and keeps a query or fragment outside the path, so a check of the parsed URL alone passes
// strings that are not what SNS sends.
const certificateUrlPattern = /^https:\/\/sns\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\/[A-Za-z0-9_-]+\.pem$/

/**
 * A signing certificate's URL, normalised, or undefined unless it is written exactly as
 * `https://sns.<region>.amazonaws.com/<name>.pem` (`.amazonaws.com.cn` for China's regions): no
 * query, fragment, port, user, upper case, or path but one `.pem` file at the root.
 */
export function snsCertificateUrlOf(url: string): string | undefined {
  const written = certificateUrlPattern.exec(url)
  if (!written || !regionPattern.test(written[1]) || written[1].startsWith('cn-') !== (written[2] === '.cn')) return undefined
  const normalised = new URL(url).href
  // Belt and braces: what the parser makes of it is the very string checked.
  return normalised === url ? normalised : undefined
}
