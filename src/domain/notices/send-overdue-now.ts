import { randomUUID } from 'node:crypto'
import { recordAudit } from '../audit/record-audit.ts'
import type { AppDeps } from '../deps.ts'
import { findPatronById } from '../patrons/queries.ts'
import { err, ok, type Result } from '../result.ts'
import type { ScenarioName } from '../scenarios/catalogue.ts'
import { type Actor, actorLabel } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import { loanContextOf } from '../templates/loan-context.ts'
import type { NoticeRenderer } from '../templates/render.ts'
import { composePatronNotices } from './compose.ts'
import type { SendByHandError } from './errors.ts'
import { type NewMessage, queueMessages } from './outbox.ts'
import { findOpenLoans, type OpenLoan } from './outbox-queries.ts'

/** A notice queued by hand: to whom it goes, or why it was recorded as skipped, and what it lists. */
export type NoticeSentByHand = {
  messageId: string
  scenario: ScenarioName
  patron: { id: number; username: string; firstName: string; lastName: string }
  status: 'queued' | 'skipped'
  reason: NewMessage['reason']
  recipients: NewMessage['recipients']
  loans: OpenLoan[]
}

type Deps = Pick<AppDeps, 'db' | 'clock'> & { renderer: NoticeRenderer }

const scenario = 'circulation.overdue' satisfies ScenarioName

/**
 * Queues the patron's overdue notice now, for every loan of theirs that is overdue today (in the
 * library's time zone), as the nightly run would render it, to the contacts it would reach. Staff
 * ask for it from the patron's card. It is extra: its key is unique to the request and it writes
 * no ledger row, so the nightly schedule goes on as if it had not been sent. Audited.
 */
export async function sendOverdueNow(
  deps: Deps,
  input: { libraryId: number; patronId: number; actor: Actor },
): Promise<Result<NoticeSentByHand, SendByHandError>> {
  const refused = checkPermission(input.actor, 'sendNotices')
  if (refused) return err(refused)
  const patron = await findPatronById(deps.db, { libraryId: input.libraryId, patronId: input.patronId })
  if (!patron) return err({ code: 'patron_not_found', patronId: input.patronId })
  const loans = (await findOpenLoans(deps.db, { libraryId: input.libraryId, patronId: patron.id, now: deps.clock.now() }))
    .filter((loan) => loan.daysOverdue > 0)
    // Most overdue first, as the nightly notice lists them.
    .sort((a, b) => b.daysOverdue - a.daysOverdue || a.title.localeCompare(b.title))
  if (loans.length === 0) return err({ code: 'nothing_overdue', username: patron.username })
  const render = await deps.renderer(deps.db, input.libraryId)
  const requestedBy = actorLabel(input.actor.ref)

  return deps.db.transaction().execute(async (tx) => {
    const { messages, notComposed } = await composePatronNotices(tx, {
      libraryId: input.libraryId,
      scenario,
      render,
      drafts: [
        {
          patronId: patron.id,
          dedupeKey: `by-hand:${scenario}:${patron.id}:${randomUUID()}`,
          context: { loans: loans.map(loanContextOf) },
          loanIds: loans.map((loan) => loan.id),
          requestedBy,
        },
      ],
    })
    const [not] = notComposed
    if (not)
      return err(
        not.reason === 'inactive' ? { code: 'patron_inactive', username: patron.username } : { code: 'patron_excluded', username: patron.username, scenario },
      )
    const [message] = messages
    const queued = await queueMessages(tx, messages)
    const messageId = queued.ids.get(message.dedupeKey)!
    await recordAudit(tx, {
      libraryId: input.libraryId,
      actor: requestedBy,
      action: 'notice.sent_by_hand',
      subjectType: 'message',
      subjectId: messageId,
      patronId: patron.id,
      details: { scenario, status: message.status, reason: message.reason ?? null, loans: loans.map((loan) => loan.barcode) },
    })
    return ok({
      messageId,
      scenario,
      patron: { id: patron.id, username: patron.username, firstName: patron.firstName, lastName: patron.lastName },
      status: message.status,
      reason: message.reason ?? null,
      recipients: message.recipients,
      loans,
    })
  })
}
