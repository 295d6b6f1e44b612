import { Hono } from 'hono'
import type { AppDeps } from '../../domain/deps.ts'
import { getTemplate } from '../../domain/templates/get-template.ts'
import { listTemplates } from '../../domain/templates/list-templates.ts'
import { resetTemplate } from '../../domain/templates/reset-template.ts'
import { saveTemplate } from '../../domain/templates/save-template.ts'
import type { ApiEnv } from './authenticate.ts'
import { templateBodySchema } from './notice-schemas.ts'
import { problemResponse, templateProblem } from './problems.ts'
import { readBody } from './read-body.ts'
import { renderTemplate } from './render.ts'

/** Each scenario's template: read every one, read one, save the library's own, or go back to the default. Admin keys only. */
export function templateRoutes(deps: Pick<AppDeps, 'db' | 'clock'>): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>()

  routes.get('/templates', async (c) => {
    const { libraryId, actor } = c.get('caller')
    const listed = await listTemplates(deps, { libraryId, actor })
    return listed.ok ? c.json({ templates: listed.value.map(renderTemplate) }) : problemResponse(templateProblem(listed.error))
  })

  routes.get('/templates/:scenario', async (c) => {
    const { libraryId, actor } = c.get('caller')
    const shown = await getTemplate(deps, { libraryId, scenario: c.req.param('scenario'), actor })
    return shown.ok ? c.json(renderTemplate(shown.value)) : problemResponse(templateProblem(shown.error))
  })

  routes.put('/templates/:scenario', async (c) => {
    const body = await readBody(c, templateBodySchema)
    if (!body.ok) return problemResponse(body.error)
    const { libraryId, actor } = c.get('caller')
    const saved = await saveTemplate(deps, { libraryId, scenario: c.req.param('scenario'), source: body.value, actor })
    return saved.ok ? c.json(renderTemplate(saved.value)) : problemResponse(templateProblem(saved.error))
  })

  // Answers the default, so the caller sees at once what the scenario now sends.
  routes.delete('/templates/:scenario', async (c) => {
    const { libraryId, actor } = c.get('caller')
    const reset = await resetTemplate(deps, { libraryId, scenario: c.req.param('scenario'), actor })
    return reset.ok ? c.json(renderTemplate(reset.value)) : problemResponse(templateProblem(reset.error))
  })

  return routes
}
