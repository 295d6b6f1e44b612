import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import type { ScenarioName } from '../scenarios/catalogue.ts'

/**
 * Where a secret (a password-reset link) stands in a stored message: the dispatcher puts the
 * secret there when it sends, so the body staff can read in the email log never holds it.
 */
export const secretMarker = '⟦reset link⟧'

/** Why a planned notice was not sent: shown in the email log, and to staff. */
export type SkipReason = 'no_contact' | 'blacklisted' | 'condition_gone' | 'template_error' | 'patron_purged'

/** A rendered email to queue (or to record as skipped), with what it concerns. */
export type NewMessage = {
  libraryId: number
  scenario: ScenarioName
  /** Unique per library: a second message with the same key is not written (runs repeat safely). */
  dedupeKey: string
  patronId?: number | null
  supplierId?: number | null
  reservationId?: number | null
  orderId?: number | null
  subject: string
  html: string
  text: string
  status: 'queued' | 'skipped'
  reason?: SkipReason | null
  /** The night it was planned for; null for an event's notice. */
  asOf?: string | null
  /** Who asked for it (a manual send): an actor label. */
  requestedBy?: string | null
  recipients: ReadonlyArray<{ kind: 'to' | 'cc' | 'bcc'; address: string; contactId?: number | null; role?: string | null }>
  /** The loans it concerns: checked again when it is sent (a loan returned meanwhile is not chased). */
  loanIds?: readonly number[]
  /** What it counts as sent in the ledger, once queued (a skipped message records nothing: it is due again). */
  ledger?: ReadonlyArray<{ scenario: ScenarioName; loanId?: number; reservationId?: number; period: string }>
  /** A secret the email carries where `secretMarker` stands. */
  secret?: string
}

/** What queueing did: new messages by dedupe key, and how many keys were there already. */
export type Queued = { ids: Map<string, string>; queued: number; skipped: number; duplicates: number }

/**
 * Messages written by one statement. Each statement carries its rows as one array per column
 * (a few parameters, whatever the number of rows), so a night of tens of thousands of notices
 * is a few dozen statements: B3 measured 500-row `values` lists, 14 parameters a row, at several
 * times the cost of the rows themselves.
 */
const chunk = 2_000

/**
 * Writes messages with their recipients, loans, secret and ledger rows, one statement per two
 * thousand messages. Run it in the transaction that decides them: a message and its ledger rows
 * commit together or not at all. A message whose dedupe key the library has already is left as
 * it is, with nothing else of it written.
 */
export async function queueMessages(db: Db, messages: readonly NewMessage[]): Promise<Queued> {
  const ids = new Map<string, string>()
  for (let start = 0; start < messages.length; start += chunk) {
    const part = messages.slice(start, start + chunk)
    const column = <T>(pick: (m: NewMessage) => T) => sql.val(part.map(pick))
    const keys = column((m) => m.dedupeKey)
    const libraries = column((m) => m.libraryId)
    // Children name their message by its place in the part (from 1, as `with ordinality` counts).
    const recipients = part.flatMap((m, index) => m.recipients.map((r, position) => ({ n: index + 1, position, ...r })))
    const loans = part.flatMap((m, index) => [...new Set(m.loanIds ?? [])].map((loanId) => ({ n: index + 1, loanId })))
    const secrets = part.flatMap((m, index) => (m.secret === undefined ? [] : [{ n: index + 1, value: m.secret }]))
    // A skipped message records nothing in the ledger: it is due again.
    const ledger = part.flatMap((m, index) => (m.status === 'queued' ? (m.ledger ?? []).map((entry) => ({ n: index + 1, ...entry })) : []))
    const of = <Row, T>(rows: Row[], pick: (row: Row) => T) => sql.val(rows.map(pick))
    const { rows } = await sql<{ id: string; dedupe_key: string }>`
      -- The bodies are read once, straight from their arrays: a CTE of the whole input, read by the
      -- insert, the key join and the ledger, spilled each part's 4 MB to a temporary file and sorted
      -- it (B3). The children find their message by its key's place in the (small) key array.
      with message as (
        insert into messages (library_id, scenario, dedupe_key, patron_id, supplier_id, reservation_id, order_id, subject, html, text, status, reason, as_of, requested_by)
        select * from unnest(
          ${libraries}::int[], ${column((m) => m.scenario)}::text[], ${keys}::text[],
          ${column((m) => m.patronId ?? null)}::int[], ${column((m) => m.supplierId ?? null)}::int[],
          ${column((m) => m.reservationId ?? null)}::int[], ${column((m) => m.orderId ?? null)}::int[],
          ${column((m) => m.subject)}::text[], ${column((m) => m.html)}::text[], ${column((m) => m.text)}::text[],
          ${column((m) => m.status)}::text[], ${column((m) => (m.status === 'skipped' ? (m.reason ?? 'no_contact') : null))}::text[],
          ${column((m) => m.asOf ?? null)}::date[], ${column((m) => m.requestedBy ?? null)}::text[])
        on conflict (library_id, dedupe_key) do nothing
        returning id, library_id, dedupe_key
      ),
      written as (
        select message.id, message.library_id, k.n
          from message
          join unnest(${libraries}::int[], ${keys}::text[]) with ordinality as k (library_id, dedupe_key, n)
            on k.library_id = message.library_id and k.dedupe_key = message.dedupe_key
      ),
      recipient as (
        insert into message_recipients (message_id, position, kind, address, contact_id, role)
        select w.id, r.position, r.kind, r.address, r.contact_id, r.role
          from unnest(${of(recipients, (r) => r.n)}::int[], ${of(recipients, (r) => r.position)}::int[], ${of(recipients, (r) => r.kind)}::text[],
                      ${of(recipients, (r) => r.address)}::text[], ${of(recipients, (r) => r.contactId ?? null)}::int[], ${of(recipients, (r) => r.role ?? null)}::text[])
               as r (n, position, kind, address, contact_id, role)
          join written w on w.n = r.n
      ),
      loan as (
        insert into message_loans (message_id, loan_id)
        select w.id, l.loan_id from unnest(${of(loans, (l) => l.n)}::int[], ${of(loans, (l) => l.loanId)}::int[]) as l (n, loan_id) join written w on w.n = l.n
      ),
      secret as (
        insert into message_secrets (message_id, value)
        select w.id, s.value from unnest(${of(secrets, (s) => s.n)}::int[], ${of(secrets, (s) => s.value)}::text[]) as s (n, value) join written w on w.n = s.n
      ),
      -- A ledger row already there (another path sent it) stays: the first send counts.
      ledger as (
        insert into notice_sends (library_id, scenario, loan_id, reservation_id, period, message_id)
        select w.library_id, s.scenario, s.loan_id, s.reservation_id, s.period, w.id
          from unnest(${of(ledger, (e) => e.n)}::int[], ${of(ledger, (e) => e.scenario)}::text[], ${of(ledger, (e) => e.loanId ?? null)}::int[],
                      ${of(ledger, (e) => e.reservationId ?? null)}::int[], ${of(ledger, (e) => e.period)}::text[]) as s (n, scenario, loan_id, reservation_id, period)
          join written w on w.n = s.n
        on conflict do nothing
      )
      select id::text as id, dedupe_key from message`.execute(db)
    for (const row of rows) ids.set(row.dedupe_key, row.id)
  }
  const written = messages.filter((m) => ids.has(m.dedupeKey))
  return {
    ids,
    queued: written.filter((m) => m.status === 'queued').length,
    skipped: written.filter((m) => m.status === 'skipped').length,
    duplicates: messages.length - written.length,
  }
}
