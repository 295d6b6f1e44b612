import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SESv2Client } from '@aws-sdk/client-sesv2'

/**
 * A small stand-in for SES v2's suppression-list API (aws-ses-v2-local does not speak it):
 * `GET /v2/email/suppression/addresses` paged with NextToken and filtered by StartDate, and
 * `DELETE /v2/email/suppression/addresses/{EmailAddress}` (404 NotFoundException when absent).
 */
export async function startFakeSesSuppression(options: { pageSize?: number } = {}) {
  const suppressed = new Map<string, { reason: 'BOUNCE' | 'COMPLAINT'; at: Date }>()
  const requests: Array<{ method: string; path: string; query: Record<string, string> }> = []
  let failNext: number | null = null
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://fake')
    requests.push({ method: request.method ?? '', path: decodeURIComponent(url.pathname), query: Object.fromEntries(url.searchParams) })
    const reply = (status: number, body: unknown, errorType?: string) => {
      response.writeHead(status, { 'content-type': 'application/json', ...(errorType && { 'x-amzn-errortype': errorType }) })
      response.end(JSON.stringify(body))
    }
    if (failNext !== null) {
      const status = failNext
      failNext = null
      return reply(status, { message: 'Service unavailable' }, 'InternalFailure')
    }
    if (request.method === 'GET' && url.pathname === '/v2/email/suppression/addresses') {
      const since = url.searchParams.get('StartDate')
      const all = [...suppressed].filter(([, entry]) => !since || entry.at >= new Date(since)).sort(([a], [b]) => a.localeCompare(b))
      const size = Math.min(Number(url.searchParams.get('PageSize') ?? 1000), options.pageSize ?? 1000)
      const start = Number(url.searchParams.get('NextToken') ?? 0)
      const page = all.slice(start, start + size)
      return reply(200, {
        SuppressedDestinationSummaries: page.map(([address, entry]) => ({
          EmailAddress: address,
          Reason: entry.reason,
          LastUpdateTime: entry.at.getTime() / 1000,
        })),
        ...(start + size < all.length && { NextToken: String(start + size) }),
      })
    }
    const deleting = /^\/v2\/email\/suppression\/addresses\/(.+)$/.exec(url.pathname)
    if (request.method === 'DELETE' && deleting) {
      const address = decodeURIComponent(deleting[1])
      if (!suppressed.delete(address))
        return reply(404, { message: `Email address (${address}) does not exist on your suppression list.` }, 'NotFoundException')
      return reply(200, {})
    }
    reply(404, { message: 'unknown operation' }, 'UnknownOperationException')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    endpoint,
    /** An SES v2 client aimed at the fake, with test credentials. */
    client: () => new SESv2Client({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' }, maxAttempts: 1 }),
    suppress(address: string, reason: 'BOUNCE' | 'COMPLAINT' = 'BOUNCE', at = new Date('2026-03-01T00:00:00Z')) {
      suppressed.set(address, { reason, at })
    },
    isSuppressed: (address: string) => suppressed.has(address),
    /** The next request answers 500, as SES does when it is down. */
    failNext: () => (failNext = 500),
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

export type FakeSesSuppression = Awaited<ReturnType<typeof startFakeSesSuppression>>
