import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import type { MessageRecipientsTable, MessageStatus } from '../../db/schema.ts'

/** Scenarios about loans: checked again when claimed, since the loans may have been returned meanwhile. */
export const circulationScenarios = [
  'circulation.pre_overdue',
  'circulation.overdue',
  'circulation.escalation_1',
  'circulation.escalation_2',
  'circulation.escalation_3',
  'circulation.recall',
] as const

/** A message claimed for sending, with what the email needs. `attempts` counts this one: with the id, it names the claim. */
export type ClaimedMessage = {
  id: string
  libraryId: number
  scenario: string
  /** The patron it is about: a notice to their contacts carries an unsubscribe link. */
  patronId: number | null
  subject: string
  html: string
  text: string
  attempts: number
  senderName: string
  replyTo: string | null
  /** Its recipients but those left out (blacklisted), in order: each gets a copy of its own. */
  recipients: ClaimedRecipient[]
  secret: string | null
}

/** A recipient of a claimed message, and how far its copy got. */
export type ClaimedRecipient = {
  /** message_recipients.position: names the copy. */
  position: number
  kind: 'to' | 'cc' | 'bcc'
  address: string
  /** The contact it is, when it is one of the patron's (a notice's copy to a contact carries an unsubscribe link). */
  contactId: number | null
  /** Its copy was sent by an earlier attempt: not sent again. */
  sent: boolean
  /**
   * Its copy was handed to a transport that is not idempotent (SES) by a sender that stopped
   * before recording the outcome: it may have been sent, so it is never sent again.
   */
  mayHaveBeenSent: boolean
}

/** What a claim found: messages to send, and those it settled without sending. */
export type Claim = {
  messages: ClaimedMessage[]
  /** Circulation notices whose loans are all returned or lost: recorded `skipped`, `condition_gone`. */
  conditionGone: string[]
  /** Claimed too often (their senders stopped mid-send each time): recorded `failed`. */
  gaveUp: string[]
  /** Every recipient's address blacklisted: recorded `skipped`, `blacklisted`. */
  blacklisted: string[]
}

/** Why a message with a copy handed over by a sender that stopped is not sent whole; the email log shows it. */
export const mayHaveBeenSentReason =
  'may have been sent: the sender stopped after handing a copy to SES and before recording the answer; that copy is not sent again so that no one gets it twice'

/**
 * Claims up to `limit` due messages of every library (the dispatcher serves them all), in one
 * transaction that commits before anything is sent: no row stays locked while a transport is
 * called. Due: queued and `next_attempt_at` reached, or sending with a lease that ran out (its
 * sender died). Claimed messages say `sending` until `leaseUntil`; each claim counts an attempt.
 * Concurrent claims skip each other's rows (`FOR UPDATE SKIP LOCKED`), so two dispatchers never
 * hold the same message.
 */
export async function claimDueMessages(
  db: Db,
  input: {
    now: Date
    leaseUntil: Date
    limit: number
    maxAttempts: number
    /** The transport delivers a copy sent twice once (the file transport): a handed-over copy may be sent again. */
    idempotentTransport?: boolean
  },
): Promise<Claim> {
  const resendHandedOver = input.idempotentTransport ?? true
  return db.transaction().execute(async (tx) => {
    // next_attempt_at is moved to the lease's end as well, so one condition (and the partial
    // index messages_outbox) finds both the queued and the abandoned.
    const { rows: claimed } = await sql<{ id: string; attempts: number }>`
      update messages m
         set status = 'sending', lease_until = ${input.leaseUntil}, next_attempt_at = ${input.leaseUntil}, attempts = m.attempts + 1
        from (select id from messages
               where status in ('queued', 'sending') and next_attempt_at <= ${input.now}
               order by next_attempt_at, id
               limit ${input.limit}
               for update skip locked) due
       where m.id = due.id
      returning m.id, m.attempts`.execute(tx)
    if (claimed.length === 0) return { messages: [], conditionGone: [], gaveUp: [], blacklisted: [] }
    const ids = claimed.map((row) => row.id)
    // The file transport writes a copy handed over twice once: an abandoned hand-over is simply done again.
    if (resendHandedOver) {
      await sql`
        update message_recipients r set handed_over_at = null
         where r.message_id = any(${sql.val(ids)}::bigint[]) and r.handed_over_at is not null and r.sent_at is null`.execute(tx)
    }

    // Seed 002 and DESIGN.md: a loan returned or marked lost after planning gets no notice. A
    // notice about several loans still goes while one of them is open, as it was rendered.
    const { rows: gone } = await sql<{ id: string }>`
      update messages m
         set status = 'skipped', reason = 'condition_gone', lease_until = null
       where m.id = any(${sql.val(ids)}::bigint[])
         and m.scenario = any(${sql.val([...circulationScenarios])}::text[])
         and exists (select 1 from message_loans ml where ml.message_id = m.id)
         and not exists (select 1 from message_loans ml join loans l on l.id = ml.loan_id
                          where ml.message_id = m.id and l.status = 'open')
      returning m.id`.execute(tx)
    const { rows: gaveUp } = await sql<{ id: string }>`
      update messages m
         set status = 'failed', reason = ${`gave up after ${input.maxAttempts} attempts: the sender stopped while sending it`}, lease_until = null
       where m.id = any(${sql.val(ids)}::bigint[]) and m.status = 'sending' and m.attempts > ${input.maxAttempts}
      returning m.id`.execute(tx)
    // Seed 001: a blacklisted address is never mailed. Checked when sending, not only when
    // planning, since an address may bounce while its message waits. Its recipient is marked
    // skipped and left out; a message left with nobody is skipped as a whole. A copy sent by an
    // earlier attempt (or that may have been) stays as it is.
    await sql`
      update message_recipients r
         set delivery = 'skipped', delivery_detail = 'blacklisted', delivery_at = ${input.now}
       where r.message_id = any(${sql.val(ids)}::bigint[]) and r.delivery is null and r.sent_at is null and r.handed_over_at is null
         and exists (select 1 from messages m where m.id = r.message_id and m.status = 'sending')
         and exists (select 1 from blacklist b where b.address_key = lower(trim(r.address)))`.execute(tx)
    const { rows: blacklisted } = await sql<{ id: string }>`
      update messages m
         set status = 'skipped', reason = 'blacklisted', lease_until = null
       where m.id = any(${sql.val(ids)}::bigint[]) and m.status = 'sending'
         and exists (select 1 from message_recipients r where r.message_id = m.id)
         and not exists (select 1 from message_recipients r where r.message_id = m.id and r.delivery is distinct from 'skipped')
      returning m.id`.execute(tx)
    const settled = [...gone, ...gaveUp, ...blacklisted].map((row) => row.id)
    if (settled.length > 0) await tx.deleteFrom('message_secrets').where('message_id', 'in', settled).execute()

    const { rows } = await sql<Omit<ClaimedMessage, 'recipients'> & { recipients: ClaimedMessage['recipients'] | null }>`
      select m.id, m.library_id as "libraryId", m.scenario, m.patron_id as "patronId", m.subject, m.html, m.text, m.attempts,
             case when l.sender_name <> '' then l.sender_name else l.name end as "senderName",
             nullif(l.reply_to, '') as "replyTo",
             (select json_agg(json_build_object('position', r.position, 'kind', r.kind, 'address', r.address,
                                                'contactId', c.id, 'sent', r.sent_at is not null,
                                                'mayHaveBeenSent', r.sent_at is null and r.handed_over_at is not null) order by r.position)
                from message_recipients r
                left join contacts c on c.id = r.contact_id and c.patron_id = m.patron_id
               where r.message_id = m.id and r.delivery is distinct from 'skipped') as recipients,
             s.value as secret
        from messages m
        join libraries l on l.id = m.library_id
        left join message_secrets s on s.message_id = m.id
       where m.id = any(${sql.val(ids)}::bigint[]) and m.status = 'sending'
       order by m.next_attempt_at, m.id`.execute(tx)
    return {
      messages: rows.map((row) => ({ ...row, id: String(row.id), recipients: row.recipients ?? [] })),
      conditionGone: gone.map((row) => String(row.id)),
      gaveUp: gaveUp.map((row) => String(row.id)),
      blacklisted: blacklisted.map((row) => String(row.id)),
    }
  })
}

/** The claim a dispatcher holds on a message: recording an outcome needs it still held. */
export type ClaimRef = { id: string; attempts: number }

const held = (claim: ClaimRef) => sql<boolean>`m.id = ${claim.id} and m.status = 'sending' and m.attempts = ${claim.attempts}`

/**
 * A recipient's copy handed over: committed just before the transport is called, so that a sender
 * that stops before recording the outcome leaves a trace. False when the claim was lost (do not send).
 */
export async function recordCopyHandedOver(db: Db, claim: ClaimRef, input: { position: number; at: Date }): Promise<boolean> {
  const { rows } = await sql<{ id: string }>`
    update message_recipients r set handed_over_at = ${input.at}
      from messages m
     where r.message_id = m.id and r.position = ${input.position} and r.sent_at is null and ${held(claim)}
    returning m.id`.execute(db)
  return rows.length > 0
}

/** A recipient's copy sent: when, and the transport's id (SES's, which its events name). False when the claim was lost. */
export async function recordCopySent(db: Db, claim: ClaimRef, input: { position: number; sentAt: Date; transportId: string }): Promise<boolean> {
  const { rows } = await sql<{ id: string }>`
    update message_recipients r set sent_at = ${input.sentAt}, transport_id = ${input.transportId}, handed_over_at = null
      from messages m
     where r.message_id = m.id and r.position = ${input.position} and ${held(claim)}
    returning m.id`.execute(db)
  return rows.length > 0
}

/** A recipient's copy the transport refused: it was not sent, so a later attempt may send it. */
export async function recordCopyNotSent(db: Db, claim: ClaimRef, input: { position: number }): Promise<void> {
  await sql`
    update message_recipients r set handed_over_at = null
      from messages m
     where r.message_id = m.id and r.position = ${input.position} and r.sent_at is null and ${held(claim)}`.execute(db)
}

/**
 * Sent: every recipient's copy was. When, and the transport's id of the first copy (each copy's
 * is on its recipient). The secret it carried is deleted. False when the claim was lost.
 */
export async function recordSent(db: Db, claim: ClaimRef, input: { sentAt: Date }): Promise<boolean> {
  const { rows } = await sql<{ id: string }>`
    with sent as (
      update messages m set status = 'sent', sent_at = ${input.sentAt}, reason = null, lease_until = null,
             transport_id = (select r.transport_id from message_recipients r where r.message_id = m.id and r.transport_id is not null order by r.position limit 1)
       where ${held(claim)}
      returning m.id),
    forgotten as (delete from message_secrets s using sent where s.message_id = sent.id)
    select id from sent`.execute(db)
  return rows.length > 0
}

/** Failed for good: why. The secret it carried is deleted. */
export async function recordFailed(db: Db, claim: ClaimRef, input: { reason: string }): Promise<boolean> {
  const { rows } = await sql<{ id: string }>`
    with failed as (
      update messages m set status = 'failed', reason = ${input.reason}, lease_until = null
       where ${held(claim)}
      returning m.id),
    forgotten as (delete from message_secrets s using failed where s.message_id = failed.id)
    select id from failed`.execute(db)
  return rows.length > 0
}

/** Queued again for `nextAttemptAt`, saying why the attempt failed. */
export async function recordRetry(db: Db, claim: ClaimRef, input: { nextAttemptAt: Date; reason: string }): Promise<boolean> {
  const { rows } = await sql<{ id: string }>`
    update messages m set status = 'queued', next_attempt_at = ${input.nextAttemptAt}, reason = ${input.reason}, lease_until = null
     where ${held(claim)}
    returning m.id`.execute(db)
  return rows.length > 0
}

/** Claimed but not sent (the dispatcher is stopping): due again at once, the attempt not counted. */
export async function releaseClaims(db: Db, claims: readonly ClaimRef[], input: { now: Date }): Promise<void> {
  if (claims.length === 0) return
  await sql`
    update messages m set status = 'queued', next_attempt_at = ${input.now}, lease_until = null, attempts = m.attempts - 1
      from (select * from unnest(${sql.val(claims.map((c) => c.id))}::bigint[], ${sql.val(claims.map((c) => c.attempts))}::int[]) as c (id, attempts)) c
     where m.id = c.id and m.status = 'sending' and m.attempts = c.attempts`.execute(db)
}

/** A message as the email log shows it: never its body, which may stand for a secret. */
export type EmailLogEntry = {
  id: string
  scenario: string
  /** The patron it is about; null for a supplier's order, or once the patron was purged. */
  username: string | null
  /** Whether that patron is active: false for a deactivated one (who gets no more notices); null when there is no patron. */
  patronEnabled: boolean | null
  /** The supplier of a purchase order. */
  supplier: string | null
  /** Each recipient's address; null once the patron was purged (migration 0018), the message kept without it. */
  to: Array<string | null>
  cc: Array<string | null>
  bcc: Array<string | null>
  /** What became of each recipient: SES's word (issue 12), `skipped` when its address was blacklisted, null while nothing is known. */
  deliveries: RecipientDelivery[]
  subject: string
  status: MessageStatus
  /** Why it was skipped or failed; for a queued message, why its last attempt failed. */
  reason: string | null
  loans: Array<{ title: string; barcode: string; dueDate: string }>
  reservation: { title: string; barcode: string; pickupBy: string | null } | null
  /** Who sent it by hand (an actor label), if someone did. */
  requestedBy: string | null
  plannedAt: Date
  sentAt: Date | null
}

/** One recipient of a message and what became of it. */
export type RecipientDelivery = {
  kind: 'to' | 'cc' | 'bcc'
  /** null once the patron was purged. */
  address: string | null
  delivery: NonNullable<MessageRecipientsTable['delivery']> | null
  /** SES's diagnostic (a bounce's), or why it was skipped (`blacklisted`). */
  detail: string | null
  at: Date | null
  /** When this recipient's own copy was sent; null while it is not. */
  sentAt: Date | null
}

/** What to look for in the email log; instants are resolved from the library's days already. */
export type EmailLogSearch = {
  libraryId: number
  atOrAfter?: Date
  /** Exclusive: the start of the day after a `to` date. */
  before?: Date
  /** Inclusive: a `to` instant. */
  atOrBefore?: Date
  scenario?: string
  status?: MessageStatus
  patronId?: number
  /** Any recipient, in any case. */
  address?: string
  /** Messages older than this one, in the log's order: the page after the one that ended there. */
  after?: { plannedAt: string; id: string }
  limit: number
}

/** The email log, newest planned first, with each message's recipients and the loans or reservation it concerns. */
export async function findEmailLog(db: Db, search: EmailLogSearch): Promise<Array<EmailLogEntry & { cursorAt: string }>> {
  const where = [sql`m.library_id = ${search.libraryId}`]
  if (search.atOrAfter) where.push(sql`m.planned_at >= ${search.atOrAfter}`)
  if (search.before) where.push(sql`m.planned_at < ${search.before}`)
  if (search.atOrBefore) where.push(sql`m.planned_at <= ${search.atOrBefore}`)
  if (search.scenario) where.push(sql`m.scenario = ${search.scenario}`)
  if (search.status) where.push(sql`m.status = ${search.status}`)
  if (search.patronId !== undefined) where.push(sql`m.patron_id = ${search.patronId}`)
  if (search.address !== undefined) {
    where.push(sql`exists (select 1 from message_recipients r where r.message_id = m.id and lower(r.address) = lower(${search.address}))`)
  }
  if (search.after) where.push(sql`(m.planned_at, m.id) < (${search.after.plannedAt}::timestamptz, ${search.after.id}::bigint)`)
  const { rows } = await sql<
    Omit<EmailLogEntry, 'to' | 'cc' | 'bcc' | 'deliveries'> & {
      recipients: Array<Omit<RecipientDelivery, 'at' | 'sentAt'> & { at: string | null; sentAt: string | null }>
      cursorAt: string
    }
  >`
    select m.id, m.scenario, p.username, p.is_enabled as "patronEnabled", s.name as supplier, m.subject, m.status, m.reason,
           m.requested_by as "requestedBy", m.planned_at as "plannedAt", m.sent_at as "sentAt",
           -- Exact to the microsecond, for the next page's cursor (a Date keeps milliseconds).
           m.planned_at::text as "cursorAt",
           coalesce((select json_agg(json_build_object('kind', r.kind, 'address', r.address, 'delivery', r.delivery,
                                                       'detail', r.delivery_detail, 'at', r.delivery_at, 'sentAt', r.sent_at) order by r.position)
                       from message_recipients r where r.message_id = m.id), '[]') as recipients,
           coalesce((select json_agg(json_build_object('title', i.title, 'barcode', i.barcode, 'dueDate', l.due_date) order by l.due_date, i.title)
                       from message_loans ml join loans l on l.id = ml.loan_id join items i on i.id = l.item_id
                      where ml.message_id = m.id), '[]') as loans,
           case when rv.id is null then null
                else json_build_object('title', ri.title, 'barcode', ri.barcode, 'pickupBy', rv.pickup_by) end as reservation
      from messages m
      left join patrons p on p.id = m.patron_id
      left join suppliers s on s.id = m.supplier_id
      left join reservations rv on rv.id = m.reservation_id
      left join items ri on ri.id = rv.item_id
     where ${sql.join(where, sql` and `)}
     order by m.planned_at desc, m.id desc
     limit ${search.limit}`.execute(db)
  return rows.map(({ recipients, ...row }) => {
    const of = (kind: 'to' | 'cc' | 'bcc') => recipients.filter((r) => r.kind === kind).map((r) => r.address)
    return {
      ...row,
      id: String(row.id),
      plannedAt: new Date(row.plannedAt),
      sentAt: row.sentAt === null ? null : new Date(row.sentAt),
      to: of('to'),
      cc: of('cc'),
      bcc: of('bcc'),
      deliveries: recipients.map((r) => ({ ...r, at: r.at === null ? null : new Date(r.at), sentAt: r.sentAt === null ? null : new Date(r.sentAt) })),
    }
  })
}

/** An open loan of a patron, as a notice sent by hand lists it and the patron's card shows it. */
export type OpenLoan = {
  id: number
  title: string
  author: string
  barcode: string
  /** The library's calendar date of the checkout. */
  checkedOutOn: string
  dueDate: string
  /** Calendar days past the due date, today in the library's time zone: 0 or less when not yet due. */
  daysOverdue: number
  recalledAt: Date | null
}

/** A patron's open loans, most overdue first, with days overdue counted in the library's time zone as of `now`. */
export async function findOpenLoans(db: Db, input: { libraryId: number; patronId: number; now: Date; loanId?: number }): Promise<OpenLoan[]> {
  const { rows } = await sql<OpenLoan>`
    select l.id, i.title, i.author, i.barcode,
           (l.checked_out_at at time zone lib.time_zone)::date as "checkedOutOn",
           l.due_date as "dueDate",
           ((${input.now}::timestamptz at time zone lib.time_zone)::date - l.due_date) as "daysOverdue",
           l.recalled_at as "recalledAt"
      from loans l
      join items i on i.id = l.item_id
      join libraries lib on lib.id = l.library_id
     where l.library_id = ${input.libraryId} and l.patron_id = ${input.patronId} and l.status = 'open'
       ${input.loanId === undefined ? sql`` : sql`and l.id = ${input.loanId}`}
     order by l.due_date, i.title, l.id`.execute(db)
  return rows.map((row) => ({ ...row, recalledAt: row.recalledAt === null ? null : new Date(row.recalledAt) }))
}
