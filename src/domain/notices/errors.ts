import type { ScenarioName } from '../scenarios/catalogue.ts'
import type { NotAllowed } from '../staff/permissions.ts'
import type { SkipReason } from './outbox.ts'

/** The filters of the email log, named as the API's query parameters. */
export const emailLogFilterNames = ['from', 'to', 'scenario', 'username', 'address', 'status', 'cursor', 'limit'] as const
type EmailLogFilterName = (typeof emailLogFilterNames)[number]

/** A filter value that cannot be used, and why, in words for the one who typed it. */
export type EmailLogFilterProblem = { filter: EmailLogFilterName; message: string }

export type EmailLogError = NotAllowed | { code: 'library_not_found'; libraryId: number } | { code: 'invalid_filters'; problems: EmailLogFilterProblem[] }

/**
 * Why a notice could not be sent by hand: the patron or loan is not in the library, nothing of
 * the patron's is overdue, the loan is closed, or the patron may not receive it (deactivated, or
 * in a level or group the scenario excludes).
 */
export type SendByHandError =
  | NotAllowed
  | { code: 'patron_not_found'; patronId: number }
  | { code: 'nothing_overdue'; username: string }
  | { code: 'patron_inactive'; username: string }
  | { code: 'patron_excluded'; username: string; scenario: string }

/** Why a night cannot be planned. */
export type PlanNightError =
  | NotAllowed
  | { code: 'library_not_found'; libraryId: number }
  | { code: 'invalid_date'; value: string }
  /** A night after the library's today, run for real: its notices would go before they are due, and the real night would be marked done. */
  | { code: 'future_night'; value: string; today: string }

/** Why a patron got no notice at all (compose.ts): deactivated, or excluded by level or group. */
export type NotComposedReason = 'inactive' | 'excluded'

/**
 * One notice of a night as staff read it in a preview or a report: who it is for, where it
 * goes, what it lists, and what became of it. `already_planned`: the outbox holds it from an
 * earlier run of the night (the same key), and it was left alone.
 */
export type NightNotice = {
  scenario: ScenarioName
  username: string
  status: 'queued' | 'skipped' | 'not_composed' | 'already_planned'
  reason: SkipReason | NotComposedReason | null
  recipients: ReadonlyArray<{ kind: 'to' | 'cc' | 'bcc'; address: string }>
  subject: string
  loans: ReadonlyArray<{ title: string; barcode: string; dueDate: string; daysOverdue: number }>
  reservation: { title: string; pickupBy: string } | null
}

/** What a night did (or, dry, would do) for one scenario: counts only, no personal data. */
export type NightScenarioCount = {
  scenario: ScenarioName
  queued: number
  skipped: Partial<Record<SkipReason, number>>
  notComposed: Partial<Record<NotComposedReason, number>>
  alreadyPlanned: number
}

/**
 * A night's summary, as the log, Slack and the tool show it and job_runs keeps it. `alreadyDone`:
 * the schedule found the night run already (by another instance) and did nothing.
 */
export type NightSummary = {
  libraryId: number
  libraryName: string
  asOf: string
  dryRun: boolean
  alreadyDone: boolean
  /** The nightly scenarios switched on, in catalogue order. */
  scenarios: NightScenarioCount[]
  /** The nightly scenarios switched off: nothing of theirs was planned. */
  disabled: ScenarioName[]
}

export type NightPlan = { summary: NightSummary; notices: NightNotice[] }
