/** The fixed catalogue of scenarios (DESIGN.md, Scenarios), with the contact roles each may reach. */
const scenarioCatalogue = [
  { name: 'circulation.pre_overdue', title: 'Pre-overdue notice', roles: ['patron', 'guardian', 'other'] },
  { name: 'circulation.overdue', title: 'Overdue notice', roles: ['patron', 'guardian', 'other'] },
  { name: 'circulation.escalation_1', title: 'Escalation #1', roles: ['patron', 'guardian', 'other'] },
  { name: 'circulation.escalation_2', title: 'Escalation #2', roles: ['patron', 'guardian', 'other'] },
  { name: 'circulation.escalation_3', title: 'Escalation #3', roles: ['patron', 'guardian', 'other'] },
  { name: 'circulation.recall', title: 'Recall', roles: ['patron', 'guardian', 'other'] },
  { name: 'reservation.requested', title: 'Reservation requested', roles: ['patron', 'guardian', 'other'] },
  { name: 'reservation.ready', title: 'Reservation ready', roles: ['patron', 'guardian', 'other'] },
  { name: 'reservation.expiring', title: 'Reservation expiring', roles: ['patron', 'guardian', 'other'] },
  { name: 'reservation.expired', title: 'Reservation expired', roles: ['patron', 'guardian', 'other'] },
  { name: 'reservation.cancelled', title: 'Reservation cancelled', roles: ['patron', 'guardian', 'other'] },
  { name: 'lending.loan_receipt', title: 'Loan receipt', roles: ['patron', 'guardian'] },
  { name: 'account.password_reset', title: 'Password reset', roles: ['patron'] },
  { name: 'acquisitions.order', title: 'Purchase order', roles: [] },
] as const

type ScenarioName = (typeof scenarioCatalogue)[number]['name']

/** Scenarios a patron contact can be matched to (purchase orders go to suppliers, not contacts). */
export const contactScenarioNames: readonly ScenarioName[] = scenarioCatalogue.filter((s) => s.roles.length > 0).map((s) => s.name)

export function isContactScenario(name: string): name is ScenarioName {
  return (contactScenarioNames as readonly string[]).includes(name)
}

export function scenarioTitle(name: string): string {
  return scenarioCatalogue.find((s) => s.name === name)?.title ?? name
}
