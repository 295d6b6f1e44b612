import { Hono } from 'hono'
import type { AppDeps } from '../../domain/deps.ts'
import { approvePurge } from '../../domain/purge/approve-purge.ts'
import { listPurgeCandidates } from '../../domain/purge/list-purge-candidates.ts'
import { rejectPurge } from '../../domain/purge/reject-purge.ts'
import { requestPurge } from '../../domain/purge/request-purge.ts'
import { showPurgeRequest } from '../../domain/purge/show-purge-request.ts'
import type { ApiEnv } from './authenticate.ts'
import { purgeProblem } from './batch-problems.ts'
import { problemResponse, routeNotFound } from './problems.ts'
import {
  newPurgeRequestSchema,
  purgeCandidatesQuerySchema,
  purgeIdParam,
  renderPurgeCandidates,
  renderPurgeOutcome,
  renderPurgeRequest,
} from './purge-schemas.ts'
import { readBody } from './read-body.ts'
import { readQuery } from './read-query.ts'

/**
 * `/purge`: deactivated patrons purged with a second admin's approval (seed 004). Admin keys only.
 * A request changes nothing; another key approves it, and the approval runs it to its end.
 */
export function purgeRoutes(deps: Pick<AppDeps, 'db' | 'clock'>): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>()

  routes.get('/purge/candidates', async (c) => {
    const query = readQuery(c, purgeCandidatesQuerySchema)
    if (!query.ok) return problemResponse(query.error)
    const { libraryId, actor } = c.get('caller')
    const { page = 1, pageSize = 20, academicLevel, group } = query.value
    const found = await listPurgeCandidates(deps, { libraryId, actor, page, pageSize, filter: { academicLevel, group } })
    return found.ok ? c.json(renderPurgeCandidates(found.value)) : problemResponse(purgeProblem(found.error))
  })

  routes.post('/purge', async (c) => {
    const body = await readBody(c, newPurgeRequestSchema)
    if (!body.ok) return problemResponse(body.error)
    const { libraryId, actor } = c.get('caller')
    const asked = await requestPurge(deps, { libraryId, actor, usernames: body.value.usernames, markLoansLost: body.value.markLoansLost })
    return asked.ok ? c.json(renderPurgeRequest(asked.value), 202) : problemResponse(purgeProblem(asked.error))
  })

  routes.get('/purge/:id', async (c) => {
    const requestId = idOf(c.req.param('id'))
    if (requestId === undefined) return problemResponse(routeNotFound)
    const { libraryId, actor } = c.get('caller')
    const shown = await showPurgeRequest(deps, { libraryId, actor, requestId })
    return shown.ok ? c.json(renderPurgeRequest(shown.value)) : problemResponse(purgeProblem(shown.error))
  })

  routes.post('/purge/:id/approve', async (c) => {
    const requestId = idOf(c.req.param('id'))
    if (requestId === undefined) return problemResponse(routeNotFound)
    const { libraryId, actor } = c.get('caller')
    const done = await approvePurge(deps, { libraryId, actor, requestId })
    return done.ok ? c.json(renderPurgeOutcome(done.value)) : problemResponse(purgeProblem(done.error))
  })

  routes.post('/purge/:id/reject', async (c) => {
    const requestId = idOf(c.req.param('id'))
    if (requestId === undefined) return problemResponse(routeNotFound)
    const { libraryId, actor } = c.get('caller')
    const rejected = await rejectPurge(deps, { libraryId, actor, requestId })
    return rejected.ok ? c.json(renderPurgeRequest(rejected.value)) : problemResponse(purgeProblem(rejected.error))
  })

  return routes
}

// A number past a Postgres integer names no request, rather than failing the query.
const idOf = (value: string): number | undefined => (purgeIdParam.safeParse(value).success && Number(value) <= 2_147_483_647 ? Number(value) : undefined)
