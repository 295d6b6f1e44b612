import { dateText, isCalendarDate } from '../domain/calendar.ts'
import { chooseLibrary } from '../domain/libraries/choose-library.ts'
import type { NightNotice, NightPlan, NightScenarioCount } from '../domain/notices/errors.ts'
import { planNight } from '../domain/notices/plan-night.ts'
import { err, ok } from '../domain/result.ts'
import { scenarioTitle } from '../domain/scenarios/catalogue.ts'
import { cliActor } from '../domain/staff/actors.ts'
import { defineCommand, parseOptionalId, requireOption } from './command.ts'
import { formatTable } from './table.ts'

const words = ['notices', 'run']

/** `library-comms notices run --as-of DATE`: runs, or previews, a library's night. */
export const noticesRunCommand = defineCommand({
  words,
  summary: "run a library's nightly notices for a date, or preview them with --dry-run",
  usage: 'library-comms notices run --as-of YYYY-MM-DD [--library ID] [--dry-run]',
  optionHelp: [
    "--as-of DATE         the night to run: a date in the library's time zone, such as 2026-03-02",
    '--library ID         the library (see library list); may be left out when there is only one',
    '--dry-run            print what would be sent, to whom, and what would be skipped and why;',
    '                     change nothing',
    '',
    "A night plans what is due on that date by the library's settings: escalations, overdue",
    'notices, pre-overdue reminders, expiring and expired reservations. It is safe to repeat: a',
    'notice already planned for a loan, level and period is never planned again. The dispatcher',
    'sends what is queued. The schedule runs each night by itself; this is for a night it missed',
    'or to see what a night would do.',
  ],
  options: {
    'as-of': { type: 'string' },
    library: { type: 'string' },
    'dry-run': { type: 'boolean' },
  },
  parse(args) {
    const asOf = requireOption(args, words.join(' '), 'as-of')
    if (!asOf.ok) return asOf
    if (!isCalendarDate(asOf.value)) return err({ code: 'invalid_option', option: 'as-of', value: asOf.value, expected: 'a date such as 2026-03-02' })
    const libraryId = parseOptionalId(args, 'library')
    if (!libraryId.ok) return libraryId
    return ok({ asOf: asOf.value, libraryId: libraryId.value, dryRun: args.values['dry-run'] === true })
  },
  async run(deps, input) {
    const library = await chooseLibrary(deps, { libraryId: input.libraryId })
    if (!library.ok) return library
    const plan = await planNight(deps, { libraryId: library.value.id, asOf: input.asOf, dryRun: input.dryRun, actor: cliActor })
    if (!plan.ok) return plan
    return ok(nightReport(plan.value))
  },
})

/** What a night did, or would do: the notices (a dry run), then the counts by scenario. */
export function nightReport({ summary, notices }: NightPlan): string {
  const night = `the night of ${dateText(summary.asOf)} (${summary.asOf}) for ${summary.libraryName} (library ${summary.libraryId})`
  const lines = [summary.dryRun ? `Dry run of ${night}: nothing was written.` : `Ran ${night}.`, '']
  if (summary.dryRun) {
    const sent = notices.filter((n) => n.status === 'queued')
    const skipped = notices.filter((n) => n.status !== 'queued')
    lines.push(sent.length === 0 ? 'Nothing would be sent.' : `Would be sent (${sent.length}):`)
    if (sent.length > 0) lines.push(formatTable(['scenario', 'patron', 'recipients', 'subject', 'concerns'], sent.map(noticeRow)))
    if (skipped.length > 0) {
      lines.push(`${sent.length === 0 ? '' : '\n'}Would not be sent (${skipped.length}):`)
      lines.push(
        formatTable(
          ['scenario', 'patron', 'why', 'concerns'],
          skipped.map((n) => [scenarioTitle(n.scenario), n.username, why(n), concerns(n)]),
        ),
      )
    }
    lines.push('')
  }
  if (summary.scenarios.length > 0) {
    lines.push(
      formatTable(
        ['scenario', summary.dryRun ? 'would queue' : 'queued', 'skipped', 'not sent', 'already planned'],
        summary.scenarios.map((count) => [
          scenarioTitle(count.scenario),
          String(count.queued),
          reasons(count.skipped),
          reasons(count.notComposed),
          String(count.alreadyPlanned),
        ]),
      ),
    )
  }
  if (summary.disabled.length > 0) lines.push(`Switched off: ${summary.disabled.map(scenarioTitle).join(', ')}.\n`)
  return lines.join('\n')
}

const reasonWords: Record<string, string> = {
  no_contact: 'no contact',
  blacklisted: 'blacklisted',
  condition_gone: 'no longer due',
  template_error: 'template error',
  inactive: 'deactivated',
  excluded: 'excluded',
}

function reasons(counts: NightScenarioCount['skipped'] | NightScenarioCount['notComposed']): string {
  const entries = Object.entries(counts).filter(([, n]) => (n ?? 0) > 0)
  return entries.length === 0 ? '0' : entries.map(([reason, n]) => `${n} ${reasonWords[reason] ?? reason}`).join(', ')
}

function why(notice: NightNotice): string {
  switch (notice.status) {
    case 'already_planned':
      return 'already planned by an earlier run'
    case 'not_composed':
      return notice.reason === 'inactive' ? 'deactivated patron' : 'excluded by academic level or library group'
    default:
      return notice.reason === 'no_contact' ? 'no contact may receive it' : (reasonWords[notice.reason ?? ''] ?? String(notice.reason))
  }
}

const concerns = (notice: NightNotice) =>
  notice.reservation ? `${notice.reservation.title} (collect by ${notice.reservation.pickupBy})` : notice.loans.map((loan) => loan.title).join('; ')

const noticeRow = (notice: NightNotice) => [
  scenarioTitle(notice.scenario),
  notice.username,
  notice.recipients.map((r) => (r.kind === 'to' ? r.address : `${r.kind} ${r.address}`)).join(', '),
  notice.subject,
  concerns(notice),
]
