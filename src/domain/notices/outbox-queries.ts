import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'

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
  subject: string
  html: string
  text: string
  attempts: number
  senderName: string
  replyTo: string | null
  recipients: Array<{ kind: 'to' | 'cc' | 'bcc'; address: string }>
  secret: string | null
}

/** What a claim found: messages to send, and those it settled without sending. */
export type Claim = {
  messages: ClaimedMessage[]
  /** Circulation notices whose loans are all returned or lost: recorded `skipped`, `condition_gone`. */
  conditionGone: string[]
  /** Claimed too often (their senders stopped mid-send each time): recorded `failed`. */
  gaveUp: string[]
}

/**
 * Claims up to `limit` due messages of every library (the dispatcher serves them all), in one
 * transaction that commits before anything is sent: no row stays locked while a transport is
 * called. Due: queued and `next_attempt_at` reached, or sending with a lease that ran out (its
 * sender died). Claimed messages say `sending` until `leaseUntil`; each claim counts an attempt.
 * Concurrent claims skip each other's rows (`FOR UPDATE SKIP LOCKED`), so two dispatchers never
 * hold the same message.
 */
export async function claimDueMessages(db: Db, input: { now: Date; leaseUntil: Date; limit: number; maxAttempts: number }): Promise<Claim> {
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
    if (claimed.length === 0) return { messages: [], conditionGone: [], gaveUp: [] }
    const ids = claimed.map((row) => row.id)

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
    const settled = [...gone, ...gaveUp].map((row) => row.id)
    if (settled.length > 0) await tx.deleteFrom('message_secrets').where('message_id', 'in', settled).execute()

    const { rows } = await sql<Omit<ClaimedMessage, 'recipients'> & { recipients: ClaimedMessage['recipients'] | null }>`
      select m.id, m.library_id as "libraryId", m.scenario, m.subject, m.html, m.text, m.attempts,
             case when l.sender_name <> '' then l.sender_name else l.name end as "senderName",
             nullif(l.reply_to, '') as "replyTo",
             (select json_agg(json_build_object('kind', r.kind, 'address', r.address) order by r.position)
                from message_recipients r where r.message_id = m.id) as recipients,
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
    }
  })
}

/** The claim a dispatcher holds on a message: recording an outcome needs it still held. */
export type ClaimRef = { id: string; attempts: number }

const held = (claim: ClaimRef) => sql<boolean>`m.id = ${claim.id} and m.status = 'sending' and m.attempts = ${claim.attempts}`

/** Sent: when, and the transport's id. The secret it carried is deleted. False when the claim was lost. */
export async function recordSent(db: Db, claim: ClaimRef, input: { sentAt: Date; transportId: string }): Promise<boolean> {
  const { rows } = await sql<{ id: string }>`
    with sent as (
      update messages m set status = 'sent', sent_at = ${input.sentAt}, transport_id = ${input.transportId}, reason = null, lease_until = null
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
