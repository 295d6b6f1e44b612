import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { isSignedBySlack } from '../../src/bot/verify-signature.ts'

// Slack's published test vector (docs: "Verifying requests from Slack"), copied from ../shared/fixtures.
const vector = JSON.parse(readFileSync(new URL('./fixtures/slack-signing-vector.json', import.meta.url), 'utf8'))
const atTimestamp = new Date(Number(vector.timestamp) * 1000)
const signed = (overrides: Partial<Parameters<typeof isSignedBySlack>[0]> = {}) =>
  isSignedBySlack({
    signingSecret: vector.signing_secret,
    rawBody: vector.body,
    timestamp: vector.timestamp,
    signature: vector.expected_signature,
    now: atTimestamp,
    ...overrides,
  })

describe('checking that a request comes from Slack', () => {
  test('accepts the request Slack documents, at its time', () => {
    expect(signed()).toBe(true)
  })

  test('refuses it with one byte of the body changed', () => {
    const tampered = vector.negative_cases.find((c: { case: string }) => c.case === 'one byte of body changed').body
    expect(signed({ rawBody: tampered })).toBe(false)
  })

  test('refuses it with one character of the signature changed', () => {
    const signature = vector.expected_signature.replace(/.$/, (c: string) => (c === '0' ? '1' : '0'))
    expect(signed({ signature })).toBe(false)
  })

  test('refuses it more than five minutes late, or from more than five minutes ahead', () => {
    expect(signed({ now: new Date((Number(vector.timestamp) + 301) * 1000) })).toBe(false)
    expect(signed({ now: new Date((Number(vector.timestamp) - 301) * 1000) })).toBe(false)
    expect(signed({ now: new Date((Number(vector.timestamp) + 299) * 1000) })).toBe(true)
  })

  test('refuses a body parsed and encoded again, a missing header, or another secret', () => {
    const reencoded = new URLSearchParams(Object.fromEntries(new URLSearchParams(vector.body))).toString().replace(/%2F/g, '/')
    expect(signed({ rawBody: reencoded })).toBe(false)
    expect(signed({ signature: undefined })).toBe(false)
    expect(signed({ timestamp: undefined })).toBe(false)
    expect(signed({ signingSecret: 'another-secret' })).toBe(false)
  })
})
