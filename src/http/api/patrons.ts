import { Hono } from 'hono'
import type { AppDeps } from '../../domain/deps.ts'
import { setPatronEnabled } from '../../domain/patrons/set-patron-enabled.ts'
import { showPatronByUsername } from '../../domain/patrons/show-patron-by-username.ts'
import { upsertPatrons } from '../../domain/patrons/upsert-patrons.ts'
import type { ApiEnv } from './authenticate.ts'
import { patronChangesSchema } from './patron-schemas.ts'
import { domainProblem, patronEnabledProblem, problemResponse } from './problems.ts'
import { readBody } from './read-body.ts'
import { renderPatron } from './render.ts'
import { patronBatchSchema } from './schemas.ts'

/** `POST /patrons` (upsert a batch), `GET /patrons/{username}`, and `PATCH /patrons/{username}` (deactivate or reactivate). */
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

  routes.patch('/patrons/:username', async (c) => {
    const changes = await readBody(c, patronChangesSchema)
    if (!changes.ok) return problemResponse(changes.error)
    const { libraryId, actor } = c.get('caller')
    const result = await setPatronEnabled(deps, { libraryId, username: c.req.param('username'), enabled: changes.value.enabled, actor })
    return result.ok ? c.json(renderPatron(result.value)) : problemResponse(patronEnabledProblem(result.error))
  })

  return routes
}
