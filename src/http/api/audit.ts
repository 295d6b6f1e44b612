import { Hono } from 'hono'
import { listAudit } from '../../domain/audit/list-audit.ts'
import type { AppDeps } from '../../domain/deps.ts'
import type { ApiEnv } from './authenticate.ts'
import { auditProblem, problemResponse } from './problems.ts'
import { readQuery } from './read-query.ts'
import { renderAuditPage } from './render.ts'
import { auditQuerySchema } from './schemas.ts'

/** `GET /audit`: the library's audit log, newest first, filtered and paged. Admin keys only. */
export function auditRoutes(deps: Pick<AppDeps, 'db'>): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>()

  routes.get('/audit', async (c) => {
    const query = readQuery(c, auditQuerySchema)
    if (!query.ok) return problemResponse(query.error)
    const { libraryId, actor } = c.get('caller')
    const page = await listAudit(deps, { libraryId, actor, filters: query.value })
    return page.ok ? c.json(renderAuditPage(page.value)) : problemResponse(auditProblem(page.error))
  })

  return routes
}
