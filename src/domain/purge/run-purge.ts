import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import { recordAudit } from '../audit/record-audit.ts'
import type { PurgeBatch } from '../batches/batch.ts'
import { finishBatch } from '../batches/confirm-batch.ts'
import { batchLock, laneLock } from '../batches/queries.ts'
import type { Clock } from '../deps.ts'
import { recordEvents } from '../events/record-events.ts'
import { actorLabel } from '../staff/actors.ts'
import { noTotals, type PurgeBatchSummary, type PurgeTotals } from './purge-batch.ts'
import type { PurgeOutcome, PurgeProgress } from './purge-view.ts'
import { findPurgeBatch, markOpenLoansLost } from './queries.ts'

const ids = (values: readonly number[]) => sql`${sql.val([...values])}::int[]`
// Sent as text and cast: drivers disagree on how they encode a parameter typed jsonb.
const json = (value: unknown) => sql`cast(${JSON.stringify(value)}::text as jsonb)`

type Skip = PurgeOutcome['skipped'][number]

/**
 * Runs an approved purge to its end, one transaction per page: a page is purged whole or not at
 * all, and the batch stays `approved` until its last page is done, so a run that dies is resumed
 * where it stopped (by the next approve, or the sweep). Two runners take turns page by page.
 * The last one marks the batch `applied` and audits `purge.completed` with the totals.
 */
export async function runPurge(
  deps: { db: Db; clock: Clock },
  input: { batch: PurgeBatch; onProgress?: ((progress: PurgeProgress) => void) | undefined },
): Promise<PurgeOutcome> {
  const { batch } = input
  for (;;) {
    const step = await deps.db.transaction().execute((tx) => purgeNextPage(tx, { batch, now: deps.clock.now() }))
    if (step.kind === 'page') {
      input.onProgress?.({ page: step.totals.pagesDone, pages: batch.request.pages, purged: step.totals.purged })
      continue
    }
    return { requestId: batch.id, ...withoutPages(step.totals) }
  }
}

const withoutPages = ({ pagesDone, ...totals }: PurgeTotals): Omit<PurgeOutcome, 'requestId'> => totals

type Step = { kind: 'page' | 'done'; totals: PurgeTotals }

async function purgeNextPage(tx: Db, input: { batch: PurgeBatch; now: Date }): Promise<Step> {
  const { batch, now } = input
  // The library's lane: an import does not apply while a page runs, nor two pages at once.
  await sql`select pg_advisory_xact_lock(${laneLock}, ${batch.libraryId})`.execute(tx)
  await sql`select pg_advisory_xact_lock(${batchLock}, ${batch.id})`.execute(tx)
  const current = await tx.selectFrom('batches').where('id', '=', batch.id).select(['status', 'summary']).forUpdate().executeTakeFirstOrThrow()
  const summary = current.summary as PurgeBatchSummary
  const totals: PurgeTotals = summary.done ?? noTotals
  if (current.status !== 'approved') return { kind: 'done', totals }
  const next = await tx
    .selectFrom('purge_patrons')
    .where('batch_id', '=', batch.id)
    .where('done_at', 'is', null)
    .select(sql<number>`min(page)`.as('page'))
    .executeTakeFirst()
  if (next?.page == null) {
    await finishBatch(tx, { batchId: batch.id, summary, now })
    await recordAudit(tx, {
      libraryId: batch.libraryId,
      actor: actorLabel(batch.requestedBy),
      approver: batch.confirmedBy ? actorLabel(batch.confirmedBy) : null,
      action: 'purge.completed',
      subjectType: 'purge',
      subjectId: batch.id,
      details: { ...withoutPages(totals), pages: batch.request.pages, retainLoans: batch.request.retainLoans, markLoansLost: batch.request.markLoansLost },
    })
    return { kind: 'done', totals }
  }
  const done = await purgePage(tx, { batch, page: next.page, now })
  const after: PurgeTotals = {
    purged: totals.purged + done.purged.length,
    contactsRemoved: totals.contactsRemoved + done.contactsRemoved,
    loansAnonymised: totals.loansAnonymised + done.loansAnonymised,
    loansRemoved: totals.loansRemoved + done.loansRemoved,
    loansMarkedLost: totals.loansMarkedLost + done.loansMarkedLost,
    reservationsRemoved: totals.reservationsRemoved + done.reservationsRemoved,
    messagesWithoutAddresses: totals.messagesWithoutAddresses + done.messagesWithoutAddresses,
    skipped: [...totals.skipped, ...done.skipped],
    pagesDone: totals.pagesDone + 1,
  }
  await tx
    .updateTable('batches')
    .set({ summary: json({ ...summary, done: after }), heartbeat_at: now })
    .where('id', '=', batch.id)
    .execute()
  await recordAudit(tx, {
    libraryId: batch.libraryId,
    actor: actorLabel(batch.requestedBy),
    approver: batch.confirmedBy ? actorLabel(batch.confirmedBy) : null,
    action: 'purge.page',
    subjectType: 'purge',
    subjectId: batch.id,
    details: { page: next.page, pages: batch.request.pages, ...done },
  })
  return { kind: 'page', totals: after }
}

type PageDone = {
  purged: string[]
  skipped: Skip[]
  contactsRemoved: number
  loansAnonymised: number
  loansRemoved: number
  loansMarkedLost: number
  reservationsRemoved: number
  messagesWithoutAddresses: number
}

/** One page, set-based: a handful of statements whatever the number of patrons on it. */
async function purgePage(tx: Db, input: { batch: PurgeBatch; page: number; now: Date }): Promise<PageDone> {
  const { batch, page, now } = input
  const { libraryId } = batch
  const staged = await tx
    .selectFrom('purge_patrons')
    .where('batch_id', '=', batch.id)
    .where('page', '=', page)
    .where('done_at', 'is', null)
    .select(['patron_id', 'username'])
    .execute()
  const stagedIds = staged.map((row) => row.patron_id)
  const askedAs = new Map(staged.map((row) => [row.patron_id, row.username ?? `#${row.patron_id}`]))
  // Read again, locked: a patron reactivated, or given a loan, since the request is left alone.
  const { rows: patrons } = await sql<{ id: number; username: string; is_enabled: boolean }>`
    select id, username, is_enabled from patrons
    where library_id = ${libraryId} and id = any(${ids(stagedIds)}) order by id for update`.execute(tx)
  // Loans out; and loans checked out since the request, which its approver never saw: marking
  // those lost too would tell the library system a book just borrowed is lost.
  const loansUpTo = batch.request.loansUpTo ?? Number.MAX_SAFE_INTEGER
  const { rows: loaned } = await sql<{ patron_id: number; since: boolean }>`
    select patron_id, bool_or(id > ${loansUpTo}) as since from loans
    where patron_id = any(${ids(stagedIds)}) and status = 'open' group by patron_id`.execute(tx)
  const withLoans = new Set(loaned.map((row) => row.patron_id))
  const loanedSince = new Set(loaned.filter((row) => row.since).map((row) => row.patron_id))
  const found = new Set(patrons.map((p) => p.id))
  const outcomes = new Map<number, 'purged' | Skip['reason']>()
  const skipped: Skip[] = []
  for (const id of stagedIds) {
    if (!found.has(id)) {
      outcomes.set(id, 'gone')
      skipped.push({ username: askedAs.get(id) ?? `#${id}`, reason: 'gone' })
    }
  }
  const purge: Array<{ id: number; username: string }> = []
  for (const p of patrons) {
    const reason = p.is_enabled ? 'reactivated' : withLoans.has(p.id) && (!batch.request.markLoansLost || loanedSince.has(p.id)) ? 'open_loans' : undefined
    outcomes.set(p.id, reason ?? 'purged')
    if (reason) skipped.push({ username: p.username, reason })
    else purge.push(p)
  }
  const purgeIds = purge.map((p) => p.id)
  const done: PageDone = {
    purged: purge.map((p) => p.username),
    skipped,
    contactsRemoved: 0,
    loansAnonymised: 0,
    loansRemoved: 0,
    loansMarkedLost: 0,
    reservationsRemoved: 0,
    messagesWithoutAddresses: 0,
  }
  if (purgeIds.length > 0) {
    const lost = batch.request.markLoansLost ? await markOpenLoansLost(tx, { patronIds: purgeIds, now }) : []
    done.loansMarkedLost = lost.length
    // Not sent now: their patron is gone; nor one whose sender died (its lease ran out). One being
    // sent under a live lease keeps it, and its addresses: its sender read them when it claimed it.
    await sql`
      update messages set status = 'skipped', reason = 'patron_purged', lease_until = null
      where patron_id = any(${ids(purgeIds)})
        and (status = 'queued' or (status = 'sending' and lease_until < ${now}))`.execute(tx)
    const messages = await sql<{ n: number }>`
      with cleared as (
        update message_recipients r set address = null
        where r.address is not null
          and (r.message_id in (select m.id from messages m where m.patron_id = any(${ids(purgeIds)}) and m.status <> 'sending')
            or r.contact_id in (select c.id from contacts c where c.patron_id = any(${ids(purgeIds)})))
        returning r.message_id)
      select count(distinct message_id)::int as n from cleared`.execute(tx)
    done.messagesWithoutAddresses = messages.rows[0].n
    // Decision Q2: the audit log keeps what was done to their contacts, not the addresses.
    await sql`
      update audit_log
      set before = case when jsonb_typeof(before) = 'object' then before - 'address' - 'addressKey' else before end,
          after = case when jsonb_typeof(after) = 'object' then after - 'address' - 'addressKey' else after end
      where library_id = ${libraryId} and patron_id = any(${ids(purgeIds)})
        and (before ?| array['address', 'addressKey'] or after ?| array['address', 'addressKey'])`.execute(tx)
    if (batch.request.retainLoans) {
      const kept = await sql<{ n: number }>`
        with kept as (
          update loans l set patron_id = null, academic_level_id = p.academic_level_id, anonymised_at = ${now}, updated_at = ${now}
          from patrons p where p.id = l.patron_id and l.patron_id = any(${ids(purgeIds)})
          returning l.id)
        select count(*)::int as n from kept`.execute(tx)
      done.loansAnonymised = kept.rows[0].n
    } else {
      const removed = await tx
        .deleteFrom('loans')
        .where(sql<boolean>`patron_id = any(${ids(purgeIds)})`)
        .executeTakeFirst()
      done.loansRemoved = Number(removed.numDeletedRows)
    }
    const reservations = await tx
      .deleteFrom('reservations')
      .where(sql<boolean>`patron_id = any(${ids(purgeIds)})`)
      .executeTakeFirst()
    done.reservationsRemoved = Number(reservations.numDeletedRows)
    const contacts = await tx
      .deleteFrom('contacts')
      .where(sql<boolean>`patron_id = any(${ids(purgeIds)})`)
      .executeTakeFirst()
    done.contactsRemoved = Number(contacts.numDeletedRows)
    await recordEvents(tx, {
      libraryId,
      at: now,
      events: [
        ...lost.map((loan) => ({ type: 'loan.lost' as const, subject: loan.loanId, details: { itemId: loan.itemId, username: loan.username } })),
        ...purge.map((p) => ({ type: 'patron.purged' as const, subject: p.username, details: { requestId: batch.id } })),
      ],
    })
    // Their groups, scenarios and recipient choices go with them; their messages stay, unlinked.
    await tx
      .deleteFrom('patrons')
      .where(sql<boolean>`id = any(${ids(purgeIds)})`)
      .execute()
  }
  const outcomeIds = [...outcomes.keys()]
  await sql`
    update purge_patrons pp set outcome = o.outcome, done_at = ${now}
    from unnest(${ids(outcomeIds)}, ${sql.val(outcomeIds.map((id) => outcomes.get(id)!))}::text[]) as o(patron_id, outcome)
    where pp.batch_id = ${batch.id} and pp.patron_id = o.patron_id`.execute(tx)
  return done
}

/** The purges some process left approved and unfinished, for the sweep to resume. */
/** How long an approved purge goes without a page done before the sweep takes it over. */
export const silentForMs = 60_000

export async function findUnfinishedPurges(db: Db, input: { now: Date }): Promise<PurgeBatch[]> {
  // A purge whose runner is alive beats at every page (tens of milliseconds apart): one silent for
  // a minute has lost its runner. A live one is left to it, so two never report on one message.
  const rows = await db
    .selectFrom('batches')
    .where('kind', '=', 'purge')
    .where('status', '=', 'approved')
    .where('heartbeat_at', '<', new Date(input.now.getTime() - silentForMs))
    .select(['id', 'library_id'])
    .orderBy('id')
    .execute()
  const batches: PurgeBatch[] = []
  for (const row of rows) {
    const batch = await findPurgeBatch(db, { libraryId: row.library_id, requestId: row.id })
    if (batch) batches.push(batch)
  }
  return batches
}
