import { type ScenarioName, scenarioTitle } from '../scenarios/catalogue.ts'
import { defaultTemplates } from './defaults.ts'
import type { StoredTemplate } from './queries.ts'
import type { TemplateSource } from './render.ts'

/** A scenario's template as every door shows it: the library's own (`custom`), or the default. */
export type ScenarioTemplate = TemplateSource & {
  scenario: ScenarioName
  title: string
  custom: boolean
  /** Who saved the library's own template, and when; null for the default. */
  updatedBy: string | null
  updatedAt: Date | null
}

export function scenarioTemplateOf(scenario: ScenarioName, stored: StoredTemplate | undefined): ScenarioTemplate {
  const source = stored ?? defaultTemplates[scenario]
  return {
    scenario,
    title: scenarioTitle(scenario),
    subject: source.subject,
    html: source.html,
    text: source.text,
    custom: stored !== undefined,
    updatedBy: stored?.updatedBy ?? null,
    updatedAt: stored?.updatedAt ?? null,
  }
}
