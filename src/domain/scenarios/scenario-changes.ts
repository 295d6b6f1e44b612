import { quoted, unstorableText } from '../text.ts'
import { escalationScenarios, type Scenario, type ScenarioName, type ScenarioSettingName } from './catalogue.ts'
import type { ScenarioProblem } from './errors.ts'
import { hasExclusions } from './scenario-view.ts'
import type { Frequency, ScenarioSettings } from './settings.ts'

/** What staff or the API change in a scenario; what is left out keeps its value. */
export type ScenarioChanges = {
  enabled?: boolean
  daysBefore?: number
  frequency?: Frequency
  daysOverdue?: number
  /** Names, as patrons carry them; matched without regard to case. */
  excludeAcademicLevels?: readonly string[]
  excludeGroups?: readonly string[]
}

/** Seed 002 advises 1 to 3 days for pre-overdue; a week is the most that still reads as a reminder. */
export const daysBeforeRange = { min: 1, max: 7 } as const
/** A year: beyond it a loan is long lost. */
export const daysOverdueRange = { min: 1, max: 365 } as const

const settingLabels: Record<ScenarioSettingName, string> = {
  daysBefore: 'Days before',
  frequency: 'Frequency',
  daysOverdue: 'Days overdue',
}

const isWhole = (value: number, range: { min: number; max: number }) => Number.isInteger(value) && value >= range.min && value <= range.max

/**
 * Checks a change against the rules that need no lookup: each setting applies to the scenario
 * and is in range, and the escalations stay strictly increasing, #1 < #2 < #3, against the other
 * two levels' values as the library runs them (`current`).
 */
export function checkScenarioChanges(scenario: Scenario, changes: ScenarioChanges, current: readonly ScenarioSettings[]): ScenarioProblem[] {
  const problems: ScenarioProblem[] = []
  const applies = (setting: ScenarioSettingName) => (scenario.settings as readonly ScenarioSettingName[]).includes(setting)
  for (const setting of ['daysBefore', 'frequency', 'daysOverdue'] as const) {
    if (changes[setting] !== undefined && !applies(setting)) {
      problems.push({ field: setting, message: `${settingLabels[setting]} does not apply to ${scenario.title}` })
    }
  }
  if (!hasExclusions(scenario.name)) {
    if (changes.excludeAcademicLevels !== undefined) {
      problems.push({ field: 'excludeAcademicLevels', message: `${scenario.title} goes to suppliers: it has no academic levels to exclude` })
    }
    if (changes.excludeGroups !== undefined) {
      problems.push({ field: 'excludeGroups', message: `${scenario.title} goes to suppliers: it has no library groups to exclude` })
    }
  }
  if (problems.length > 0) return problems

  if (changes.daysBefore !== undefined && !isWhole(changes.daysBefore, daysBeforeRange)) {
    problems.push({ field: 'daysBefore', message: `Days before must be a whole number from ${daysBeforeRange.min} to ${daysBeforeRange.max}` })
  }
  if (changes.frequency !== undefined) problems.push(...frequencyProblems(changes.frequency))
  if (changes.daysOverdue !== undefined) problems.push(...daysOverdueProblems(scenario.name, changes.daysOverdue, current))
  problems.push(...nameProblems('excludeAcademicLevels', 'academic level', changes.excludeAcademicLevels))
  problems.push(...nameProblems('excludeGroups', 'library group', changes.excludeGroups))
  return problems
}

function frequencyProblems(frequency: Frequency): ScenarioProblem[] {
  switch (frequency.every) {
    case 'day':
      return []
    case 'week':
      return isWhole(frequency.weekday, { min: 1, max: 7 })
        ? []
        : [{ field: 'frequency.weekday', message: 'The weekday must be a whole number from 1 (Monday) to 7 (Sunday)' }]
    case 'month':
      return isWhole(frequency.day, { min: 1, max: 31 })
        ? []
        : [{ field: 'frequency.day', message: 'The day of the month must be a whole number from 1 to 31 (31: the last day of every month)' }]
    default:
      return [{ field: 'frequency', message: 'The frequency must be every day, every week or every month' }]
  }
}

// Seed 002: escalation levels grow in severity with days overdue, so #1 < #2 < #3, strictly: two
// levels on the same day would leave the lower one never sent.
function daysOverdueProblems(scenario: ScenarioName, days: number, current: readonly ScenarioSettings[]): ScenarioProblem[] {
  if (!isWhole(days, daysOverdueRange)) {
    return [{ field: 'daysOverdue', message: `Days overdue must be a whole number from ${daysOverdueRange.min} to ${daysOverdueRange.max}` }]
  }
  const level = escalationScenarios.indexOf(scenario as (typeof escalationScenarios)[number])
  const clashes = escalationScenarios
    .map((other, otherLevel) => ({ otherLevel, otherDays: current.find((s) => s.scenario === other)?.daysOverdue ?? null }))
    .filter(({ otherLevel, otherDays }) => otherDays !== null && ((otherLevel < level && days <= otherDays) || (otherLevel > level && days >= otherDays)))
    // The nearest level says it all: coming after #2 implies coming after #1.
    .sort((a, b) => Math.abs(a.otherLevel - level) - Math.abs(b.otherLevel - level))
  if (clashes.length === 0) return []
  const { otherLevel, otherDays } = clashes[0]
  const [relation, bound] = otherLevel < level ? ['more', 'after'] : ['fewer', 'before']
  return [
    {
      field: 'daysOverdue',
      message: `Escalation #${level + 1} comes ${bound} escalation #${otherLevel + 1}, which is at ${otherDays} days overdue: give ${relation} than ${otherDays} days`,
    },
  ]
}

function nameProblems(field: 'excludeAcademicLevels' | 'excludeGroups', noun: string, names: readonly string[] | undefined): ScenarioProblem[] {
  if (names === undefined) return []
  for (const name of names) {
    const text = unstorableText(name)
    if (text) return [{ field, message: `An ${noun} name ${text}` }]
    if (name.trim() === '') return [{ field, message: `An ${noun} name is empty` }]
  }
  return []
}

/** The problem for names that are not the library's, naming each one. */
export function unknownNamesProblem(field: 'excludeAcademicLevels' | 'excludeGroups', unknown: readonly string[]): ScenarioProblem {
  const noun = field === 'excludeAcademicLevels' ? 'academic level' : 'library group'
  const plural = unknown.length === 1 ? noun : `${noun}s`
  return { field, message: `No ${plural} ${unknown.map(quoted).join(', ')} in this library` }
}
