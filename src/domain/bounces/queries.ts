import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import type { MessageRecipientsTable } from '../../db/schema.ts'

export type RecipientDelivery = NonNullable<MessageRecipientsTable['delivery']>

/** Records an SNS message as handled; false when it was already (SNS delivers at least once). */
export async function rememberSnsMessage(db: Db, input: { messageId: string; topicArn: string; type: string; at: Date }): Promise<boolean> {
  const rows = await db
    .insertInto('sns_messages')
    .values({ message_id: input.messageId, topic_arn: input.topicArn, type: input.type, received_at: input.at })
    .onConflict((oc) => oc.column('message_id').doNothing())
    .returning('message_id')
    .execute()
  return rows.length > 0
}

/** Whether an SNS message was handled already. */
export async function isSnsMessageSeen(db: Db, messageId: string): Promise<boolean> {
  const row = await db.selectFrom('sns_messages').where('message_id', '=', messageId).select('message_id').executeTakeFirst()
  return row !== undefined
}

/**
 * Our message an SES event is about: by SES's message id (indexed), else by our id from its tag.
 * Its recipients come along, in one query.
 */
export async function findSesMessage(db: Db, input: { sesMessageId: string; ourMessageId: string | null }) {
  let query = db
    .selectFrom('messages as m')
    .select((eb) => [
      'm.id',
      'm.library_id as libraryId',
      eb
        .selectFrom('message_recipients as r')
        .whereRef('r.message_id', '=', 'm.id')
        .select(
          sql<Array<{ position: number; address: string }>>`coalesce(json_agg(json_build_object('position', r.position, 'address', r.address)), '[]'::json)`.as(
            'list',
          ),
        )
        .as('recipients'),
    ])
  query =
    input.ourMessageId === null
      ? query.where('m.transport_id', '=', input.sesMessageId)
      : query.where((eb) => eb.or([eb('m.transport_id', '=', input.sesMessageId), eb('m.id', '=', input.ourMessageId!)]))
  // SES's id first: a message sent again after a crash carries our id on both sends.
  const rows = await query.orderBy(sql`m.transport_id = ${input.sesMessageId}`, 'desc').limit(1).execute()
  const row = rows[0]
  return row === undefined ? undefined : { id: row.id, libraryId: row.libraryId, recipients: row.recipients ?? [] }
}

// A later event never takes a recipient back to an earlier state (SNS does not keep order): a
// delay after the delivery, or a delivery after the bounce, is history.
const rank = (column: string) =>
  sql.raw(`(case ${column} when 'delayed' then 1 when 'delivered' then 2 when 'rejected' then 3 when 'bounced' then 3 when 'complained' then 4 else 0 end)`)

/** Sets what SES said of these recipients of one message, in one statement. */
export async function setRecipientDelivery(
  db: Db,
  input: { messageId: string; delivery: RecipientDelivery; at: Date; recipients: ReadonlyArray<{ position: number; detail: string | null }> },
): Promise<number> {
  if (input.recipients.length === 0) return 0
  const values = sql.join(input.recipients.map((r) => sql`(${r.position}::integer, ${r.detail}::text)`))
  const result = await sql`
    update message_recipients mr
       set delivery = ${input.delivery}, delivery_detail = v.detail, delivery_at = ${input.at}
      from (values ${values}) as v(position, detail)
     where mr.message_id = ${input.messageId} and mr.position = v.position
       and (${rank('mr.delivery')} < ${rank(`'${input.delivery}'`)}
            or (${rank('mr.delivery')} = ${rank(`'${input.delivery}'`)} and (mr.delivery_at is null or mr.delivery_at <= ${input.at})))`.execute(db)
  return Number(result.numAffectedRows ?? 0)
}

/** Marks a message failed after it was sent, with why (SES rejected or could not render it). */
export async function failSentMessage(db: Db, input: { messageId: string; reason: string }): Promise<void> {
  await db.updateTable('messages').set({ status: 'failed', reason: input.reason }).where('id', '=', input.messageId).execute()
}

/**
 * Counts transient bounces, then returns each address's count within the window, its own
 * included, in two statements whatever the number of addresses.
 */
export async function countSoftBounces(
  db: Db,
  input: { addressKeys: readonly string[]; messageId: string | null; at: Date; windowDays: number },
): Promise<Map<string, number>> {
  if (input.addressKeys.length === 0) return new Map()
  await db
    .insertInto('soft_bounces')
    .values(input.addressKeys.map((key) => ({ address_key: key, message_id: input.messageId, bounced_at: input.at })))
    .execute()
  const rows = await db
    .selectFrom('soft_bounces')
    .where('address_key', 'in', input.addressKeys)
    .where('bounced_at', '>', sql<Date>`${input.at}::timestamptz - make_interval(days => ${input.windowDays})`)
    .where('bounced_at', '<=', input.at)
    .groupBy('address_key')
    .select(['address_key as addressKey', (eb) => eb.fn.countAll<string>().as('count')])
    .execute()
  return new Map(rows.map((row) => [row.addressKey, Number(row.count)]))
}
