import type { types } from '@slack/bolt'
import { z } from 'zod'
import type { Fed, Loan } from '../../domain/circulation/circulation-view.ts'
import type { CirculationError } from '../../domain/circulation/errors.ts'
import type { SendByHandError } from '../../domain/notices/errors.ts'
import type { OpenLoan } from '../../domain/notices/outbox-queries.ts'
import type { NoticeSentByHand } from '../../domain/notices/send-overdue-now.ts'
import { displayName, type Patron } from '../../domain/patrons/patron-view.ts'
import { assertNever } from '../../domain/result.ts'
import { scenarioTitle } from '../../domain/scenarios/catalogue.ts'
import { counted, escapeMrkdwn, notAllowedText } from '../views.ts'

/** The card's buttons that send notices by hand. */
export const noticeActions = {
  sendOverdue: 'notices.send_overdue',
  recall: 'notices.recall',
} as const

/** A button's value: the patron, the loan (Recall), and the page of the card it is on. */
export type LoanRef = { patronId: number; loanId?: number; page?: number }

const loanRef = z.object({
  patronId: z.number().int().positive(),
  loanId: z.number().int().positive().optional(),
  page: z.number().int().positive().optional(),
})

/** A button's value; undefined when it is not one of ours. */
export function parseLoanRef(value: string | undefined): LoanRef | undefined {
  try {
    const parsed = loanRef.safeParse(JSON.parse(value ?? ''))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}

// An actions block holds 25 elements: Send and ten Recall buttons leave room, and a patron with
// more open loans than that is rare in a school library (the rest are counted).
const loansShown = 10

const shortDate = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })
/** "2 Mar 2026", for a calendar date. */
const dateOf = (date: string) => shortDate.format(new Date(`${date}T00:00:00Z`))

/**
 * The patron's open loans, for staff who send notices: each with its due date and how overdue
 * it is, Recall beside each loan not yet recalled, and "Send overdue notice now".
 */
export function loanBlocks(patron: Patron, loans: readonly OpenLoan[], page: number): types.KnownBlock[] {
  const lines = loans.slice(0, loansShown).map((loan) => {
    const late = loan.daysOverdue > 0 ? ` · *${counted(loan.daysOverdue, 'day')} overdue*` : ''
    const recalled = loan.recalledAt ? ' · recalled' : ''
    return `• ${escapeMrkdwn(loan.title.slice(0, 100))} · \`${escapeMrkdwn(loan.barcode)}\` · due ${dateOf(loan.dueDate)}${late}${recalled}`
  })
  if (loans.length > loansShown) lines.push(`_…and ${counted(loans.length - loansShown, 'more open loan')}_`)
  const text = loans.length === 0 ? '*Open loans*: none' : `*Open loans* (${loans.length})\n${lines.join('\n')}`
  const name = escapeMrkdwn(displayName(patron))
  const buttons: types.Button[] = []
  if (loans.some((loan) => loan.daysOverdue > 0)) {
    buttons.push({
      ...button('Send overdue notice now', noticeActions.sendOverdue, { patronId: patron.id, page }),
      confirm: confirm(
        'Send the overdue notice now?',
        `${name}’s overdue notice goes out now to the contacts it reaches, listing every overdue loan. The nightly schedule is not changed.`,
        'Send',
      ),
    })
  }
  for (const loan of loans.slice(0, loansShown)) {
    if (loan.recalledAt) continue
    const title = escapeMrkdwn(loan.title.slice(0, 120))
    buttons.push({
      ...button(`Recall “${loan.title.slice(0, 55)}”`, noticeActions.recall, { patronId: patron.id, loanId: loan.id, page }),
      confirm: confirm('Recall this loan?', `Recall “${title}” from ${name}? The recall notice goes out now.`, 'Recall'),
    })
  }
  const blocks: types.KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text } }]
  if (buttons.length > 0) blocks.push({ type: 'actions', block_id: 'loans', elements: buttons })
  return blocks
}

/** What was queued by hand, to whom, or why it could not reach anyone. */
export function sentByHandText(sent: NoticeSentByHand): string {
  const name = escapeMrkdwn(displayName(sent.patron))
  const loans = `${counted(sent.loans.length, 'overdue loan')}: ${sent.loans.map((loan) => escapeMrkdwn(loan.title)).join(', ')}`
  if (sent.status === 'skipped') return `:warning: ${name}’s overdue notice (${loans}) was not sent: ${skippedWords(sent.reason)}. It is in the email log.`
  return `:email: Queued ${name}’s overdue notice (${loans}) ${recipientsWords(sent.recipients)}. It goes out within a minute.`
}

/** What recalling did. */
export function recalledText(recalled: Fed<Loan>): string {
  const title = `“${escapeMrkdwn(recalled.record.item.title)}”`
  const { notice } = recalled
  if (recalled.result === 'unchanged' || notice === null) return `${title} was already recalled; no second notice was sent.`
  const scenario = scenarioTitle('circulation.recall').toLowerCase()
  switch (notice.status) {
    case 'queued':
      return `:email: Recalled ${title}, and queued the ${scenario} notice. It goes out within a minute.`
    case 'skipped':
      return `Recalled ${title}. :warning: The ${scenario} notice was not sent: ${skippedWords(notice.reason)}. It is in the email log.`
    case 'not_sent':
      return `Recalled ${title}. No notice was sent: ${notSentWords[notice.reason]}.`
    default:
      return assertNever(notice)
  }
}

const notSentWords: Record<'scenario_off' | 'inactive' | 'excluded' | 'late_report', string> = {
  scenario_off: 'recall notices are switched off in /notices',
  inactive: 'the patron is deactivated',
  excluded: 'the patron’s level or group is excluded from recall notices',
  late_report: 'the checkout was reported late',
}

/** Why a notice could not be sent by hand, in the words staff read. */
export function sendByHandErrorText(error: SendByHandError, libraryName: string): string {
  switch (error.code) {
    case 'not_allowed':
      return notAllowedText(error, libraryName)
    case 'patron_not_found':
      return 'This patron is no longer in the library.'
    case 'nothing_overdue':
      return `Nothing is overdue for \`${escapeMrkdwn(error.username)}\`: no overdue notice was sent.`
    case 'patron_inactive':
      return `\`${escapeMrkdwn(error.username)}\` is deactivated: deactivated patrons get no notices.`
    case 'patron_excluded':
      return `\`${escapeMrkdwn(error.username)}\` is in an academic level or library group excluded from the ${scenarioTitle(error.scenario).toLowerCase()}: nothing was sent.`
    default:
      return assertNever(error)
  }
}

/** Why a loan could not be recalled. */
export function recallErrorText(error: CirculationError, libraryName: string): string {
  switch (error.code) {
    case 'not_allowed':
      return notAllowedText(error, libraryName)
    case 'loan_not_found':
      return 'This loan is no longer in the library.'
    case 'state_conflict':
      return `This loan was ${error.status === 'lost' ? 'marked lost' : error.status === 'returned' ? 'returned' : 'changed'} meanwhile: there is nothing to recall.`
    default:
      // A recall by a button names no patron, supplier or reservation and sets no due date.
      return `The loan could not be recalled (${error.code}).`
  }
}

/** "no contact can receive this notice", for a skip reason. */
export function skippedWords(reason: string | null | undefined): string {
  switch (reason) {
    case 'no_contact':
      return 'no contact can receive this notice'
    case 'condition_gone':
      return 'the loans were returned before it was sent'
    case 'blacklisted':
      return 'the address is on the blacklist'
    case 'template_error':
      return 'the template could not be rendered'
    case 'patron_purged':
      return 'the patron was purged before it was sent'
    default:
      return reason ? escapeMrkdwn(reason) : 'no reason was recorded'
  }
}

/** "to mum@example.org, Bcc dad@example.org". */
export function recipientsWords(recipients: ReadonlyArray<{ kind: 'to' | 'cc' | 'bcc'; address: string }>): string {
  const of = (kind: 'to' | 'cc' | 'bcc') => recipients.filter((r) => r.kind === kind).map((r) => escapeMrkdwn(r.address))
  const parts = [
    of('to').length > 0 ? `to ${of('to').join(', ')}` : '',
    of('cc').length > 0 ? `Cc ${of('cc').join(', ')}` : '',
    of('bcc').length > 0 ? `Bcc ${of('bcc').join(', ')}` : '',
  ].filter(Boolean)
  return parts.join(', ')
}

function button(label: string, actionId: string, ref: LoanRef): types.Button {
  return { type: 'button', text: { type: 'plain_text', text: label.slice(0, 75) }, action_id: actionId, value: JSON.stringify(ref) }
}

// Slack allows 300 characters in a confirm dialog's text.
function confirm(title: string, text: string, yes: string): types.ConfirmationDialog {
  return {
    title: { type: 'plain_text', text: title },
    text: { type: 'mrkdwn', text: text.slice(0, 300) },
    confirm: { type: 'plain_text', text: yes },
    deny: { type: 'plain_text', text: 'Cancel' },
  }
}
