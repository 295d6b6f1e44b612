import type { ScenarioName } from '../scenarios/catalogue.ts'

/**
 * The kinds of notice a recipient can stop, and that the bulk preferences tool switches (seed
 * 003 groups them so: overdue and escalations, recalls, reservations, loan receipts). Account
 * mail (a password reset the recipient asked for) and purchase orders to suppliers are in no
 * group: they are not a preference.
 */
export const noticeGroups = [
  {
    name: 'overdue',
    title: 'Overdue notices',
    about: 'reminders before a loan is due, overdue notices and their escalations',
    scenarios: ['circulation.pre_overdue', 'circulation.overdue', 'circulation.escalation_1', 'circulation.escalation_2', 'circulation.escalation_3'],
  },
  { name: 'recalls', title: 'Recalls', about: 'requests to bring back a recalled loan', scenarios: ['circulation.recall'] },
  {
    name: 'reservations',
    title: 'Reservation notices',
    about: 'news of reservations: placed, ready to collect, expiring, expired or cancelled',
    scenarios: ['reservation.requested', 'reservation.ready', 'reservation.expiring', 'reservation.expired', 'reservation.cancelled'],
  },
  { name: 'loan_receipts', title: 'Loan receipts', about: 'a receipt for each checkout', scenarios: ['lending.loan_receipt'] },
] as const satisfies ReadonlyArray<{ name: string; title: string; about: string; scenarios: readonly ScenarioName[] }>

export type NoticeGroup = (typeof noticeGroups)[number]['name']

export const noticeGroupNames = noticeGroups.map((group) => group.name) as readonly NoticeGroup[] as readonly [NoticeGroup, ...NoticeGroup[]]

/** The group a scenario belongs to; null for mail that is not a preference (account, acquisitions). */
export function noticeGroupOf(scenario: string): NoticeGroup | null {
  return noticeGroups.find((group) => (group.scenarios as readonly string[]).includes(scenario))?.name ?? null
}

/** A group as a sentence names it: "Overdue notices". */
export const noticeGroupTitle = (name: NoticeGroup): string => noticeGroups.find((group) => group.name === name)!.title
