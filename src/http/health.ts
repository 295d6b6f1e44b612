import { Hono } from 'hono'

/** Liveness answers while the process lives; readiness only once the database is migrated and answers. */
export function healthRoutes(isReady: () => Promise<boolean>): Hono {
  const app = new Hono()
  app.get('/healthz', (c) => c.json({ status: 'ok' }))
  app.get('/readyz', async (c) => {
    const ready = await isReady().catch(() => false)
    return ready ? c.json({ status: 'ready' }) : c.json({ status: 'starting' }, 503)
  })
  return app
}
