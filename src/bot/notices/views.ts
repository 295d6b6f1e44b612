import type { types } from '@slack/bolt'
import type { ScenarioName } from '../../domain/scenarios/catalogue.ts'
import type { LastRun, LibrarySettings, MessageCounts, ScenarioGroup, ScenarioOverview, ScenarioView } from '../../domain/scenarios/scenario-view.ts'
import { scenarioGroups } from '../../domain/scenarios/scenario-view.ts'
import { escapeMrkdwn, notice, number, type SlackMessage } from '../views.ts'

/**
 * The buttons of `/notices`. `editTemplate` opens the template's modal, which the templates
 * door answers; its value is the scenario's name.
 */
export const noticesActions = {
  editScenario: 'notices_edit_scenario',
  editTemplate: 'notices_edit_template',
  editSettings: 'notices_edit_settings',
} as const

/** What the overview offers the person who reads it: only admins get the buttons. */
export type OverviewOptions = { canChange: boolean; canEditTemplates: boolean; libraryName: string; notice?: string }

const groupTitles: Record<ScenarioGroup, string> = {
  circulation: 'Circulation',
  reservation: 'Reservations',
  lending: 'Lending',
  account: 'Account',
  acquisitions: 'Acquisitions',
}

export const weekdayNames = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const

// What an event scenario waits for, in the words of the seeds.
const eventSchedules: Partial<Record<ScenarioName, string>> = {
  'circulation.recall': 'at once, when staff recall a loan',
  'reservation.requested': 'at once, when a reservation is placed',
  'reservation.ready': 'at once, when a reservation is ready for pickup',
  'reservation.cancelled': 'at once, when a reservation is cancelled',
  'lending.loan_receipt': 'at checkout: one receipt for checkouts a few minutes apart',
  'account.password_reset': 'at once, when the patron asks to reset their password',
  'acquisitions.order': 'at once, when a purchase order is placed',
}

// Slack allows 3,000 characters in a section; a library with many groups must not break the view.
const namesShown = 8

/** "1 day", "3 days". */
const days = (n: number) => `${number.format(n)} day${n === 1 ? '' : 's'}`

/** "1st", "22nd": a day of the month as a librarian says it. */
export function ordinal(day: number): string {
  const tens = day % 100
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[day % 10] ?? 'th')
  return `${day}${suffix}`
}

/** When a scenario sends, in words: "weekly on Monday", "2 days before the due date", "14 days overdue". */
export function scheduleWords(view: Pick<ScenarioView, 'scenario' | 'settings'>): string {
  const { settings } = view
  switch (view.scenario) {
    case 'circulation.pre_overdue':
      return `${days(settings.daysBefore ?? 0)} before the due date`
    case 'circulation.overdue': {
      const frequency = settings.frequency
      if (frequency === null || frequency.every === 'day') return 'daily'
      if (frequency.every === 'week') return `weekly on ${weekdayNames[frequency.weekday - 1] ?? frequency.weekday}`
      return frequency.day === 31 ? 'monthly on the last day of the month' : `monthly on the ${ordinal(frequency.day)}`
    }
    case 'circulation.escalation_1':
    case 'circulation.escalation_2':
    case 'circulation.escalation_3':
      return `${days(settings.daysOverdue ?? 0)} overdue`
    case 'reservation.expiring':
      return `${days(settings.daysBefore ?? 0)} before the pickup-by date`
    case 'reservation.expired':
      return 'the night after the pickup-by date, if not collected'
    default:
      return eventSchedules[view.scenario] ?? 'at once'
  }
}

/** "Year 7, Year 8 and 3 more". */
function someNames(names: readonly string[]): string {
  const shown = names.slice(0, namesShown).map(escapeMrkdwn).join(', ')
  return names.length > namesShown ? `${shown} and ${number.format(names.length - namesShown)} more` : shown
}

function exclusionWords(view: ScenarioView): string | undefined {
  if (!view.hasExclusions) return undefined
  const { excludeAcademicLevels: levels, excludeGroups: groups } = view.settings
  if (levels.length === 0 && groups.length === 0) return 'Excludes no one'
  const parts = [...(levels.length > 0 ? [`levels ${someNames(levels)}`] : []), ...(groups.length > 0 ? [`groups ${someNames(groups)}`] : [])]
  return `Excludes ${parts.join('; ')}`
}

/** "3 sent, 1 waiting, 2 skipped", or "nothing". */
export function countsWords(counts: MessageCounts): string {
  const parts = [
    ...(counts.sent > 0 ? [`${number.format(counts.sent)} sent`] : []),
    ...(counts.queued > 0 ? [`${number.format(counts.queued)} waiting to go`] : []),
    ...(counts.skipped > 0 ? [`${number.format(counts.skipped)} skipped`] : []),
    ...(counts.failed > 0 ? [`${number.format(counts.failed)} failed`] : []),
  ]
  return parts.length > 0 ? parts.join(', ') : 'nothing'
}

function recentWords(view: ScenarioView, lastRun: LastRun | null): string {
  if (view.trigger === 'event') return `Last 24 hours: ${countsWords(view.recent)}`
  return lastRun === null ? 'No nightly run yet' : `Last run: ${countsWords(view.recent)}`
}

function scenarioText(view: ScenarioView, lastRun: LastRun | null): string {
  const state = view.settings.enabled ? ':large_green_circle: On' : ':white_circle: Off'
  const lines = [
    `*${escapeMrkdwn(view.title)}*  ${state} · ${scheduleWords(view)}`,
    [exclusionWords(view), `${view.template === 'custom' ? 'Custom' : 'Default'} template`, recentWords(view, lastRun)].filter(Boolean).join(' · '),
  ]
  return lines.join('\n')
}

/** The library's settings as the top of `/notices` shows them. */
export function settingsFields(settings: LibrarySettings, libraryName: string): types.MrkdwnElement[] {
  const field = (label: string, value: string): types.MrkdwnElement => ({ type: 'mrkdwn', text: `*${label}*\n${value}` })
  return [
    field('Time zone', escapeMrkdwn(settings.timeZone)),
    field('Nightly run', `${settings.runAt}, local time`),
    field('BCC default', settings.bccDefault ? 'Bcc: recipients do not see each other' : 'To: recipients see each other'),
    field('Sender', settings.senderName === '' ? `${escapeMrkdwn(libraryName)} (the library's name)` : escapeMrkdwn(settings.senderName)),
    field('Reply-to', settings.replyTo === null ? 'none' : escapeMrkdwn(settings.replyTo)),
    field('Report channel', settings.slackChannel === null ? 'none' : `<#${settings.slackChannel}>`),
    field('Purged patrons’ loans', settings.retainDeletedPatronLoans ? 'Kept, anonymised, for statistics' : 'Deleted with the patrons'),
  ]
}

function lastRunText(lastRun: LastRun | null): string {
  if (lastRun === null) return 'No nightly run yet.'
  const state = { done: 'finished', running: 'still running', failed: 'failed; the next run catches up' }[lastRun.status]
  return `Latest nightly run: for ${lastRun.asOf}, ${state}.`
}

const button = (text: string, action_id: string, value: string): types.Button => ({ type: 'button', text: { type: 'plain_text', text }, action_id, value })

/**
 * `/notices`: the library's settings, then every scenario by family: on or off, when it sends,
 * whom it excludes, its template and what it sent lately. Admins get Edit buttons. At most
 * 4 + 5 + 14 × 2 = 37 blocks, under Slack's 50.
 */
export function noticesOverview(overview: ScenarioOverview, options: OverviewOptions): SlackMessage {
  const blocks: types.KnownBlock[] = []
  if (options.notice) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: options.notice }] })
  blocks.push({
    type: 'section',
    text: { type: 'mrkdwn', text: `*Notices of ${escapeMrkdwn(options.libraryName)}*` },
    fields: settingsFields(overview.settings, options.libraryName),
    ...(options.canChange && { accessory: button('Settings', noticesActions.editSettings, 'library') }),
  })
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: lastRunText(overview.lastRun) }] })
  for (const group of scenarioGroups) {
    const views = overview.scenarios.filter((view) => view.group === group)
    if (views.length === 0) continue
    blocks.push({ type: 'header', text: { type: 'plain_text', text: groupTitles[group] } })
    for (const view of views) {
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: scenarioText(view, overview.lastRun) } })
      const buttons = [
        ...(options.canChange ? [button('Edit', noticesActions.editScenario, view.scenario)] : []),
        ...(options.canEditTemplates ? [button('Edit template', noticesActions.editTemplate, view.scenario)] : []),
      ]
      if (buttons.length > 0) blocks.push({ type: 'actions', block_id: `notices_${view.scenario}`, elements: buttons })
    }
  }
  const on = overview.scenarios.filter((view) => view.settings.enabled).length
  return { text: `Notices of ${options.libraryName}: ${on} of ${overview.scenarios.length} scenarios on`, blocks }
}

/** The answer to `/notices help`, or to something `/notices` does not know. */
export function noticesHelp(problem?: string): SlackMessage {
  return notice(
    [
      ...(problem ? [problem, ''] : []),
      '*Notices*',
      '`/notices`: every scenario, on or off, when it sends, whom it excludes, its template and what it sent lately; admins change them there',
      '`/notices preview 2026-03-10`: what that night would send, to whom, and what would be skipped and why (nothing is sent)',
      '`/notices help`: this reminder',
    ].join('\n'),
  )
}
