import { recordAudit } from '../audit/record-audit.ts'
import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import { isScenarioName } from '../scenarios/catalogue.ts'
import { type Actor, actorLabel } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { TemplateError } from './errors.ts'
import { deleteTemplate } from './queries.ts'
import { sourceOf } from './save-template.ts'
import { type ScenarioTemplate, scenarioTemplateOf } from './template-view.ts'

/**
 * Goes back to the default template of a scenario: the library's own is deleted (audited with
 * what it was). Returns the default. Resetting a scenario already on its default changes nothing.
 */
export async function resetTemplate(
  deps: Pick<AppDeps, 'db'>,
  input: { libraryId: number; scenario: string; actor: Actor },
): Promise<Result<ScenarioTemplate, TemplateError>> {
  const refused = checkPermission(input.actor, 'editTemplates')
  if (refused) return err(refused)
  const { scenario } = input
  if (!isScenarioName(scenario)) return err({ code: 'unknown_scenario', scenario })
  return deps.db.transaction().execute(async (tx) => {
    const deleted = await deleteTemplate(tx, { libraryId: input.libraryId, scenario })
    if (deleted) {
      await recordAudit(tx, {
        libraryId: input.libraryId,
        actor: actorLabel(input.actor.ref),
        action: 'template.reset',
        subjectType: 'template',
        subjectId: scenario,
        before: sourceOf(deleted),
        after: null,
      })
    }
    return ok(scenarioTemplateOf(scenario, undefined))
  })
}
