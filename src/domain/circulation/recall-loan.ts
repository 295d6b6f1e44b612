import { recordAudit } from '../audit/record-audit.ts'
import type { AppDeps } from '../deps.ts'
import { composePatronNotices } from '../notices/compose.ts'
import type { RecallError } from '../notices/errors.ts'
import type { LoadRenderer } from '../notices/load-renderer.ts'
import { loanContextOf } from '../notices/loan-context.ts'
import { queueMessages } from '../notices/outbox.ts'
import { findOpenLoans, type OpenLoan } from '../notices/outbox-queries.ts'
import { err, ok, type Result } from '../result.ts'
import type { ScenarioName } from '../scenarios/catalogue.ts'
import { type Actor, actorLabel } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'

/**
 * What recalling did. `notice` is the recall notice queued (or recorded as skipped, with why);
 * none when the patron may not receive it (deactivated, or excluded from recalls), or when the
 * loan was recalled already (`alreadyRecalled`: nothing changed).
 */
export type RecallOutcome = {
  loan: OpenLoan & { patronId: number; username: string }
  alreadyRecalled: boolean
  notice:
    | { messageId: string; status: 'queued' | 'skipped'; reason: string | null; recipients: Array<{ kind: 'to' | 'cc' | 'bcc'; address: string }> }
    | { messageId: null; notComposed: 'inactive' | 'excluded' }
    | null
}

type Deps = Pick<AppDeps, 'db' | 'clock'> & { loadRenderer: LoadRenderer }

const scenario = 'circulation.recall' satisfies ScenarioName

/**
 * Recalls an open loan: marks it recalled and queues the recall notice to the patron's contacts,
 * sent at once (DESIGN.md: staff recall a loan in Slack or through the API), in one transaction
 * with the audit entry. A loan recalled already is left as it is, and says so: once per loan.
 */
export async function recallLoan(
  deps: Deps,
  input: { libraryId: number; loan: { id: number } | { externalId: string }; actor: Actor },
): Promise<Result<RecallOutcome, RecallError>> {
  const refused = checkPermission(input.actor, 'sendNotices')
  if (refused) return err(refused)
  const render = await deps.loadRenderer(deps.db, input.libraryId)
  const requestedBy = actorLabel(input.actor.ref)
  const named = 'id' in input.loan ? input.loan.id : input.loan.externalId

  return deps.db.transaction().execute(async (tx) => {
    // Locked, so two staff recalling at once queue one notice.
    const row = await tx
      .selectFrom('loans as l')
      .innerJoin('patrons as p', 'p.id', 'l.patron_id')
      .select(['l.id', 'l.status', 'l.recalled_at as recalledAt', 'l.patron_id as patronId', 'p.username'])
      .where('l.library_id', '=', input.libraryId)
      .$if('id' in input.loan, (qb) => qb.where('l.id', '=', (input.loan as { id: number }).id))
      .$if('externalId' in input.loan, (qb) => qb.where('l.external_id', '=', (input.loan as { externalId: string }).externalId))
      .forUpdate('l')
      .executeTakeFirst()
    if (!row) return err({ code: 'loan_not_found', loanId: named })
    if (row.status !== 'open') return err({ code: 'loan_not_open', loanId: row.id, status: row.status })
    const now = deps.clock.now()
    const alreadyRecalled = row.recalledAt !== null
    if (!alreadyRecalled) await tx.updateTable('loans').set({ recalled_at: now, updated_at: now }).where('id', '=', row.id).execute()
    const [open] = await findOpenLoans(tx, { libraryId: input.libraryId, patronId: row.patronId, now, loanId: row.id })
    const loan = { ...open, patronId: row.patronId, username: row.username }
    if (alreadyRecalled) return ok({ loan, alreadyRecalled, notice: null })

    const { messages, notComposed } = await composePatronNotices(tx, {
      libraryId: input.libraryId,
      scenario,
      render,
      drafts: [
        {
          patronId: row.patronId,
          dedupeKey: `${scenario}:loan:${row.id}`,
          context: { loans: [loanContextOf(open)] },
          loanIds: [row.id],
          ledger: [{ scenario, loanId: row.id, period: '' }],
          requestedBy,
        },
      ],
    })
    const queued = await queueMessages(tx, messages)
    const [message] = messages
    const notice: RecallOutcome['notice'] = message
      ? {
          messageId: queued.ids.get(message.dedupeKey) ?? (await existingMessageId(tx, input.libraryId, message.dedupeKey)),
          status: message.status,
          reason: message.reason ?? null,
          recipients: message.recipients.map(({ kind, address }) => ({ kind, address })),
        }
      : { messageId: null, notComposed: notComposed[0].reason }
    await recordAudit(tx, {
      libraryId: input.libraryId,
      actor: requestedBy,
      action: 'loan.recalled',
      subjectType: 'loan',
      subjectId: row.id,
      patronId: row.patronId,
      details: {
        barcode: open.barcode,
        title: open.title,
        notice: notice.messageId === null ? { notComposed: notice.notComposed } : { messageId: notice.messageId, status: notice.status, reason: notice.reason },
      },
    })
    return ok({ loan, alreadyRecalled, notice })
  })
}

// The key is once per loan: a loan whose recall the library system undid and asked again keeps its first notice.
async function existingMessageId(db: Parameters<typeof queueMessages>[0], libraryId: number, dedupeKey: string): Promise<string> {
  const row = await db.selectFrom('messages').select('id').where('library_id', '=', libraryId).where('dedupe_key', '=', dedupeKey).executeTakeFirstOrThrow()
  return String(row.id)
}
