import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import { escalationScenarios, isScenarioName } from './catalogue.ts'
import type { ScenarioError } from './errors.ts'
import { readScenarioOverview } from './list-scenarios.ts'
import { listExclusionChoices } from './queries.ts'
import type { ScenarioDetail } from './scenario-view.ts'

// "Year 10" after "Year 9", as a librarian counts them, not as text sorts them.
const bySchoolOrder = new Intl.Collator('en', { numeric: true, sensitivity: 'base' }).compare

/** One scenario, with what its form offers: the library's academic levels and groups. Viewers may look. */
export async function showScenario(
  deps: Pick<AppDeps, 'db' | 'clock'>,
  input: { libraryId: number; scenario: string; actor: Actor },
): Promise<Result<ScenarioDetail, ScenarioError>> {
  const refused = checkPermission(input.actor, 'lookUpContacts')
  if (refused) return err(refused)
  const name = input.scenario
  if (!isScenarioName(name)) return err({ code: 'scenario_not_found', scenario: name })
  const overview = await readScenarioOverview(deps.db, { libraryId: input.libraryId, now: deps.clock.now() })
  if (!overview) return err({ code: 'library_not_found', libraryId: input.libraryId })
  const choices = await listExclusionChoices(deps.db, input.libraryId)
  const daysOverdue = (level: (typeof escalationScenarios)[number]) => overview.scenarios.find((s) => s.scenario === level)?.settings.daysOverdue ?? 0
  return ok({
    scenario: overview.scenarios.find((s) => s.scenario === name)!,
    escalationDays: [daysOverdue(escalationScenarios[0]), daysOverdue(escalationScenarios[1]), daysOverdue(escalationScenarios[2])],
    academicLevels: choices.academicLevels.sort(bySchoolOrder),
    groups: choices.groups.sort(bySchoolOrder),
  })
}
