import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'

/** Where the request was posted in Slack, so expiry and a resumed run can update that message. */
export async function recordPurgeMessage(db: Db, input: { requestId: number; message: { channel: string; ts: string } }): Promise<void> {
  const message = { channel: input.message.channel, ts: input.message.ts }
  await db
    .updateTable('batches')
    .set({ report_message: sql`cast(${JSON.stringify(message)}::text as jsonb)` })
    .where('id', '=', input.requestId)
    .where('kind', '=', 'purge')
    .execute()
}
