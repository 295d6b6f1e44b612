import { recordAudit } from '../audit/record-audit.ts'
import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import { type Actor, actorLabel } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import { isScenarioName, type ScenarioName, scenarioOf } from './catalogue.ts'
import type { ScenarioError, ScenarioProblem } from './errors.ts'
import { readScenarioOverview } from './list-scenarios.ts'
import { findNamed, lockLibrarySettings, replaceExclusions, upsertScenarioSettings } from './queries.ts'
import { checkScenarioChanges, type ScenarioChanges, unknownNamesProblem } from './scenario-changes.ts'
import type { ScenarioView } from './scenario-view.ts'
import { loadScenarioSettings, type ScenarioSettings } from './settings.ts'

type UpdateScenarioInput = { libraryId: number; scenario: string; changes: ScenarioChanges; actor: Actor }

/**
 * Changes some of a scenario's settings: on or off, its schedule, its exclusions. Writes the whole
 * row (defaults filled in) and the exclusions in one transaction, audited with before and after.
 */
export async function updateScenario(deps: Pick<AppDeps, 'db' | 'clock'>, input: UpdateScenarioInput): Promise<Result<ScenarioView, ScenarioError>> {
  const refused = checkPermission(input.actor, 'changeNoticeSettings')
  if (refused) return err(refused)
  const name = input.scenario
  if (!isScenarioName(name)) return err({ code: 'scenario_not_found', scenario: name })
  const { libraryId, changes } = input

  return deps.db.transaction().execute(async (tx) => {
    // Held to the end: two admins moving escalations #1 and #2 at once cannot cross them.
    if (!(await lockLibrarySettings(tx, libraryId))) return err({ code: 'library_not_found', libraryId } as const)
    const current = await loadScenarioSettings(tx, libraryId)
    const before = current.find((s) => s.scenario === name)!
    const problems = checkScenarioChanges(scenarioOf(name), changes, current)
    if (problems.length > 0) return err(invalid(name, problems))

    const levels = await matchNames(tx, libraryId, 'level', changes.excludeAcademicLevels)
    const groups = await matchNames(tx, libraryId, 'group', changes.excludeGroups)
    const unknown = [
      ...(levels.unknown.length > 0 ? [unknownNamesProblem('excludeAcademicLevels', levels.unknown)] : []),
      ...(groups.unknown.length > 0 ? [unknownNamesProblem('excludeGroups', groups.unknown)] : []),
    ]
    if (unknown.length > 0) return err(invalid(name, unknown))

    const after: ScenarioSettings = {
      ...before,
      ...(changes.enabled !== undefined && { enabled: changes.enabled }),
      ...(changes.daysBefore !== undefined && { daysBefore: changes.daysBefore }),
      ...(changes.frequency !== undefined && { frequency: changes.frequency }),
      ...(changes.daysOverdue !== undefined && { daysOverdue: changes.daysOverdue }),
    }
    const frequency = after.frequency
    await upsertScenarioSettings(tx, {
      libraryId,
      scenario: name,
      enabled: after.enabled,
      daysBefore: after.daysBefore,
      frequency: frequency?.every ?? null,
      weekday: frequency?.every === 'week' ? frequency.weekday : null,
      monthDay: frequency?.every === 'month' ? frequency.day : null,
      daysOverdue: after.daysOverdue,
      updatedBy: actorLabel(input.actor.ref),
      updatedAt: deps.clock.now(),
    })
    if (levels.ids) await replaceExclusions(tx, { libraryId, scenario: name, kind: 'level', ids: levels.ids })
    if (groups.ids) await replaceExclusions(tx, { libraryId, scenario: name, kind: 'group', ids: groups.ids })

    const overview = (await readScenarioOverview(tx, { libraryId, now: deps.clock.now() }))!
    const view = overview.scenarios.find((s) => s.scenario === name)!
    await recordAudit(tx, {
      libraryId,
      actor: actorLabel(input.actor.ref),
      action: 'scenario.updated',
      subjectType: 'scenario',
      subjectId: name,
      before: auditView(before),
      after: auditView(view.settings),
    })
    return ok(view)
  })
}

const invalid = (scenario: ScenarioName, problems: ScenarioProblem[]) => ({ code: 'invalid_scenario_settings', scenario, problems }) as const

/** The library's levels or groups named, by id; the names that match none; `ids` undefined when no names were given. */
async function matchNames(db: Parameters<typeof findNamed>[0], libraryId: number, kind: 'level' | 'group', names: readonly string[] | undefined) {
  if (names === undefined) return { ids: undefined, unknown: [] }
  const wanted = names.map((given) => given.trim())
  const found = await findNamed(db, { libraryId, kind, names: wanted })
  const known = new Set(found.map((row) => row.name.toLowerCase()))
  const unknown = [...new Set(wanted.filter((given) => !known.has(given.toLowerCase())))]
  return { ids: [...new Set(found.map((row) => row.id))], unknown }
}

// The audit keeps what staff see: settings by name, not the table's columns.
function auditView(settings: ScenarioSettings) {
  const { scenario, ...rest } = settings
  return rest
}
