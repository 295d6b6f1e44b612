import type { NotAllowed } from '../staff/permissions.ts'
import type { ScenarioName } from './catalogue.ts'

/** A scenario's settings as staff and the API name them; `frequency.weekday` and `frequency.day` are parts of the frequency. */
export type ScenarioField =
  | 'enabled'
  | 'daysBefore'
  | 'frequency'
  | 'frequency.weekday'
  | 'frequency.day'
  | 'daysOverdue'
  | 'excludeAcademicLevels'
  | 'excludeGroups'

/** One refused setting: the field, and what is wrong with it in the librarian's words. */
export type ScenarioProblem = { field: ScenarioField; message: string }

export type ScenarioError =
  | NotAllowed
  | { code: 'scenario_not_found'; scenario: string }
  | { code: 'library_not_found'; libraryId: number }
  | { code: 'invalid_scenario_settings'; scenario: ScenarioName; problems: ScenarioProblem[] }

/** The library's own notice settings, as the API and Slack name them. */
export type LibrarySettingsField = 'timeZone' | 'runAt' | 'bccDefault' | 'senderName' | 'replyTo' | 'slackChannel' | 'retainDeletedPatronLoans'

export type LibrarySettingsProblem = { field: LibrarySettingsField; message: string }

export type LibrarySettingsError =
  | NotAllowed
  | { code: 'library_not_found'; libraryId: number }
  | { code: 'invalid_library_settings'; problems: LibrarySettingsProblem[] }
