import { once } from 'node:events'
import { createServer } from 'node:http'

/**
 * A tiny stand-in for Slack's Web API and response_urls, so a benchmark never leaves the
 * machine: every method answers `{ ok: true }` (auth.test with an identity).
 */
export async function startFakeSlackApi(): Promise<{ apiUrl: string; responseUrl(id: number): string; calls: number; close(): Promise<void> }> {
  const state = { calls: 0 }
  const server = createServer((request, response) => {
    request.resume()
    request.on('end', () => {
      state.calls += 1
      const method = (request.url ?? '').replace(/^\/api\//, '').split('?')[0]
      const reply =
        method === 'auth.test'
          ? { ok: true, url: 'https://bench.slack.com/', team: 'Bench', user: 'library-comms', team_id: 'T0BENCH', user_id: 'U0BOT', bot_id: 'B0BOT' }
          : { ok: true }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply))
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  return {
    apiUrl: `${base}/api/`,
    responseUrl: (id) => `${base}/response/${id}`,
    get calls() {
      return state.calls
    },
    async close() {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    },
  }
}
