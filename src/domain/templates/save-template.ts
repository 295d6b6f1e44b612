import { recordAudit } from '../audit/record-audit.ts'
import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import { isScenarioName } from '../scenarios/catalogue.ts'
import { type Actor, actorLabel } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { TemplateError } from './errors.ts'
import { findLibraryDay, findStoredTemplates, upsertTemplate } from './queries.ts'
import type { TemplateSource } from './render.ts'
import { type ScenarioTemplate, scenarioTemplateOf } from './template-view.ts'
import { validateTemplate } from './validate-template.ts'

/**
 * Saves the library's own template of a scenario, in place of the default or of the one it had.
 * A template with any fault (a syntax error, a placeholder the scenario does not offer, a part
 * that fails to render) is refused whole, naming each fault's part, line and column. Audited.
 */
export async function saveTemplate(
  deps: Pick<AppDeps, 'db' | 'clock'>,
  input: { libraryId: number; scenario: string; source: TemplateSource; actor: Actor },
): Promise<Result<ScenarioTemplate, TemplateError>> {
  const refused = checkPermission(input.actor, 'editTemplates')
  if (refused) return err(refused)
  const { scenario } = input
  if (!isScenarioName(scenario)) return err({ code: 'unknown_scenario', scenario })
  const source = { subject: input.source.subject, html: input.source.html, text: input.source.text }
  const day = await findLibraryDay(deps.db, { libraryId: input.libraryId, now: deps.clock.now() })
  if (day === undefined) throw new Error(`library ${input.libraryId} does not exist`)
  const faults = validateTemplate(scenario, source, { libraryName: day.name, today: day.today })
  if (faults.length > 0) return err({ code: 'invalid_template', scenario, faults })

  return deps.db.transaction().execute(async (tx) => {
    const [before] = await findStoredTemplates(tx, { libraryId: input.libraryId, scenario })
    const saved = await upsertTemplate(tx, { libraryId: input.libraryId, scenario, source, updatedBy: actorLabel(input.actor.ref), at: deps.clock.now() })
    await recordAudit(tx, {
      libraryId: input.libraryId,
      actor: actorLabel(input.actor.ref),
      action: 'template.saved',
      subjectType: 'template',
      subjectId: scenario,
      // No template before: the library was sending the default.
      before: before ? sourceOf(before) : null,
      after: sourceOf(saved),
    })
    return ok(scenarioTemplateOf(scenario, saved))
  })
}

export const sourceOf = (template: TemplateSource): TemplateSource => ({ subject: template.subject, html: template.html, text: template.text })
