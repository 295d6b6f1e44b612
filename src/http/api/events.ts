import { Hono } from 'hono'
import type { AppDeps } from '../../domain/deps.ts'
import { defaultEventsLimit, listEvents } from '../../domain/events/list-events.ts'
import type { ApiEnv } from './authenticate.ts'
import type { EventsPageBody } from './event-schemas.ts'
import { eventsQuerySchema } from './event-schemas.ts'
import { eventsProblem, problemResponse } from './problems.ts'
import { readQuery } from './read-query.ts'

/** `GET /events`: what library-comms changed that the library system should know, in id order, resumable by id. */
export function eventRoutes(deps: Pick<AppDeps, 'db'>): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>()

  routes.get('/events', async (c) => {
    const query = readQuery(c, eventsQuerySchema)
    if (!query.ok) return problemResponse(query.error)
    const { libraryId, actor } = c.get('caller')
    const { after, limit = defaultEventsLimit } = query.value
    const page = await listEvents(deps, { libraryId, actor, ...(after !== undefined && { after }), limit })
    if (!page.ok) return problemResponse(eventsProblem(page.error))
    const body: EventsPageBody = {
      events: page.value.events.map((event) => ({ ...event, at: event.at.toISOString() }) as EventsPageBody['events'][number]),
      next: page.value.next,
    }
    return c.json(body)
  })

  return routes
}
