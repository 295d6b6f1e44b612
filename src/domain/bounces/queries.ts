import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import type { MessageRecipientsTable } from '../../db/schema.ts'
import type { BlacklistReason, BlacklistSource } from './blacklist.ts'

/** A patron whose contact an address is. */
export type BlacklistedContact = { contactId: number; patronId: number; username: string; patronName: string; role: string }

/** A blacklisted address as a library's staff see it: with the patrons whose contact it is there. */
export type BlacklistEntry = {
  address: string
  reason: BlacklistReason
  /** SES's words: the bounce type and diagnostic, the complaint's feedback type, or staff's note. */
  detail: string | null
  source: BlacklistSource
  addedBy: string | null
  createdAt: Date
  patrons: BlacklistedContact[]
}

// Deployment-wide list, library-wide view: an entry concerns a library when the address is one
// of its contacts, or when it was learnt from (or added by) that library.
const concerns = (libraryId: number) => sql<boolean>`(
  b.library_id = ${libraryId}
  or exists (select 1 from contacts c where c.library_id = ${libraryId} and c.type = 'email' and c.address_key = b.address_key))`

/** The library's blacklist entries created at or after `since`, newest first, at most `limit`. */
export async function findBlacklist(db: Db, input: { libraryId: number; since: Date; limit: number; addressKey?: string }): Promise<BlacklistEntry[]> {
  const { rows } = await sql<Omit<BlacklistEntry, 'createdAt'> & { createdAt: string | Date }>`
    select b.address, b.reason, b.detail, b.source, b.added_by as "addedBy", b.created_at as "createdAt",
           coalesce((select json_agg(json_build_object('contactId', c.id, 'patronId', p.id, 'username', p.username,
                                                       'patronName', trim(concat_ws(' ', p.first_name, p.last_name)), 'role', c.role)
                                     order by p.username, c.id)
                       from contacts c join patrons p on p.id = c.patron_id
                      where c.library_id = ${input.libraryId} and c.type = 'email' and c.address_key = b.address_key), '[]') as patrons
      from blacklist b
     where ${concerns(input.libraryId)}
       and b.created_at >= ${input.since}
       ${input.addressKey === undefined ? sql`` : sql`and b.address_key = ${input.addressKey}`}
     order by b.created_at desc, b.address_key
     limit ${input.limit}`.execute(db)
  return rows.map((row) => ({ ...row, createdAt: new Date(row.createdAt) }))
}

/** One entry the library may see, by address, whenever it was added. */
export async function findBlacklistEntry(db: Db, input: { libraryId: number; addressKey: string }): Promise<BlacklistEntry | undefined> {
  const [entry] = await findBlacklist(db, { ...input, since: new Date(0), limit: 1 })
  return entry
}

/** What the blacklist holds for each of these keys, whoever it concerns (a contact's card shows it). */
export async function findBlacklisted(
  db: Db,
  addressKeys: readonly string[],
): Promise<Map<string, { reason: BlacklistReason; detail: string | null; createdAt: Date }>> {
  if (addressKeys.length === 0) return new Map()
  const rows = await db
    .selectFrom('blacklist')
    .where('address_key', 'in', [...new Set(addressKeys)])
    .select(['address_key', 'reason', 'detail', 'created_at'])
    .execute()
  return new Map(rows.map((row) => [row.address_key, { reason: row.reason, detail: row.detail, createdAt: new Date(row.created_at) }]))
}

/** Deletes an address from the blacklist; returns whether it was there. */
export async function deleteBlacklist(db: Db, addressKey: string): Promise<boolean> {
  const rows = await db.deleteFrom('blacklist').where('address_key', '=', addressKey).returning('address_key').execute()
  return rows.length > 0
}

/** Why a contact's address is blacklisted, as its card says. */
export type BlacklistNote = { reason: BlacklistReason; detail: string | null; addedBy: string | null; createdAt: Date }

/** The patron's contacts whose address is blacklisted, by contact id. */
export async function findBlacklistedContacts(db: Db, input: { libraryId: number; patronId: number }): Promise<Map<number, BlacklistNote>> {
  const rows = await db
    .selectFrom('contacts as c')
    .innerJoin('blacklist as b', 'b.address_key', 'c.address_key')
    .where('c.library_id', '=', input.libraryId)
    .where('c.patron_id', '=', input.patronId)
    .where('c.type', '=', 'email')
    .select(['c.id', 'b.reason', 'b.detail', 'b.added_by as addedBy', 'b.created_at as createdAt'])
    .execute()
  return new Map(rows.map(({ id, ...note }) => [id, { ...note, createdAt: new Date(note.createdAt) }]))
}

export type RecipientDelivery = NonNullable<MessageRecipientsTable['delivery']>

/** Records SNS messages as handled, in one statement; returns those not seen before (SNS delivers at least once). */
export async function rememberSnsMessages(
  db: Db,
  input: { at: Date; messages: ReadonlyArray<{ messageId: string; topicArn: string; type: string }> },
): Promise<Set<string>> {
  if (input.messages.length === 0) return new Set()
  const rows = await db
    .insertInto('sns_messages')
    .values(input.messages.map((m) => ({ message_id: m.messageId, topic_arn: m.topicArn, type: m.type, received_at: input.at })))
    .onConflict((oc) => oc.column('message_id').doNothing())
    .returning('message_id')
    .execute()
  return new Set(rows.map((row) => row.message_id))
}

/** Records one SNS message as handled; false when it was already. */
export async function rememberSnsMessage(db: Db, input: { messageId: string; topicArn: string; type: string; at: Date }): Promise<boolean> {
  return (await rememberSnsMessages(db, { at: input.at, messages: [input] })).size > 0
}

/** Whether an SNS message was handled already. */
export async function isSnsMessageSeen(db: Db, messageId: string): Promise<boolean> {
  const row = await db.selectFrom('sns_messages').where('message_id', '=', messageId).select('message_id').executeTakeFirst()
  return row !== undefined
}

export type SesMessage = {
  id: string
  libraryId: number
  transportId: string | null
  /** Each recipient, with its copy's SES message id (a message leaves as one copy per recipient). */
  recipients: Array<{ position: number; address: string; transportId: string | null }>
}

/**
 * Our messages SES events are about, by SES's message id (a copy's, on its recipient, or the
 * message's own from before copies; both indexed) or our id from the message tag, each with its
 * recipients, in one query.
 */
export async function findSesMessages(db: Db, input: { sesMessageIds: readonly string[]; ourMessageIds: readonly string[] }): Promise<SesMessage[]> {
  if (input.sesMessageIds.length === 0 && input.ourMessageIds.length === 0) return []
  const rows = await db
    .selectFrom('messages as m')
    .where((eb) =>
      eb.or([
        ...(input.sesMessageIds.length > 0
          ? [
              eb('m.transport_id', 'in', input.sesMessageIds),
              eb('m.id', 'in', eb.selectFrom('message_recipients as c').where('c.transport_id', 'in', input.sesMessageIds).select('c.message_id')),
            ]
          : []),
        ...(input.ourMessageIds.length > 0 ? [eb('m.id', 'in', input.ourMessageIds)] : []),
      ]),
    )
    .select((eb) => [
      'm.id',
      'm.library_id as libraryId',
      'm.transport_id as transportId',
      eb
        .selectFrom('message_recipients as r')
        .whereRef('r.message_id', '=', 'm.id')
        .select(
          sql<
            SesMessage['recipients']
          >`coalesce(json_agg(json_build_object('position', r.position, 'address', r.address, 'transportId', r.transport_id)), '[]'::json)`.as('list'),
        )
        .as('recipients'),
    ])
    .execute()
  return rows.map((row) => ({ ...row, recipients: row.recipients ?? [] }))
}

/** What SES said of one recipient of one message. */
export type RecipientDeliveryChange = { messageId: string; position: number; delivery: RecipientDelivery; detail: string | null; at: Date }

// SNS keeps no order: a later event never takes a recipient back to an earlier state (a delay
// after the delivery, a delivery after the bounce); within a state, the latest wins.
const rankSql = (column: string) =>
  `(case ${column} when 'delayed' then 1 when 'delivered' then 2 when 'rejected' then 3 when 'bounced' then 3 when 'complained' then 4 when 'skipped' then 5 else 0 end)`

/** Sets what SES said of these recipients, in one statement (at most one change per recipient). */
export async function setRecipientDeliveries(db: Db, changes: readonly RecipientDeliveryChange[]): Promise<number> {
  if (changes.length === 0) return 0
  const values = sql.join(
    changes.map((c) => sql`(${c.messageId}::bigint, ${c.position}::integer, ${c.delivery}::text, ${c.detail}::text, ${c.at}::timestamptz)`),
  )
  const result = await sql`
    update message_recipients mr
       set delivery = v.delivery, delivery_detail = v.detail, delivery_at = v.at
      from (values ${values}) as v(message_id, position, delivery, detail, at)
     where mr.message_id = v.message_id and mr.position = v.position
       and (${sql.raw(rankSql('mr.delivery'))} < ${sql.raw(rankSql('v.delivery'))}
            or (${sql.raw(rankSql('mr.delivery'))} = ${sql.raw(rankSql('v.delivery'))} and (mr.delivery_at is null or mr.delivery_at <= v.at)))`.execute(db)
  return Number(result.numAffectedRows ?? 0)
}

/** Marks messages failed after they were sent, each with why (SES rejected or could not render it). */
export async function failSentMessages(db: Db, failures: ReadonlyArray<{ messageId: string; reason: string }>): Promise<void> {
  if (failures.length === 0) return
  const values = sql.join(failures.map((f) => sql`(${f.messageId}::bigint, ${f.reason}::text)`))
  await sql`update messages m set status = 'failed', reason = v.reason from (values ${values}) as v(id, reason) where m.id = v.id`.execute(db)
}

/**
 * Counts transient bounces, then returns each address's count within the window that ends at its
 * latest bounce, its own included: two statements whatever the number of bounces.
 */
export async function countSoftBounces(
  db: Db,
  input: { bounces: ReadonlyArray<{ addressKey: string; messageId: string | null; at: Date }>; windowDays: number },
): Promise<Map<string, number>> {
  if (input.bounces.length === 0) return new Map()
  await db
    .insertInto('soft_bounces')
    .values(input.bounces.map((b) => ({ address_key: b.addressKey, message_id: b.messageId, bounced_at: b.at })))
    .execute()
  const latest = new Map<string, Date>()
  for (const b of input.bounces) if (!(latest.get(b.addressKey)! >= b.at)) latest.set(b.addressKey, b.at)
  const values = sql.join([...latest].map(([key, at]) => sql`(${key}::text, ${at}::timestamptz)`))
  const { rows } = await sql<{ addressKey: string; count: string }>`
    select v.key as "addressKey", count(*) as count
      from (values ${values}) as v(key, at)
      join soft_bounces s on s.address_key = v.key and s.bounced_at <= v.at and s.bounced_at > v.at - make_interval(days => ${input.windowDays})
     group by v.key`.execute(db)
  return new Map(rows.map((row) => [row.addressKey, Number(row.count)]))
}
