import type { types } from '@slack/bolt'
import type { BatchStatus } from '../../domain/batches/batch.ts'
import type { PurgeError } from '../../domain/purge/errors.ts'
import type { PurgeImpact, PurgeOutcome, PurgeProgress, PurgeRequest, PurgeRequestPatron } from '../../domain/purge/purge-view.ts'
import { assertNever } from '../../domain/result.ts'
import { type ActorRef, actorLabel } from '../../domain/staff/actors.ts'
import { counted, escapeMrkdwn, notAllowedText, notice, number, progressBar, type SlackMessage } from '../views.ts'

/** The buttons of the request message and of the purge modals; each carries what it acts on in its value. */
export const purgeActions = {
  approve: 'purge.approve',
  reject: 'purge.reject',
  listEveryone: 'purge.list_everyone',
  /** In the candidates modal. */
  show: 'purge.show',
  page: 'purge.page',
  markLost: 'purge.mark_lost',
  /** In the "everyone" modal. */
  everyonePage: 'purge.everyone_page',
} as const

/** How many patrons the request message names before "List everyone". */
export const patronsNamed = 10

/** "2 contacts", "1 item on loan": counts as a librarian reads them. */
export const contactsWords = (n: number) => counted(n, 'contact')
export const onLoanWords = (n: number) => `${number.format(n)} ${n === 1 ? 'item' : 'items'} on loan`

/** "Ana Silva", or the username when the patron has no name. */
export function patronName(patron: { firstName: string; lastName: string; username: string }): string {
  const name = `${patron.firstName} ${patron.lastName}`.trim()
  return name === '' ? patron.username : name
}

/** Who did something, as Slack shows them: a mention for a Slack member, the label otherwise (an API key, the tool). */
export function who(ref: ActorRef): string {
  return ref.kind === 'slack' ? `<@${ref.userId}>` : `\`${escapeMrkdwn(actorLabel(ref))}\``
}

// Slack shows the date in each reader's own time zone; the fallback is for clients that cannot.
const slackDate = (at: Date) =>
  `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} at {time}|${at.toISOString().slice(0, 16).replace('T', ' ')} UTC>`

const title = (request: Pick<PurgeRequest, 'id'>) => `Purge request #${request.id}`

const impactLines = (impact: PurgeImpact): string[] => [
  `• *${counted(impact.patrons, 'patron')}* removed, with their *${contactsWords(impact.contacts)}*`,
  impact.loansKept === 'anonymised'
    ? `• ${counted(impact.loans, 'loan')} kept for statistics without the patron (anonymised)`
    : `• ${counted(impact.loans, 'loan')} removed with them (the library does not keep a purged patron’s loans)`,
  ...(impact.loansToMarkLost > 0 ? [`• ${counted(impact.loansToMarkLost, 'loan')} still out marked lost`] : []),
  ...(impact.reservations > 0 ? [`• ${counted(impact.reservations, 'reservation')} removed`] : []),
  `• ${counted(impact.messagesKeptWithoutAddresses, 'email')} sent to them kept in the email log, without the addresses`,
]

/** Slack refuses a section whose text is over 3,000 characters. */
export const maxSectionText = 3000
// Names run to 200 characters each (and an escaped `&` to five): a line names a patron in a readable length.
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text)

/** "Ana Silva (asilva) · Year 7", for a list of who a request removes; at most a few hundred characters whatever the names. */
export function requestPatronLine(p: PurgeRequestPatron): string {
  const level = p.academicLevel ? ` · ${escapeMrkdwn(clip(p.academicLevel, 40))}` : ''
  return `${escapeMrkdwn(clip(patronName(p), 80))} (${escapeMrkdwn(clip(p.username, 40))})${level}`
}

// The first patrons by name, as many as fit in one section beside "Who:" and "and N more".
const names = (patrons: readonly PurgeRequestPatron[], total: number): string => {
  const lines: string[] = []
  for (const line of patrons.slice(0, patronsNamed).map(requestPatronLine)) {
    if ([...lines, line].join(', ').length > maxSectionText - 100) break
    lines.push(line)
  }
  const more = total - lines.length
  return lines.join(', ') + (more > 0 ? `, and ${number.format(more)} more` : '')
}

/** The request as posted in the report channel: exactly who goes and what goes with them, for another admin to approve. */
export function requestMessage(request: PurgeRequest, first: { patrons: readonly PurgeRequestPatron[]; total: number }): SlackMessage {
  const { impact } = request
  const value = String(request.id)
  const blocks: types.KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: `${title(request)}: ${counted(impact.patrons, 'patron')}` } },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `Asked by ${who(request.requestedBy)}. Waits for *another admin* to approve it until ${slackDate(request.expiresAt)}; then it expires.`,
        },
      ],
    },
    { type: 'section', text: { type: 'mrkdwn', text: `Nothing has been removed yet. Approving would remove for good:\n${impactLines(impact).join('\n')}` } },
    {
      type: 'section',
      text: { type: 'mrkdwn', text: `*Who:* ${names(first.patrons, first.total)}` },
      accessory: { type: 'button', action_id: purgeActions.listEveryone, value, text: { type: 'plain_text', text: 'List everyone' } },
    },
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: purgeActions.approve,
          value,
          style: 'danger',
          text: { type: 'plain_text', text: 'Approve' },
          confirm: {
            title: { type: 'plain_text', text: `Purge ${counted(impact.patrons, 'patron')}?` },
            text: {
              type: 'mrkdwn',
              text: `${counted(impact.patrons, 'patron')} and ${contactsWords(impact.contacts)} will be removed. *This cannot be undone.*`,
            },
            confirm: { type: 'plain_text', text: 'Purge' },
            deny: { type: 'plain_text', text: 'Cancel' },
            style: 'danger',
          },
        },
        { type: 'button', action_id: purgeActions.reject, value, text: { type: 'plain_text', text: 'Reject' } },
      ],
    },
  ]
  return {
    text: `${title(request)} by ${who(request.requestedBy)}: ${counted(impact.patrons, 'patron')} and ${contactsWords(impact.contacts)} to remove. Another admin can approve or reject it.`,
    blocks,
  }
}

/** The request message while an approved purge runs, page after page. */
export function progressMessage(request: Pick<PurgeRequest, 'id' | 'requestedBy'>, approvedBy: ActorRef, progress: PurgeProgress): SlackMessage {
  return notice(
    `:hourglass_flowing_sand: ${title(request)}, asked by ${who(request.requestedBy)} and approved by ${who(approvedBy)}: ` +
      `page ${number.format(progress.page)} of ${number.format(progress.pages)} done, ${counted(progress.purged, 'patron')} purged so far… ${progressBar(progress.page, progress.pages)}`,
  )
}

const skipWords: Record<PurgeOutcome['skipped'][number]['reason'], string> = {
  reactivated: 'reactivated since the request',
  open_loans: 'borrowed again since the request',
  gone: 'already gone',
}

/** The end of a purge: the counts, who asked and who approved. */
export function purgedMessage(request: Pick<PurgeRequest, 'id' | 'requestedBy'>, approvedBy: ActorRef, outcome: PurgeOutcome): SlackMessage {
  const lines = [
    `• ${counted(outcome.purged, 'patron')} removed, with ${contactsWords(outcome.contactsRemoved)}`,
    ...(outcome.loansAnonymised > 0 ? [`• ${counted(outcome.loansAnonymised, 'loan')} kept for statistics without the patron`] : []),
    ...(outcome.loansRemoved > 0 ? [`• ${counted(outcome.loansRemoved, 'loan')} removed`] : []),
    ...(outcome.loansMarkedLost > 0 ? [`• ${counted(outcome.loansMarkedLost, 'loan')} marked lost`] : []),
    ...(outcome.reservationsRemoved > 0 ? [`• ${counted(outcome.reservationsRemoved, 'reservation')} removed`] : []),
    `• ${counted(outcome.messagesWithoutAddresses, 'email')} kept in the email log without their addresses`,
  ]
  const skipped = outcome.skipped.slice(0, 20).map((s) => `${escapeMrkdwn(s.username)} (${skipWords[s.reason]})`)
  const more = outcome.skipped.length - skipped.length
  const blocks: types.KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: `${title(request)}: done` } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `Asked by ${who(request.requestedBy)}, approved by ${who(approvedBy)}.` }] },
    { type: 'section', text: { type: 'mrkdwn', text: `:white_check_mark: Purged:\n${lines.join('\n')}` } },
  ]
  if (outcome.skipped.length > 0) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `Left alone (${number.format(outcome.skipped.length)}): ${skipped.join(', ')}${more > 0 ? `, and ${number.format(more)} more` : ''}`,
      },
    })
  }
  return {
    text: `${title(request)} done: ${counted(outcome.purged, 'patron')} purged. Asked by ${who(request.requestedBy)}, approved by ${who(approvedBy)}.`,
    blocks,
  }
}

/** A request someone said no to. */
export function rejectedMessage(request: Pick<PurgeRequest, 'id' | 'requestedBy' | 'impact'>, rejectedBy: ActorRef): SlackMessage {
  const byAsker = actorLabel(rejectedBy) === actorLabel(request.requestedBy)
  return notice(
    `:no_entry_sign: ${title(request)} (${counted(request.impact.patrons, 'patron')}), asked by ${who(request.requestedBy)}: ` +
      `${byAsker ? 'withdrawn by' : 'rejected by'} ${who(rejectedBy)}, nothing was removed.`,
  )
}

/** A request nobody approved in time. */
export function expiredMessage(request: Pick<PurgeRequest, 'id' | 'requestedBy' | 'impact'>): SlackMessage {
  return notice(
    `:hourglass: ${title(request)} (${counted(request.impact.patrons, 'patron')}), asked by ${who(request.requestedBy)}. ` +
      'Expired: nobody approved it within a week; nothing was removed.',
  )
}

/** A purge that failed on our side: the pages done stay done; the rest is tried again by the service. */
export function purgeFailedMessage(request: Pick<PurgeRequest, 'id'>): SlackMessage {
  return notice(
    `:warning: ${title(request)}: something went wrong on our side while purging. Each page of patrons is removed whole or not at all; ` +
      'the service carries on with the pages left within a few minutes, and this message will say when it is done.',
  )
}

/** Told privately to the admin who asked and pressed Approve. */
export function askerMayNotApproveText(): string {
  return 'You asked for this purge, so *another admin* must approve it. Nothing was removed. (You can still *Reject* it to withdraw it.)'
}

/** What a purge door refused, in words; nothing was changed. */
export function purgeErrorText(error: PurgeError, libraryName: string): string {
  switch (error.code) {
    case 'not_allowed':
      return `${notAllowedText(error, libraryName)} Nothing was changed.`
    case 'same_confirmer':
      return askerMayNotApproveText()
    case 'batch_running':
      return 'Another import or purge is running in this library right now. Please try again when it is done.'
    case 'batch_not_found':
    case 'request_not_found':
      return 'This purge request no longer exists. Nothing was removed.'
    case 'batch_not_ready':
      return `This purge request ${notReadyWords[error.status]}. Nothing more was done.`
    case 'unknown_patrons':
      return `These patrons are no longer in the library: ${listed(error.usernames)}. Nothing was asked: run \`/purge\` again.`
    case 'not_deactivated':
      return `These patrons were reactivated meanwhile: ${listed(error.usernames)}. Nothing was asked: run \`/purge\` again.`
    case 'open_loans':
      return `These patrons have items on loan: ${listed(error.patrons.map((p) => `${p.username} (${onLoanWords(p.openLoans)})`))}. Use *Mark as lost and purge*, or chase the items first.`
    case 'empty_request':
      return 'Tick at least one patron.'
    case 'patron_not_found':
      return `There is no patron ${escapeMrkdwn(error.username)} in the library any more.`
    case 'unknown_in_filter':
      return `The library has no ${error.field === 'academicLevel' ? 'academic level' : 'group'} “${escapeMrkdwn(error.value)}”: check its name, or leave it empty for every one. The list was not changed.`
    default:
      return assertNever(error)
  }
}

// Why a request cannot be approved or rejected any more, as a librarian reads it (not the batch's status word).
const notReadyWords: Record<BatchStatus | 'applying', string> = {
  staging: 'is still being prepared',
  staged: 'is waiting for approval',
  invalid: 'could not be prepared',
  approved: 'was approved already: the purge is under way, and its message follows it',
  applying: 'is being approved or rejected by someone else right now',
  applied: 'was approved and carried out already',
  failed: 'failed and was stopped',
  cancelled: 'was withdrawn by the admin who asked',
  rejected: 'was rejected already',
  expired: 'expired: nobody approved it within a week',
}

const listed = (items: readonly string[]) => {
  const shown = items.slice(0, 10).map(escapeMrkdwn).join(', ')
  return items.length > 10 ? `${shown}, and ${number.format(items.length - 10)} more` : shown
}

/** How `/purge` is used. */
export function purgeHelp(unknown?: string): SlackMessage {
  return notice(
    [
      ...(unknown === undefined ? [] : [`“${escapeMrkdwn(unknown.slice(0, 100))}” is not something /purge does.`, '']),
      '*Purge deactivated patrons* (admins)',
      '`/purge`: the deactivated patrons, page by page, to tick and ask for approval',
      'Another admin approves the request in the library’s report channel; nothing is removed before.',
    ].join('\n'),
  )
}
