import type { Db } from '../../db/database.ts'

/** Where the request was posted in Slack, so expiry and a resumed run can update that message. */
export async function recordPurgeMessage(_db: Db, _input: { requestId: number; message: { channel: string; ts: string } }): Promise<void> {
  throw new Error('issue 14: recordPurgeMessage is not written yet')
}
