/**
 * The fixed catalogue of scenarios (DESIGN.md, Scenarios; seeds 001 and 002): what triggers each,
 * the contact roles it may reach, and which settings staff tune for it.
 *
 * - `nightly` scenarios are planned by the nightly run; `event` ones are queued when the library
 *   system reports the event (a recall, a checkout, a reservation ready…).
 * - `settings` names the settings that apply besides on/off and the exclusions every scenario has.
 */
export const scenarioCatalogue = [
  {
    name: 'circulation.pre_overdue',
    title: 'Pre-overdue notice',
    trigger: 'nightly',
    roles: ['patron', 'guardian', 'other'],
    settings: ['daysBefore'],
    about: 'Loans falling due in the next few days',
  },
  {
    name: 'circulation.overdue',
    title: 'Overdue notice',
    trigger: 'nightly',
    roles: ['patron', 'guardian', 'other'],
    settings: ['frequency'],
    about: 'Loans past their due date, on the chosen frequency',
  },
  {
    name: 'circulation.escalation_1',
    title: 'Escalation #1',
    trigger: 'nightly',
    roles: ['patron', 'guardian', 'other'],
    settings: ['daysOverdue'],
    about: 'A loan overdue by the first number of days',
  },
  {
    name: 'circulation.escalation_2',
    title: 'Escalation #2',
    trigger: 'nightly',
    roles: ['patron', 'guardian', 'other'],
    settings: ['daysOverdue'],
    about: 'A loan overdue by the second number of days',
  },
  {
    name: 'circulation.escalation_3',
    title: 'Escalation #3',
    trigger: 'nightly',
    roles: ['patron', 'guardian', 'other'],
    settings: ['daysOverdue'],
    about: 'A loan overdue by the third number of days',
  },
  {
    name: 'circulation.recall',
    title: 'Recall',
    trigger: 'event',
    roles: ['patron', 'guardian', 'other'],
    settings: [],
    about: 'Staff recall a loan: sent at once',
  },
  {
    name: 'reservation.requested',
    title: 'Reservation requested',
    trigger: 'event',
    roles: ['patron', 'guardian', 'other'],
    settings: [],
    about: 'A reservation is placed',
  },
  {
    name: 'reservation.ready',
    title: 'Reservation ready',
    trigger: 'event',
    roles: ['patron', 'guardian', 'other'],
    settings: [],
    about: 'A reserved item is ready for pickup',
  },
  {
    name: 'reservation.expiring',
    title: 'Reservation expiring',
    trigger: 'nightly',
    roles: ['patron', 'guardian', 'other'],
    settings: ['daysBefore'],
    about: 'A reservation not yet collected, a few days before its pickup-by date',
  },
  {
    name: 'reservation.expired',
    title: 'Reservation expired',
    trigger: 'nightly',
    roles: ['patron', 'guardian', 'other'],
    settings: [],
    about: 'A reservation not collected by its pickup-by date',
  },
  {
    name: 'reservation.cancelled',
    title: 'Reservation cancelled',
    trigger: 'event',
    roles: ['patron', 'guardian', 'other'],
    settings: [],
    about: 'A reservation is cancelled',
  },
  {
    name: 'lending.loan_receipt',
    title: 'Loan receipt',
    trigger: 'event',
    roles: ['patron', 'guardian'],
    settings: [],
    about: 'Items checked out: one receipt for checkouts minutes apart',
  },
  {
    name: 'account.password_reset',
    title: 'Password reset',
    trigger: 'event',
    roles: ['patron'],
    settings: [],
    about: "The patron's password-reset link",
  },
  {
    name: 'acquisitions.order',
    title: 'Purchase order',
    trigger: 'event',
    roles: [],
    settings: [],
    about: 'A purchase order, to its supplier',
  },
] as const satisfies ReadonlyArray<{
  name: string
  title: string
  trigger: 'nightly' | 'event'
  roles: readonly ContactRole[]
  settings: readonly ScenarioSettingName[]
  about: string
}>

export type ContactRole = 'patron' | 'guardian' | 'other'
export type ScenarioSettingName = 'daysBefore' | 'frequency' | 'daysOverdue'
export type ScenarioName = (typeof scenarioCatalogue)[number]['name']
export type Scenario = (typeof scenarioCatalogue)[number]

export const scenarioNames: readonly ScenarioName[] = scenarioCatalogue.map((s) => s.name)

/** The three escalation levels, lowest first. */
export const escalationScenarios = ['circulation.escalation_1', 'circulation.escalation_2', 'circulation.escalation_3'] as const

/** Scenarios a patron contact can be matched to (purchase orders go to suppliers, not contacts). */
export const contactScenarioNames: readonly ScenarioName[] = scenarioCatalogue.filter((s) => s.roles.length > 0).map((s) => s.name)

export function isScenarioName(name: string): name is ScenarioName {
  return (scenarioNames as readonly string[]).includes(name)
}

export function isContactScenario(name: string): name is ScenarioName {
  return (contactScenarioNames as readonly string[]).includes(name)
}

export function scenarioOf(name: ScenarioName): Scenario {
  return scenarioCatalogue.find((s) => s.name === name)!
}

export function scenarioTitle(name: string): string {
  return scenarioCatalogue.find((s) => s.name === name)?.title ?? name
}
