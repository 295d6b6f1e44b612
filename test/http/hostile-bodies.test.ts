import http from 'node:http'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createApiKey } from '../../src/domain/api-keys/create-api-key.ts'
import { cliActor } from '../../src/domain/staff/actors.ts'
import { givenLibrary } from '../support/builders.ts'
import { type SlackTestService, startServiceWithSlack } from '../support/slack-request.ts'

let slack: SlackTestService
beforeAll(async () => (slack = await startServiceWithSlack()))
afterAll(async () => slack.stop())

const mb = 1024 * 1024

/**
 * Sends up to `totalBytes` as a chunked body (no Content-Length), as fast as the server reads
 * it, and says what came back and how much the server had taken when it answered.
 */
function sendChunked(url: string, headers: Record<string, string>, totalBytes: number): Promise<{ status: number; bytesSent: number }> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(64 * 1024, 'a')
    let bytesSent = 0
    const request = http.request(url, { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } }, (response) => {
      response.resume()
      response.on('end', () => resolve({ status: response.statusCode ?? 0, bytesSent }))
    })
    request.on('error', reject)
    const pump = () => {
      while (bytesSent < totalBytes) {
        bytesSent += chunk.length
        if (!request.write(chunk)) return void request.once('drain', pump)
      }
      request.end()
    }
    pump()
  })
}

describe('a body too large for its door is refused as it arrives, however it is sent', () => {
  test('an unsigned chunked body to /slack/events is answered 413 after its first megabyte, not read whole', async () => {
    const answer = await sendChunked(slack.eventsUrl, { 'content-type': 'application/x-www-form-urlencoded' }, 400 * mb)
    expect(answer.status).toBe(413)
    expect(answer.bytesSent).toBeLessThan(64 * mb)
  })

  test('a chunked JSON body to the API over its limit is answered 413 as it streams', async () => {
    const lib = await givenLibrary(slack.service.deps)
    const created = await createApiKey(slack.service.deps, { libraryId: lib.id, name: 'SIS', actor: cliActor })
    if (!created.ok) throw new Error(created.error.code)
    const url = `http://127.0.0.1:${slack.service.port}/api/v1/patrons`
    const answer = await sendChunked(url, { 'content-type': 'application/json', authorization: `Bearer ${created.value.key}` }, 400 * mb)
    expect(answer.status).toBe(413)
    expect(answer.bytesSent).toBeLessThan(64 * mb)
  })

  test('a chunked body without a key is answered 401 and not read', async () => {
    const url = `http://127.0.0.1:${slack.service.port}/api/v1/patrons`
    const answer = await sendChunked(url, { 'content-type': 'application/json' }, 400 * mb)
    expect(answer.status).toBe(401)
    expect(answer.bytesSent).toBeLessThan(64 * mb)
  })
})
