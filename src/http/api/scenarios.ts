import { Hono } from 'hono'
import type { AppDeps } from '../../domain/deps.ts'
import { listScenarios } from '../../domain/scenarios/list-scenarios.ts'
import type { ScenarioOverview, ScenarioView } from '../../domain/scenarios/scenario-view.ts'
import { showScenario } from '../../domain/scenarios/show-scenario.ts'
import { updateScenario } from '../../domain/scenarios/update-scenario.ts'
import type { ApiEnv } from './authenticate.ts'
import { type ScenarioBody, type ScenarioListBody, scenarioChangesSchema } from './notice-schemas.ts'
import { problemResponse, scenarioProblem } from './problems.ts'
import { readBody } from './read-body.ts'

/** `/scenarios`: every scenario as the library runs it; an admin key changes one. */
export function scenarioRoutes(deps: Pick<AppDeps, 'db' | 'clock'>): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>()

  routes.get('/scenarios', async (c) => {
    const { libraryId, actor } = c.get('caller')
    const listed = await listScenarios(deps, { libraryId, actor })
    return listed.ok ? c.json(renderScenarioList(listed.value)) : problemResponse(scenarioProblem(listed.error))
  })

  routes.get('/scenarios/:id', async (c) => {
    const { libraryId, actor } = c.get('caller')
    const shown = await showScenario(deps, { libraryId, scenario: c.req.param('id'), actor })
    return shown.ok ? c.json(renderScenario(shown.value.scenario)) : problemResponse(scenarioProblem(shown.error))
  })

  routes.patch('/scenarios/:id', async (c) => {
    const body = await readBody(c, scenarioChangesSchema)
    if (!body.ok) return problemResponse(body.error)
    const { libraryId, actor } = c.get('caller')
    const updated = await updateScenario(deps, { libraryId, scenario: c.req.param('id'), changes: body.value, actor })
    return updated.ok ? c.json(renderScenario(updated.value)) : problemResponse(scenarioProblem(updated.error))
  })

  return routes
}

function renderScenarioList(overview: ScenarioOverview): ScenarioListBody {
  const run = overview.lastRun
  return {
    lastNightlyRun: run && {
      asOf: run.asOf,
      status: run.status,
      startedAt: run.startedAt.toISOString(),
      finishedAt: run.finishedAt?.toISOString() ?? null,
    },
    eventsSince: overview.eventsSince.toISOString(),
    scenarios: overview.scenarios.map(renderScenario),
  }
}

/** A scenario with the settings that apply to it only: a field it shows is a field it takes. */
function renderScenario(view: ScenarioView): ScenarioBody {
  const { settings } = view
  const applies = (name: ScenarioView['applies'][number]) => view.applies.includes(name)
  return {
    id: view.scenario,
    title: view.title,
    group: view.group,
    trigger: view.trigger,
    about: view.about,
    settings: [...view.applies],
    enabled: settings.enabled,
    ...(applies('daysBefore') && settings.daysBefore !== null && { daysBefore: settings.daysBefore }),
    ...(applies('frequency') && settings.frequency !== null && { frequency: settings.frequency }),
    ...(applies('daysOverdue') && settings.daysOverdue !== null && { daysOverdue: settings.daysOverdue }),
    ...(view.hasExclusions && { excludeAcademicLevels: settings.excludeAcademicLevels, excludeGroups: settings.excludeGroups }),
    template: view.template,
    recent: view.recent,
  }
}
