import type { PurgeImpact, PurgeOutcome } from '../domain/purge/purge-view.ts'
import { err, ok, type Result } from '../domain/result.ts'
import { isSlackUserId } from '../domain/staff/actors.ts'
import type { CliError } from './command.ts'

/** `3 patrons`, `1 contact`. */
export const counted = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`

/** `--as U123`: the Slack member the tool acts for, so the asker and the approver are told apart. */
export function parseMember(value: string | boolean | undefined, command: string): Result<string, CliError> {
  if (typeof value !== 'string' || value.trim() === '') return err({ code: 'missing_option', command, option: 'as' })
  const member = value.trim()
  if (!isSlackUserId(member)) return err({ code: 'invalid_option', option: 'as', value: member, expected: 'a Slack member id such as U0123ABCD' })
  return ok(member)
}

/** What a request would do, a line each. */
export function impactLines(impact: PurgeImpact): string[] {
  return [
    `  ${counted(impact.patrons, 'patron')} and ${counted(impact.contacts, 'contact')} removed`,
    `  ${counted(impact.loans, 'loan')} ${impact.loansKept === 'anonymised' ? 'kept, anonymised (with the academic level)' : 'removed'}${impact.loansToMarkLost > 0 ? `, ${counted(impact.loansToMarkLost, 'item')} on loan marked lost first` : ''}`,
    `  ${counted(impact.reservations, 'reservation')} removed`,
    `  ${counted(impact.messagesKeptWithoutAddresses, 'message')} kept in the email log without addresses`,
  ]
}

/** What an approved purge did. */
export function outcomeLines(outcome: PurgeOutcome): string[] {
  const skippedWhy = { reactivated: 'reactivated since', open_loans: 'items on loan since', gone: 'gone already' } as const
  return [
    `purge #${outcome.requestId} done: ${counted(outcome.purged, 'patron')} purged`,
    `  ${counted(outcome.contactsRemoved, 'contact')} removed`,
    `  ${counted(outcome.loansAnonymised, 'loan')} anonymised, ${counted(outcome.loansRemoved, 'loan')} removed, ${counted(outcome.loansMarkedLost, 'loan')} marked lost`,
    `  ${counted(outcome.reservationsRemoved, 'reservation')} removed`,
    `  ${counted(outcome.messagesWithoutAddresses, 'message')} kept without addresses`,
    ...(outcome.skipped.length > 0
      ? [`  ${counted(outcome.skipped.length, 'patron')} left alone:`, ...outcome.skipped.map((s) => `    ${s.username}: ${skippedWhy[s.reason]}`)]
      : []),
  ]
}
