import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import { isScenarioName } from '../scenarios/catalogue.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { TemplateError } from './errors.ts'
import { findStoredTemplates } from './queries.ts'
import { type ScenarioTemplate, scenarioTemplateOf } from './template-view.ts'

/** A scenario's template as the library sends it: its own, or the default. For those who edit templates. */
export async function getTemplate(
  deps: Pick<AppDeps, 'db'>,
  input: { libraryId: number; scenario: string; actor: Actor },
): Promise<Result<ScenarioTemplate, TemplateError>> {
  const refused = checkPermission(input.actor, 'editTemplates')
  if (refused) return err(refused)
  const { scenario } = input
  if (!isScenarioName(scenario)) return err({ code: 'unknown_scenario', scenario })
  const [stored] = await findStoredTemplates(deps.db, { libraryId: input.libraryId, scenario })
  return ok(scenarioTemplateOf(scenario, stored))
}
