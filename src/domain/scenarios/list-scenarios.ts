import type { Db } from '../../db/database.ts'
import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import { scenarioCatalogue } from './catalogue.ts'
import type { ScenarioError } from './errors.ts'
import { countRecentMessages, findCustomTemplates, findLastNightlyRun, findLibrarySettings } from './queries.ts'
import { groupOf, hasExclusions, noMessages, type ScenarioOverview } from './scenario-view.ts'
import { loadScenarioSettings } from './settings.ts'

const nightlyScenarios = scenarioCatalogue.filter((s) => s.trigger === 'nightly').map((s) => s.name)
const eventScenarios = scenarioCatalogue.filter((s) => s.trigger === 'event').map((s) => s.name)

// Events happen all day: "lately" for them is the last 24 hours, as a librarian would check.
const eventWindowMs = 24 * 60 * 60 * 1000

/** Every scenario of the library as `/notices` and `GET /scenarios` show it. Viewers may look. */
export async function listScenarios(
  deps: Pick<AppDeps, 'db' | 'clock'>,
  input: { libraryId: number; actor: Actor },
): Promise<Result<ScenarioOverview, ScenarioError>> {
  const refused = checkPermission(input.actor, 'lookUpContacts')
  if (refused) return err(refused)
  const overview = await readScenarioOverview(deps.db, { libraryId: input.libraryId, now: deps.clock.now() })
  return overview ? ok(overview) : err({ code: 'library_not_found', libraryId: input.libraryId })
}

/** The overview, read in a handful of set-based queries; undefined when the library is gone. */
export async function readScenarioOverview(db: Db, input: { libraryId: number; now: Date }): Promise<ScenarioOverview | undefined> {
  const { libraryId } = input
  const settings = await findLibrarySettings(db, libraryId)
  if (!settings) return undefined
  const eventsSince = new Date(input.now.getTime() - eventWindowMs)
  // One after the other: `db` may be a transaction, which has one connection.
  const scenarioSettings = await loadScenarioSettings(db, libraryId)
  const customTemplates = await findCustomTemplates(db, libraryId)
  const lastRun = await findLastNightlyRun(db, libraryId)
  const recent = await countRecentMessages(db, {
    libraryId,
    nightly: nightlyScenarios,
    lastRunAsOf: lastRun?.asOf ?? null,
    events: eventScenarios,
    since: eventsSince,
  })
  return {
    settings,
    lastRun: lastRun ?? null,
    eventsSince,
    scenarios: scenarioCatalogue.map((scenario) => ({
      scenario: scenario.name,
      title: scenario.title,
      group: groupOf(scenario.name),
      trigger: scenario.trigger,
      about: scenario.about,
      applies: scenario.settings,
      hasExclusions: hasExclusions(scenario.name),
      settings: scenarioSettings.find((s) => s.scenario === scenario.name)!,
      template: customTemplates.has(scenario.name) ? 'custom' : 'default',
      recent: recent.get(scenario.name) ?? noMessages,
    })),
  }
}
