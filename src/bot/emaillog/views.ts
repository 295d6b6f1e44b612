import type { types } from '@slack/bolt'
import { z } from 'zod'
import type { EmailLogError } from '../../domain/notices/errors.ts'
import type { EmailLogPage } from '../../domain/notices/list-messages.ts'
import type { EmailLogEntry, RecipientDelivery } from '../../domain/notices/outbox-queries.ts'
import { assertNever } from '../../domain/result.ts'
import { scenarioTitle } from '../../domain/scenarios/catalogue.ts'
import { addressWords, recipientsWords, skippedWords } from '../contacts/loan-views.ts'
import { deactivatedMark } from '../contacts/views.ts'
import { escapeMrkdwn, notAllowedText, notice, type SlackMessage } from '../views.ts'

/** The email log's buttons. */
export const emailLogActions = { page: 'emaillog.page' } as const

/** Messages a page: each is one block, well within Slack's 50. */
export const emailLogPageSize = 10

/**
 * A page button's value: what was asked for, and the cursors of the pages before, so that
 * Previous can go back (the first page has none).
 */
export type EmailLogRef = { query: string; cursors: string[] }

const emailLogRef = z.object({ query: z.string().min(1).max(320), cursors: z.array(z.string().max(200)).max(40) })

/** A button's value; undefined when it is not one of ours. */
export function parseEmailLogRef(value: string | undefined): EmailLogRef | undefined {
  try {
    const parsed = emailLogRef.safeParse(JSON.parse(value ?? ''))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}

/** The answer to `/emaillog` with nothing after it. */
export function emailLogHelp(): SlackMessage {
  return notice(
    [
      '*What was sent, to whom, and what was not*',
      '`/emaillog asilva`: the latest messages about a patron, by username',
      '`/emaillog mum@example.org`: the latest messages to an address, in To, Cc or Bcc',
      'Each shows when, the notice, whether it was sent, is waiting, or was skipped and why, who it went to, and its subject.',
    ].join('\n'),
  )
}

/** A page of the log for `ref.query`, newest first, with Previous and Next. */
export function emailLogMessage(page: EmailLogPage, ref: EmailLogRef): SlackMessage {
  const who = escapeMrkdwn(ref.query)
  const pageNumber = ref.cursors.length + 1
  if (page.messages.length === 0 && pageNumber === 1) return notice(`No messages about or to \`${who}\` yet.`)
  const heading = `*Email log: \`${who}\`*`
  const blocks: types.KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: heading } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `Newest first · page ${pageNumber} · times in ${escapeMrkdwn(page.timeZone)}` }] },
  ]
  for (const message of page.messages) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: entryText(message, page.timeZone).slice(0, 3000) } })
  const buttons: types.Button[] = []
  if (ref.cursors.length > 0) buttons.push(button('Newer', { query: ref.query, cursors: ref.cursors.slice(0, -1) }))
  const older = page.nextCursor === null ? undefined : { query: ref.query, cursors: [...ref.cursors, page.nextCursor] }
  // A button's value holds 2,000 characters: a log read this far back is for the API.
  if (older && JSON.stringify(older).length <= 2000 && older.cursors.length <= 40) buttons.push(button('Older', older))
  else if (older) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'Older messages: ask your IT admin to read them through the API.' }] })
  if (buttons.length > 0) blocks.push({ type: 'actions', block_id: 'emaillog-pages', elements: buttons })
  return { text: `Email log: ${ref.query}, page ${pageNumber}`, blocks }
}

/** Why the log could not be read, in the words staff read. */
export function emailLogErrorText(error: EmailLogError, libraryName: string): string {
  switch (error.code) {
    case 'not_allowed':
      return notAllowedText(error, libraryName)
    case 'invalid_filters': {
      const [problem] = error.problems
      if (problem?.filter === 'username') return `${escapeMrkdwn(problem.message)}. Give a username (find it with \`/contacts\`) or an email address.`
      if (problem?.filter === 'cursor') return 'These pages are out of date: run `/emaillog` again.'
      return escapeMrkdwn(problem?.message ?? 'That cannot be looked up.')
    }
    case 'library_not_found':
      return 'This workspace’s library no longer exists.'
    default:
      return assertNever(error)
  }
}

const when = (timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' })

function entryText(message: EmailLogEntry, timeZone: string): string {
  // "Mon 2 Mar 2026, 02:00": sent, or planned for a message not sent.
  const at = when(timeZone)
    .format(message.sentAt ?? message.plannedAt)
    .replace(/^(\w+),/, '$1')
  // A deactivated patron gets nothing more: said on each message about them, as the card says it.
  const patron = message.patronEnabled === false && message.username !== null ? ` · \`${escapeMrkdwn(message.username)}\` ${deactivatedMark}` : ''
  const head = `*${escapeMrkdwn(scenarioTitle(message.scenario))}* · ${at} · ${statusWords(message)}${patron}`
  const recipients = recipientsWords([
    ...message.to.map((address) => ({ kind: 'to' as const, address })),
    ...message.cc.map((address) => ({ kind: 'cc' as const, address })),
    ...message.bcc.map((address) => ({ kind: 'bcc' as const, address })),
  ])
  const concerning = [
    ...message.loans.map((loan) => escapeMrkdwn(loan.title)),
    ...(message.reservation ? [`reservation of ${escapeMrkdwn(message.reservation.title)}`] : []),
  ]
  const lines = [head, recipients === '' ? '_no recipients_' : capitalised(recipients)]
  const delivered = message.deliveries.filter((r) => r.delivery !== null)
  if (delivered.length > 0) lines.push(delivered.map((r) => `${addressWords(r.address)}: ${deliveryWords(r)}`).join(' · '))
  // Each recipient gets a copy of their own: one not sent whole says who already has theirs.
  const copiesSent = message.status === 'sent' ? [] : message.deliveries.filter((r) => r.sentAt !== null)
  if (copiesSent.length > 0) lines.push(`Already sent to ${copiesSent.map((r) => addressWords(r.address)).join(', ')}`)
  if (message.subject !== '') lines.push(`“${escapeMrkdwn(message.subject)}”`)
  const extra = [
    ...(concerning.length > 0 ? [`About: ${concerning.join(', ')}`] : []),
    ...(message.requestedBy ? [`sent by hand by ${requesterOf(message.requestedBy)}`] : []),
  ]
  if (extra.length > 0) lines.push(`_${extra.join(' · ')}_`)
  return lines.join('\n')
}

function statusWords(message: EmailLogEntry): string {
  switch (message.status) {
    case 'sent':
      return ':white_check_mark: sent'
    case 'queued':
      return message.reason
        ? `:hourglass_flowing_sand: waiting to be tried again (${escapeMrkdwn(message.reason)})`
        : ':hourglass_flowing_sand: waiting to be sent'
    case 'sending':
      return ':outbox_tray: being sent'
    case 'skipped':
      return `:no_entry_sign: skipped: ${skippedWords(message.reason)}`
    case 'failed':
      return `:x: failed: ${escapeMrkdwn(message.reason ?? 'no reason was recorded')}`
    default:
      return assertNever(message.status)
  }
}

// What SES said of one recipient, or why it was left out, with the diagnostic when there is one.
function deliveryWords(recipient: RecipientDelivery): string {
  const detail = recipient.detail && recipient.delivery !== 'skipped' ? ` (${escapeMrkdwn(recipient.detail)})` : ''
  switch (recipient.delivery) {
    case 'delivered':
      return ':white_check_mark: delivered'
    case 'delayed':
      return `:hourglass: delayed${detail}`
    case 'bounced':
      return `:warning: bounced${detail}`
    case 'complained':
      return `:warning: marked it as spam${detail}`
    case 'rejected':
      return `:x: rejected by SES${detail}`
    case 'skipped':
      return ':no_entry_sign: skipped: blacklisted'
    case null:
      return 'nothing known yet'
    default:
      return assertNever(recipient.delivery)
  }
}

// slack:U0123ABCD as a mention Slack shows by name; other actors (api-key:4, cli) as they are.
function requesterOf(label: string): string {
  const member = /^slack:([UW][A-Z0-9]+)$/.exec(label)
  return member ? `<@${member[1]}>` : `\`${escapeMrkdwn(label)}\``
}

const capitalised = (text: string) => `${text[0].toUpperCase()}${text.slice(1)}`

function button(label: string, ref: EmailLogRef): types.Button {
  return { type: 'button', text: { type: 'plain_text', text: label }, action_id: emailLogActions.page, value: JSON.stringify(ref) }
}
