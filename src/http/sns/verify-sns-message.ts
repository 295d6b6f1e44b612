import { createVerify, type KeyObject, X509Certificate } from 'node:crypto'
import { err, ok, type Result } from '../../domain/result.ts'
import { type SnsMessage, type SnsRefusal, snsCertificateUrlOf, stringToSign } from './sns-message.ts'

/**
 * How the webhook reaches SNS (signing certificates, subscription URLs): `fetch` in production,
 * a function serving local files in tests, which never reach the network.
 */
export type SnsFetch = (url: string) => Promise<Response>

/** The signing certificate's key and validity, kept by its normalised URL. */
type SigningCertificate = { publicKey: KeyObject; validFrom: Date; validTo: Date }

/** The production fetcher: no redirects (an SNS URL that redirects elsewhere is not SNS), ten seconds at most. */
export const fetchFromSns: SnsFetch = (url) => fetch(url, { redirect: 'error', signal: AbortSignal.timeout(10_000) })

// SNS signs with one certificate per region at a time, rotated yearly: a handful at most.
const maxCachedCertificates = 32

/**
 * Checks SNS signatures (SignatureVersion 1, SHA1; 2, SHA256). The certificate must come from a
 * URL written exactly as `https://sns.<region>.amazonaws.com/<name>.pem`; each is fetched once and
 * kept (at most 32, the oldest dropped). The wall clock is not consulted: the message's own
 * Timestamp must fall within the certificate's validity, so an archived message still verifies,
 * and a certificate cannot sign messages dated outside its life.
 *
 * Not `sns-payload-validator` (2.1): it fetches with `https.get` (no fetcher to inject, so tests
 * would need a fake HTTPS server posing as sns.<region>.amazonaws.com), caches whatever the URL
 * answers (an error page included) without checking the status, and its host pattern
 * `sns.[a-zA-Z0-9-]{3,}.amazonaws.com` takes S3's legacy endpoints (`sns.s3-external-1.…`).
 */
export function createSnsVerifier(fetchSns: SnsFetch) {
  const certificates = new Map<string, Promise<SigningCertificate>>()

  async function certificateAt(url: string): Promise<Result<SigningCertificate, SnsRefusal>> {
    let pending = certificates.get(url)
    if (pending === undefined) {
      pending = downloadCertificate(fetchSns, url)
      certificates.set(url, pending)
      if (certificates.size > maxCachedCertificates) certificates.delete(certificates.keys().next().value!)
      // A failed download is not kept: the next message tries again.
      pending.catch(() => certificates.get(url) === pending && certificates.delete(url))
    }
    try {
      return ok(await pending)
    } catch (error) {
      return err({ code: 'certificate_unavailable', url, problem: error instanceof Error ? error.message : String(error) })
    }
  }

  return async function verifySnsMessage(message: SnsMessage): Promise<Result<void, SnsRefusal>> {
    const algorithm = { '1': 'RSA-SHA1', '2': 'RSA-SHA256' }[message.SignatureVersion]
    if (algorithm === undefined) return err({ code: 'unsupported_signature_version', version: message.SignatureVersion })
    const certificateUrl = snsCertificateUrlOf(message.SigningCertURL)
    if (certificateUrl === undefined) return err({ code: 'untrusted_certificate_url', url: message.SigningCertURL })
    const certificate = await certificateAt(certificateUrl)
    if (!certificate.ok) return certificate
    const { publicKey, validFrom, validTo } = certificate.value
    const timestamp = new Date(message.Timestamp)
    if (!(timestamp >= validFrom && timestamp <= validTo)) {
      return err({ code: 'timestamp_outside_certificate', timestamp: message.Timestamp, validFrom: validFrom.toISOString(), validTo: validTo.toISOString() })
    }
    const verifier = createVerify(algorithm)
    verifier.update(stringToSign(message), 'utf8')
    let isSigned = false
    try {
      isSigned = verifier.verify(publicKey, message.Signature, 'base64')
    } catch {
      // A signature that is not base64, or of the wrong length, is simply not a signature.
    }
    return isSigned ? ok(undefined) : err({ code: 'bad_signature' })
  }
}

export type SnsVerifier = ReturnType<typeof createSnsVerifier>

async function downloadCertificate(fetchSns: SnsFetch, url: string): Promise<SigningCertificate> {
  const response = await fetchSns(url)
  if (!response.ok) throw new Error(`HTTP ${response.status}`)
  const pem = await response.text()
  // A signing certificate is 2 KB; anything much larger is not one.
  if (pem.length > 64 * 1024) throw new Error('the answer is too large to be a certificate')
  let certificate: X509Certificate
  try {
    certificate = new X509Certificate(pem)
  } catch {
    throw new Error('the answer is not a PEM certificate')
  }
  return { publicKey: certificate.publicKey, validFrom: certificate.validFromDate, validTo: certificate.validToDate }
}
