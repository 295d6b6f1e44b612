import { type Context, Hono } from 'hono'
import type { Logger } from 'pino'
import { healthRoutes } from './health.ts'

type HttpDoors = {
  isReady: () => Promise<boolean>
  logger: Logger
  /** Slack's HTTP mode: commands, interactivity and events (absent when Slack is off or in Socket Mode). */
  slack?: (c: Context) => Promise<Response>
  /** `/api/v1`, once the database is open. */
  api?: () => Hono | undefined
  /** `POST /webhooks/ses`: SNS messages from SES (src/http/ses-webhook.ts). */
  sesWebhook?: (c: Context) => Promise<Response>
  /** `/unsubscribe/<token>`, recipients' links in notices, once the database is open. */
  unsubscribe?: () => Hono | undefined
}

/** The one HTTP server: Slack, the API, the SES webhook, recipients' unsubscribe links, and health. */
export function createHttpApp(doors: HttpDoors): Hono {
  const app = new Hono()
  app.route('/', healthRoutes(doors.isReady))
  app.post('/slack/events', async (c) => {
    if (!doors.slack) return c.json({ error: 'Slack is not configured in HTTP mode on this server' }, 404)
    return doors.slack(c)
  })
  app.post('/webhooks/ses', async (c) => {
    if (!doors.sesWebhook) return c.json({ error: 'the SES webhook is not served here' }, 404)
    return doors.sesWebhook(c)
  })
  app.all('/api/v1/*', async (c) => {
    const api = doors.api?.()
    if (!api) return c.json({ type: 'about:blank', title: 'Service is starting', status: 503 }, 503, { 'content-type': 'application/problem+json' })
    return api.fetch(c.req.raw)
  })
  app.on(['GET', 'POST'], '/unsubscribe/*', async (c) => {
    const unsubscribe = doors.unsubscribe?.()
    if (!unsubscribe) return c.text('The service is starting: try again in a minute.', 503, { 'retry-after': '30' })
    return unsubscribe.fetch(c.req.raw)
  })
  app.onError((error, c) => {
    doors.logger.error({ err: error, path: c.req.path }, 'request failed')
    return c.json({ type: 'about:blank', title: 'Internal Server Error', status: 500 }, 500, { 'content-type': 'application/problem+json' })
  })
  return app
}
