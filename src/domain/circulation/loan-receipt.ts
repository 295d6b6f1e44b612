import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import { queueMessages } from '../notices/outbox.ts'
import type { NoticeOutcome } from './circulation-view.ts'
import { type CirculationDeps, composeEventNotice } from './event-notices.ts'
import { loanContextOf } from './notice-context.ts'
import { findLoanLines, findPendingReceipt, holdMessageUntil, rewriteMessage } from './queries.ts'

/**
 * Seed 001's loan receipt lists what a patron took out. A class visit checks out a pile of books
 * one barcode at a time, so the first checkout's receipt waits this long, and the patron's
 * checkouts meanwhile join it: one receipt, listing them all.
 */
export const receiptWindowMinutes = 5

/**
 * A checkout reported this long after it happened gets no receipt: the first load of a library's
 * open loans, or a catch-up after an outage, must not mail every patron.
 */
export const lateReportHours = 24

// Holds one patron's receipts while a checkout joins or starts one (with the patron's id), so
// two checkouts at once give one receipt. Apart from the batches' locks (20480, 20481).
const receiptLock = 20_490

const minute = 60_000

/**
 * The loan receipt of a checkout, in the checkout's transaction: the loan joins the patron's
 * receipt still waiting out its window (re-rendered, listing every loan), or starts one that the
 * dispatcher sends once the window has passed.
 */
export async function queueLoanReceipt(
  db: Db,
  deps: Pick<CirculationDeps, 'clock' | 'renderer'>,
  input: { libraryId: number; patronId: number; loanId: number; checkedOutAt: Date; library: { timeZone: string; today: string } },
): Promise<NoticeOutcome> {
  const scenario = 'lending.loan_receipt'
  const now = deps.clock.now()
  if (now.getTime() - input.checkedOutAt.getTime() > lateReportHours * 60 * minute) return { scenario, status: 'not_sent', reason: 'late_report' }

  await sql`select pg_advisory_xact_lock(${receiptLock}, ${input.patronId})`.execute(db)
  const pending = await findPendingReceipt(db, { libraryId: input.libraryId, patronId: input.patronId, now })
  const loanIds = [...(pending?.loanIds ?? []), input.loanId]
  const loans = await findLoanLines(db, { libraryId: input.libraryId, loanIds })
  const { message, notice } = await composeEventNotice(db, deps.renderer, {
    libraryId: input.libraryId,
    scenario,
    draft: {
      patronId: input.patronId,
      dedupeKey: pending?.dedupeKey ?? `${scenario}:${input.loanId}`,
      context: { loans: loans.map((loan) => loanContextOf(loan, input.library)) },
      loanIds,
    },
  })
  if (!message) return notice
  if (pending) {
    await rewriteMessage(db, pending.id, message)
  } else {
    const { ids } = await queueMessages(db, [message])
    const id = ids.get(message.dedupeKey)
    if (id !== undefined) await holdMessageUntil(db, id, new Date(now.getTime() + receiptWindowMinutes * minute))
  }
  return notice
}
