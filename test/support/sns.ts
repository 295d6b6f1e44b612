import { execFileSync } from 'node:child_process'
import { createSign, randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { type SnsMessage, stringToSign } from '../../src/http/sns/sns-message.ts'
import type { SnsFetch } from '../../src/http/sns/verify-sns-message.ts'

export const snsFixtures = new URL('../fixtures/sns/', import.meta.url).pathname
export const sesFixtures = new URL('../fixtures/ses/', import.meta.url).pathname

/** A signing key and a self-made certificate for it, valid from now for ten years, as SNS's are shaped (CN=sns.amazonaws.com). */
export function makeSigningCertificate(): { keyPem: string; certificatePem: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lc-sns-cert-'))
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '3650',
        '-subj',
        '/CN=sns.amazonaws.com',
        '-keyout',
        `${dir}/key.pem`,
        '-out',
        `${dir}/cert.pem`,
      ],
      { stdio: 'ignore' },
    )
    return { keyPem: readFileSync(`${dir}/key.pem`, 'utf8'), certificatePem: readFileSync(`${dir}/cert.pem`, 'utf8') }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export const testCertificateUrl = 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-00000000000000000000000000000test.pem'
export const testTopicArn = 'arn:aws:sns:eu-west-1:123456789012:library-ses-events'

type Unsigned =
  | { Type: 'Notification'; Message: string; Subject?: string }
  | { Type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation'; Message: string; SubscribeURL: string; Token: string }

/** An SNS message as SNS would post it, signed with `keyPem` (SignatureVersion 1: SHA1, 2: SHA256). */
export function signedSnsMessage(
  keyPem: string,
  fields: Unsigned & { MessageId?: string; TopicArn?: string; Timestamp?: string },
  options: { version?: '1' | '2'; certificateUrl?: string } = {},
): SnsMessage {
  const version = options.version ?? '2'
  const message = {
    MessageId: randomUUID(),
    TopicArn: testTopicArn,
    Timestamp: new Date().toISOString(),
    SignatureVersion: version,
    Signature: '',
    SigningCertURL: options.certificateUrl ?? testCertificateUrl,
    ...fields,
  } as SnsMessage
  message.Signature = createSign(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256')
    .update(stringToSign(message))
    .sign(keyPem, 'base64')
  return message
}

/**
 * SNS as the webhook reaches it in tests: certificates by their URL's basename (the test's own,
 * and the real ones in the fixtures' certs/), and subscription confirmations, kept to be looked at.
 * Nothing reaches the network.
 */
export function fakeSns(certificates: Record<string, string> = {}) {
  const certificateFetches: string[] = []
  const confirmations: string[] = []
  let confirmationStatus = 200
  const fetchSns: SnsFetch = async (url) => {
    const name = basename(new URL(url).pathname)
    if (name.endsWith('.pem')) {
      certificateFetches.push(url)
      const pem = certificates[name] ?? readIfExists(join(snsFixtures, 'certs', name))
      return pem === undefined ? new Response('no such certificate', { status: 404 }) : new Response(pem)
    }
    confirmations.push(url)
    return new Response('<ConfirmSubscriptionResponse/>', { status: confirmationStatus })
  }
  return {
    fetchSns,
    certificateFetches,
    confirmations,
    failConfirmations(status: number) {
      confirmationStatus = status
    },
  }
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}
