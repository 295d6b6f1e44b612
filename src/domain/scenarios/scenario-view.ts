import { type Scenario, type ScenarioName, type ScenarioSettingName, scenarioOf } from './catalogue.ts'
import type { ScenarioSettings } from './settings.ts'

/** The library's notice settings: when the nightly run starts, and how its mail is sent and reported. */
export type LibrarySettings = {
  /** An IANA zone ("Australia/Sydney"): days, due dates and the run time are counted there. */
  timeZone: string
  /** When the nightly run starts, local time, 'HH:MM' (24-hour). */
  runAt: string
  /** The school default for BCC: contacts set to "school default" go in Bcc when true, in To when false. */
  bccDefault: boolean
  /** The name the mail is from; empty: the library's name. */
  senderName: string
  /** Where replies go; null: to the sending address. */
  replyTo: string | null
  /** The Slack channel (an id, C0123ABCD) where the nightly reports go; null: none. */
  slackChannel: string | null
  /**
   * Whether a purge keeps the purged patrons' loans, anonymised (no patron, their academic level
   * kept) for the library's statistics; false: they are deleted with the patron. A purge request
   * keeps the value it was asked with.
   */
  retainDeletedPatronLoans: boolean
}

/** The families of scenarios, as the seed groups them. */
export const scenarioGroups = ['circulation', 'reservation', 'lending', 'account', 'acquisitions'] as const
export type ScenarioGroup = (typeof scenarioGroups)[number]

/** The family a scenario belongs to: the part of its name before the dot. */
export const groupOf = (name: ScenarioName): ScenarioGroup => name.slice(0, name.indexOf('.')) as ScenarioGroup

/** How many messages of a scenario ended in each state. */
export type MessageCounts = { sent: number; queued: number; skipped: number; failed: number }

export const noMessages: MessageCounts = { sent: 0, queued: 0, skipped: 0, failed: 0 }

/** The library's latest nightly run. */
export type LastRun = { asOf: string; status: 'running' | 'done' | 'failed'; startedAt: Date; finishedAt: Date | null }

/** One scenario as staff see it: how it runs, its template, and what it sent lately. */
export type ScenarioView = {
  scenario: ScenarioName
  title: string
  group: ScenarioGroup
  trigger: Scenario['trigger']
  about: string
  /** The settings staff may tune for it, besides on/off and (for scenarios that reach patrons) the exclusions. */
  applies: readonly ScenarioSettingName[]
  /** Whether academic levels and library groups can be excluded: not for mail to suppliers. */
  hasExclusions: boolean
  settings: ScenarioSettings
  template: 'default' | 'custom'
  /** Nightly scenarios: the messages of the latest nightly run; events: those of the last 24 hours. */
  recent: MessageCounts
}

/** Every scenario of the library, with its settings and what the latest run sent. */
export type ScenarioOverview = {
  settings: LibrarySettings
  /** The latest nightly run, or null before the first. */
  lastRun: LastRun | null
  /** Event scenarios count the messages planned since this instant (24 hours ago). */
  eventsSince: Date
  scenarios: ScenarioView[]
}

/** A scenario with what its form offers: the library's academic levels and groups, to exclude. */
export type ScenarioDetail = {
  scenario: ScenarioView
  /** The escalations' days overdue, #1 to #3, so a form can say what a level must fall between. */
  escalationDays: [number, number, number]
  academicLevels: string[]
  groups: string[]
}

/** Whether a scenario's exclusions can be set: only those that reach patrons. */
export const hasExclusions = (name: ScenarioName): boolean => scenarioOf(name).roles.length > 0
