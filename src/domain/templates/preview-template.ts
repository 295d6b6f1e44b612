import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import { isScenarioName, type ScenarioName } from '../scenarios/catalogue.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { TemplateError } from './errors.ts'
import { type PreviewSource, previewContext } from './preview-context.ts'
import { findLibraryDay, findStoredTemplates } from './queries.ts'
import { compileTemplate, type RenderedEmail, TemplateRenderError, type TemplateSource } from './render.ts'
import { scenarioTemplateOf } from './template-view.ts'
import { validateTemplate } from './validate-template.ts'

/** A template rendered as it would go out, and with whose data. */
export type TemplatePreview = {
  scenario: ScenarioName
  email: RenderedEmail
  source: PreviewSource
  /** Whom such a notice would reach: the patron's contacts for this scenario, or the supplier. */
  recipients: Array<{ kind: 'to' | 'bcc'; address: string }>
}

export type PreviewInput = {
  libraryId: number
  scenario: string
  /** A template being edited; without it, the one the library sends. */
  draft?: TemplateSource
  /** The patron whose data to show; without it, one who has data for the scenario. */
  username?: string
  actor: Actor
}

/**
 * Renders a scenario's template, or a draft of it, with a real patron's data (see
 * `previewContext`), or a made-up example where the library has none. It shows patrons' names
 * and loans, and belongs to editing: it takes `editTemplates`, as saving does.
 */
export async function previewTemplate(deps: Pick<AppDeps, 'db' | 'clock'>, input: PreviewInput): Promise<Result<TemplatePreview, TemplateError>> {
  const refused = checkPermission(input.actor, 'editTemplates')
  if (refused) return err(refused)
  const { scenario } = input
  if (!isScenarioName(scenario)) return err({ code: 'unknown_scenario', scenario })
  const day = await findLibraryDay(deps.db, { libraryId: input.libraryId, now: deps.clock.now() })
  if (day === undefined) throw new Error(`library ${input.libraryId} does not exist`)

  let source: TemplateSource
  if (input.draft) {
    const faults = validateTemplate(scenario, input.draft, { libraryName: day.name, today: day.today })
    if (faults.length > 0) return err({ code: 'invalid_template', scenario, faults })
    source = input.draft
  } else {
    const [stored] = await findStoredTemplates(deps.db, { libraryId: input.libraryId, scenario })
    source = scenarioTemplateOf(scenario, stored)
  }

  const data = await previewContext(deps.db, { libraryId: input.libraryId, scenario, username: input.username, libraryName: day.name, today: day.today })
  if (!data.ok) return data
  try {
    const email = compileTemplate(source).render(data.value.context)
    return ok({ scenario, email, source: data.value.source, recipients: data.value.recipients })
  } catch (error) {
    // Real data can still break a template that an example did not (a loop over a long list).
    if (!(error instanceof TemplateRenderError)) throw error
    return err({ code: 'invalid_template', scenario, faults: [error.fault] })
  }
}
