import type { types } from '@slack/bolt'
import { dateText } from '../../domain/calendar.ts'
import type { NightNotice, NightPlan, NightScenarioCount, PlanNightError } from '../../domain/notices/errors.ts'
import { assertNever } from '../../domain/result.ts'
import { scenarioTitle } from '../../domain/scenarios/catalogue.ts'
import { counted, escapeMrkdwn, notAllowedText, notice, type SlackMessage } from '../views.ts'

/** Notices listed in the message; the rest are counted, and the tool lists them all. */
export const previewListed = 20

/**
 * `/notices preview <date>`: what the night would send, to whom, and what it would skip and why,
 * scenario by scenario, then the first notices of each kind. Nothing was written.
 */
export function noticesPreview(plan: NightPlan): SlackMessage {
  const { summary, notices } = plan
  const night = `${dateText(summary.asOf)} (${summary.asOf})`
  const queued = notices.filter((n) => n.status === 'queued')
  const held = notices.filter((n) => n.status !== 'queued')
  const blocks: types.KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: `Preview of the night of ${dateText(summary.asOf)}`.slice(0, 150) } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text:
          queued.length === 0 && held.length === 0
            ? `Nothing is due on the night of ${night} in *${escapeMrkdwn(summary.libraryName)}*. This is a preview: nothing was sent or recorded.`
            : `On the night of ${night}, *${escapeMrkdwn(summary.libraryName)}* would send ${counted(queued.length, 'notice')}` +
              `${held.length > 0 ? ` and not send ${held.length}` : ''}. This is a preview: nothing was sent or recorded.`,
      },
    },
  ]
  const counts = summary.scenarios.filter((c) => c.queued + c.alreadyPlanned + total(c.skipped) + total(c.notComposed) > 0)
  if (counts.length > 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: counts.map(countLine).join('\n') } })
  if (summary.disabled.length > 0) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Switched off: ${summary.disabled.map(scenarioTitle).join(', ')}.` }] })
  }
  if (queued.length > 0) blocks.push(...listed('Would be sent', queued, sentLine))
  if (held.length > 0) blocks.push(...listed('Would not be sent', held, heldLine))
  if (queued.length + held.length > previewListed * 2) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `The whole list: \`npx library-comms notices run --as-of ${summary.asOf} --dry-run\` on the server.` }],
    })
  }
  return { text: `Preview of the night of ${night}: ${counted(queued.length, 'notice')} would be sent.`, blocks }
}

/** Why the preview could not be shown. */
export function noticesPreviewError(error: PlanNightError, libraryName: string): SlackMessage {
  switch (error.code) {
    case 'not_allowed':
      return notice(notAllowedText(error, libraryName))
    case 'invalid_date':
      return notice(`“${escapeMrkdwn(error.value)}” is not a date. Try \`/notices preview 2026-03-02\`, or \`/notices preview\` for tonight.`)
    case 'library_not_found':
      return notice('This workspace’s library no longer exists in library-comms.')
    case 'future_night':
      return notice(`The night of ${error.value} is still to come: it can only be previewed.`)
    default:
      return assertNever(error)
  }
}

const total = (values: Partial<Record<string, number>>) => Object.values(values).reduce<number>((sum, n) => sum + (n ?? 0), 0)

const reasonWords: Record<string, string> = {
  no_contact: 'no contact may receive it',
  blacklisted: 'blacklisted address',
  condition_gone: 'no longer due',
  template_error: 'the template fails',
  inactive: 'deactivated patron',
  excluded: 'excluded by level or group',
}

function countLine(count: NightScenarioCount): string {
  const parts = [`${count.queued} to send`]
  for (const [reason, n] of [...Object.entries(count.skipped), ...Object.entries(count.notComposed)]) {
    if (n) parts.push(`${n} not sent: ${reasonWords[reason] ?? reason}`)
  }
  if (count.alreadyPlanned > 0) parts.push(`${count.alreadyPlanned} already planned`)
  return `*${scenarioTitle(count.scenario)}*: ${parts.join(' · ')}`
}

/** A titled list of notices, a few lines to a section (Slack takes 3,000 characters in one). */
function listed(title: string, notices: readonly NightNotice[], line: (n: NightNotice) => string): types.KnownBlock[] {
  const shown = notices.slice(0, previewListed).map(line)
  const more = notices.length - shown.length
  const blocks: types.KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: `*${title}* (${notices.length})` } }]
  for (let start = 0; start < shown.length; start += 5) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: shown
          .slice(start, start + 5)
          .join('\n')
          .slice(0, 3000),
      },
    })
  }
  if (more > 0) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `… and ${more} more.` }] })
  return blocks
}

const short = (text: string, length = 80) => escapeMrkdwn(text.length > length ? `${text.slice(0, length - 1)}…` : text)

const concerns = (n: NightNotice) =>
  n.reservation ? `${short(n.reservation.title)} (collect by ${n.reservation.pickupBy})` : n.loans.map((loan) => short(loan.title, 40)).join(', ')

function sentLine(n: NightNotice): string {
  const recipients = n.recipients.map((r) => `${r.kind === 'to' ? '' : `${r.kind} `}${short(r.address)}`).join(', ')
  return `• ${scenarioTitle(n.scenario)} for *${short(n.username)}* → ${recipients}: “${short(n.subject)}” — ${concerns(n)}`
}

function heldLine(n: NightNotice): string {
  const why = n.status === 'already_planned' ? 'already planned by an earlier run' : (reasonWords[n.reason ?? ''] ?? String(n.reason))
  return `• ${scenarioTitle(n.scenario)} for *${short(n.username)}*: ${why} — ${concerns(n)}`
}
