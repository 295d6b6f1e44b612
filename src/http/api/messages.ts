import { Hono } from 'hono'
import type { AppDeps } from '../../domain/deps.ts'
import { listMessages } from '../../domain/notices/list-messages.ts'
import type { ApiEnv } from './authenticate.ts'
import { messagesQuerySchema } from './notice-schemas.ts'
import { emailLogProblem, problemResponse } from './problems.ts'
import { readQuery } from './read-query.ts'
import { renderEmailLogPage } from './render.ts'

/** `GET /messages`: the library's email log, newest first, filtered and paged. */
export function messageRoutes(deps: Pick<AppDeps, 'db'>): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>()

  routes.get('/messages', async (c) => {
    const query = readQuery(c, messagesQuerySchema)
    if (!query.ok) return problemResponse(query.error)
    const { libraryId, actor } = c.get('caller')
    const page = await listMessages(deps, { libraryId, actor, filters: query.value })
    return page.ok ? c.json(renderEmailLogPage(page.value)) : problemResponse(emailLogProblem(page.error))
  })

  return routes
}
