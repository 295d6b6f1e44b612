import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import { scenarioNames } from '../scenarios/catalogue.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { TemplateError } from './errors.ts'
import { findStoredTemplates } from './queries.ts'
import { type ScenarioTemplate, scenarioTemplateOf } from './template-view.ts'

/** Every scenario's template, in catalogue order: the library's own, or the default. */
export async function listTemplates(deps: Pick<AppDeps, 'db'>, input: { libraryId: number; actor: Actor }): Promise<Result<ScenarioTemplate[], TemplateError>> {
  const refused = checkPermission(input.actor, 'editTemplates')
  if (refused) return err(refused)
  const stored = await findStoredTemplates(deps.db, { libraryId: input.libraryId })
  return ok(
    scenarioNames.map((scenario) =>
      scenarioTemplateOf(
        scenario,
        stored.find((row) => row.scenario === scenario),
      ),
    ),
  )
}
