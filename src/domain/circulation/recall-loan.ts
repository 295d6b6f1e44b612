import { recordAudit } from '../audit/record-audit.ts'
import { dateIn } from '../calendar.ts'
import { err, ok, type Result } from '../result.ts'
import { type Actor, actorLabel } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { Fed, Loan } from './circulation-view.ts'
import type { CirculationError } from './errors.ts'
import { type CirculationDeps, queueEventNotice } from './event-notices.ts'
import { loanContextOf } from './notice-context.ts'
import { findLibrary, findLoan, inTransaction, loanOf, updateLoan } from './queries.ts'

export type RecallInput = {
  libraryId: number
  /** By the library system's id (the API), or by ours (a button on the patron's card in Slack). */
  loan: { externalId: string } | { loanId: number }
  /** The earlier due date the recall sets, if any ('YYYY-MM-DD'). */
  dueDate?: string
  /** Staff in Slack, or the library system's API key. */
  actor: Actor
}

/**
 * Recalls an open loan: its recall notice is queued at once, in the same transaction, and the
 * recall is audited with who asked (recalls may come from staff). A loan already recalled is
 * left as it is, and gets no second notice, until a renewal ends the recall. A returned or lost
 * loan cannot be recalled. Recalling is the `sendNotices` permission, whichever door asks.
 */
export async function recallLoan(deps: CirculationDeps, input: RecallInput): Promise<Result<Fed<Loan>, CirculationError>> {
  const refused = checkPermission(input.actor, 'sendNotices')
  if (refused) return err(refused)
  const { libraryId } = input
  const named = 'externalId' in input.loan ? input.loan.externalId : `#${input.loan.loanId}`

  return inTransaction<Fed<Loan>, CirculationError>(deps.db, async (tx) => {
    const loan = await findLoan(tx, { libraryId, lock: true, ...input.loan })
    if (!loan) return err({ code: 'loan_not_found', loanId: named } as const)
    if (loan.status !== 'open') return err({ code: 'state_conflict', resource: 'loan', id: loan.id, status: loan.status, action: 'recall' } as const)
    // A purge leaves no open loan to a purged patron; there would be nobody to notify.
    if (loan.patronId === null) return err({ code: 'state_conflict', resource: 'loan', id: loan.id, status: 'anonymised', action: 'recall' } as const)
    if (loan.recalledAt !== null) {
      if (input.dueDate !== undefined && input.dueDate !== loan.dueDate)
        return err({ code: 'state_conflict', resource: 'loan', id: loan.id, status: 'recalled', action: 'recall_again' } as const)
      return ok({ result: 'unchanged', record: loanOf(loan), notice: null } as const)
    }
    const library = await findLibrary(tx, libraryId)
    const checkedOutOn = dateIn(library.timeZone, loan.checkedOutAt)
    if (input.dueDate !== undefined && input.dueDate < checkedOutOn) {
      return err({
        code: 'invalid_field',
        field: 'dueDate',
        message: `The due date ${input.dueDate} is before the checkout, on ${checkedOutOn} in the library's time zone (${library.timeZone})`,
      } as const)
    }

    const now = deps.clock.now()
    await updateLoan(tx, loan.loanId, { recalled_at: now, ...(input.dueDate !== undefined && { due_date: input.dueDate }) }, now)
    const recalled = (await findLoan(tx, { libraryId, loanId: loan.loanId }))!
    const notice = await queueEventNotice(tx, deps.renderer, {
      libraryId,
      scenario: 'circulation.recall',
      draft: {
        patronId: loan.patronId,
        dedupeKey: `circulation.recall:${loan.loanId}:${now.toISOString()}`,
        context: {
          loans: [
            loanContextOf(
              { ...recalled.item, checkedOutAt: recalled.checkedOutAt, dueDate: recalled.dueDate },
              { timeZone: library.timeZone, today: dateIn(library.timeZone, now) },
            ),
          ],
        },
        loanIds: [loan.loanId],
        requestedBy: actorLabel(input.actor.ref),
      },
    })
    await recordAudit(tx, {
      libraryId,
      actor: actorLabel(input.actor.ref),
      action: 'loan.recalled',
      subjectType: 'loan',
      subjectId: loan.id,
      patronId: loan.patronId,
      before: { dueDate: loan.dueDate, recalledAt: null },
      after: { dueDate: recalled.dueDate, recalledAt: now.toISOString() },
      details: { item: recalled.item, notice },
    })
    return ok({ result: 'updated', record: loanOf(recalled), notice } as const)
  })
}
