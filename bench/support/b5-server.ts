// B5's two servers, each in a process of its own started as `npm start` starts the service:
// `webhook` is the service itself (its SNS certificates served from B5_CERTIFICATE_FILE, as
// tests serve them, so nothing reaches the network); `bare` is a Hono route answering 200.
import { readFileSync } from 'node:fs'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import pino from 'pino'
import { loadConfig } from '../../src/config.ts'
import { startService } from '../../src/main.ts'

const mode = process.argv[2]
if (mode === 'bare') {
  const app = new Hono()
  app.get('/readyz', (c) => c.body(null, 200))
  app.post('/webhooks/ses', (c) => c.body(null, 200))
  serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' })
} else if (mode === 'webhook') {
  const certificate = readFileSync(process.env.B5_CERTIFICATE_FILE!, 'utf8')
  const service = await startService(loadConfig(), {
    logger: pino({ level: process.env.LOG_LEVEL ?? 'warn' }),
    fetchSns: async () => new Response(certificate),
    nightly: false,
    dispatch: false,
  })
  process.on('SIGTERM', () => void service.stop().then(() => process.exit(0)))
} else {
  process.stderr.write('usage: b5-server.ts bare|webhook\n')
  process.exit(2)
}
