import { Hono } from 'hono'
import type { AppDeps } from '../../domain/deps.ts'
import { showPatronByUsername } from '../../domain/patrons/show-patron-by-username.ts'
import { upsertPatrons } from '../../domain/patrons/upsert-patrons.ts'
import type { ApiEnv } from './authenticate.ts'
import { domainProblem, problemResponse } from './problems.ts'
import { readBody } from './read-body.ts'
import { renderPatron } from './render.ts'
import { patronBatchSchema } from './schemas.ts'

/** `POST /patrons` (upsert a batch) and `GET /patrons/{username}`. */
export function patronRoutes(deps: Pick<AppDeps, 'db' | 'clock'>): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>()

  routes.post('/patrons', async (c) => {
    const batch = await readBody(c, patronBatchSchema)
    if (!batch.ok) return problemResponse(batch.error)
    const { libraryId, actor } = c.get('caller')
    const result = await upsertPatrons(deps, { libraryId, patrons: batch.value, actor })
    return result.ok ? c.json(result.value) : problemResponse(domainProblem(result.error))
  })

  routes.get('/patrons/:username', async (c) => {
    const { libraryId, actor } = c.get('caller')
    const result = await showPatronByUsername(deps, { libraryId, username: c.req.param('username'), actor })
    return result.ok ? c.json(renderPatron(result.value)) : problemResponse(domainProblem(result.error))
  })

  return routes
}
