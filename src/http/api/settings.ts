import { Hono } from 'hono'
import type { AppDeps } from '../../domain/deps.ts'
import { getLibrarySettings } from '../../domain/scenarios/get-library-settings.ts'
import { updateLibrarySettings } from '../../domain/scenarios/update-library-settings.ts'
import type { ApiEnv } from './authenticate.ts'
import { librarySettingsChangesSchema } from './notice-schemas.ts'
import { librarySettingsProblem, problemResponse } from './problems.ts'
import { readBody } from './read-body.ts'

/** `/settings`: the library's notice settings, read by any key, changed by an admin key. */
export function settingsRoutes(deps: Pick<AppDeps, 'db'>): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>()

  routes.get('/settings', async (c) => {
    const { libraryId, actor } = c.get('caller')
    const settings = await getLibrarySettings(deps, { libraryId, actor })
    return settings.ok ? c.json(settings.value) : problemResponse(librarySettingsProblem(settings.error))
  })

  routes.patch('/settings', async (c) => {
    const body = await readBody(c, librarySettingsChangesSchema)
    if (!body.ok) return problemResponse(body.error)
    const { libraryId, actor } = c.get('caller')
    const updated = await updateLibrarySettings(deps, { libraryId, changes: body.value, actor })
    return updated.ok ? c.json(updated.value) : problemResponse(librarySettingsProblem(updated.error))
  })

  return routes
}
