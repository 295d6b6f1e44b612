import type { Db } from '../../db/database.ts'
import type { ScenarioName } from '../scenarios/catalogue.ts'

/**
 * Where a secret (a password-reset link) stands in a stored message: the dispatcher puts the
 * secret there when it sends, so the body staff can read in the email log never holds it.
 */
export const secretMarker = '⟦reset link⟧'

/** Why a planned notice was not sent: shown in the email log, and to staff. */
export type SkipReason = 'no_contact' | 'blacklisted' | 'condition_gone' | 'template_error'

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

const chunk = 500

/**
 * Writes messages with their recipients, loans, secret and ledger rows, a few hundred per
 * statement. Run it in the transaction that decides them: a message and its ledger rows commit
 * together or not at all. A message whose dedupe key the library has already is left as it is,
 * with nothing else of it written.
 */
export async function queueMessages(db: Db, messages: readonly NewMessage[]): Promise<Queued> {
  const ids = new Map<string, string>()
  for (let start = 0; start < messages.length; start += chunk) {
    const part = messages.slice(start, start + chunk)
    const inserted = await db
      .insertInto('messages')
      .values(
        part.map((m) => ({
          library_id: m.libraryId,
          scenario: m.scenario,
          dedupe_key: m.dedupeKey,
          patron_id: m.patronId ?? null,
          supplier_id: m.supplierId ?? null,
          reservation_id: m.reservationId ?? null,
          order_id: m.orderId ?? null,
          subject: m.subject,
          html: m.html,
          text: m.text,
          status: m.status,
          reason: m.status === 'skipped' ? (m.reason ?? 'no_contact') : null,
          as_of: m.asOf ?? null,
          requested_by: m.requestedBy ?? null,
        })),
      )
      .onConflict((oc) => oc.columns(['library_id', 'dedupe_key']).doNothing())
      .returning(['id', 'dedupe_key'])
      .execute()
    for (const row of inserted) ids.set(row.dedupe_key, row.id)
    const written = part.filter((m) => ids.has(m.dedupeKey))
    const recipients = written.flatMap((m) =>
      m.recipients.map((r, position) => ({
        message_id: ids.get(m.dedupeKey)!,
        position,
        kind: r.kind,
        address: r.address,
        contact_id: r.contactId ?? null,
        role: r.role ?? null,
      })),
    )
    if (recipients.length > 0) await db.insertInto('message_recipients').values(recipients).execute()
    const loans = written.flatMap((m) => [...new Set(m.loanIds ?? [])].map((loanId) => ({ message_id: ids.get(m.dedupeKey)!, loan_id: loanId })))
    if (loans.length > 0) await db.insertInto('message_loans').values(loans).execute()
    const secrets = written.filter((m) => m.secret !== undefined).map((m) => ({ message_id: ids.get(m.dedupeKey)!, value: m.secret! }))
    if (secrets.length > 0) await db.insertInto('message_secrets').values(secrets).execute()
    const ledger = written
      .filter((m) => m.status === 'queued')
      .flatMap((m) =>
        (m.ledger ?? []).map((entry) => ({
          library_id: m.libraryId,
          scenario: entry.scenario,
          loan_id: entry.loanId ?? null,
          reservation_id: entry.reservationId ?? null,
          period: entry.period,
          message_id: ids.get(m.dedupeKey)!,
        })),
      )
    // A ledger row already there (another path sent it) stays: the first send counts.
    if (ledger.length > 0)
      await db
        .insertInto('notice_sends')
        .values(ledger)
        .onConflict((oc) => oc.doNothing())
        .execute()
  }
  const written = messages.filter((m) => ids.has(m.dedupeKey))
  return {
    ids,
    queued: written.filter((m) => m.status === 'queued').length,
    skipped: written.filter((m) => m.status === 'skipped').length,
    duplicates: messages.length - written.length,
  }
}
