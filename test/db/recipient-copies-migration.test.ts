import { sql } from 'kysely'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { down, up } from '../../migrations/0016_recipient_copies.ts'
import type { DatabaseHandle } from '../../src/db/database.ts'
import { givenLibrary, testDeps } from '../support/builders.ts'
import { openTestDatabase } from '../support/database.ts'
import { givenQueuedMessage } from '../support/outbox.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

test('after the upgrade, a message sent before counts every recipient sent, and one handed to SES when its sender died is still never sent again', async () => {
  const lib = await givenLibrary(testDeps(handle))
  const ana = await lib.patron()
  const recipients = [
    { kind: 'to' as const, address: 'mum@example.org' },
    { kind: 'bcc' as const, address: 'dad@example.org' },
  ]
  const sent = await givenQueuedMessage(handle.db, lib, ana, { recipients })
  const handedOver = await givenQueuedMessage(handle.db, lib, ana, { recipients })
  const at = new Date('2026-03-01T15:00:05Z')
  // What 0016 finds: one email to all recipients, a hand-over recorded on the message.
  await down(handle.db)
  await sql`update messages set status = 'sent', sent_at = ${at}, transport_id = 'ses-1' where id = ${sent}`.execute(handle.db)
  await sql`update messages set status = 'sending', handed_over_at = ${at} where id = ${handedOver}`.execute(handle.db)

  await up(handle.db)

  const copies = await handle.db
    .selectFrom('message_recipients')
    .where('message_id', 'in', [sent, handedOver])
    .orderBy('message_id')
    .orderBy('position')
    .select(['message_id as messageId', 'sent_at as sentAt', 'handed_over_at as handedOverAt'])
    .execute()
  expect(copies).toEqual([
    { messageId: sent, sentAt: at, handedOverAt: null },
    { messageId: sent, sentAt: at, handedOverAt: null },
    { messageId: handedOver, sentAt: null, handedOverAt: at },
    { messageId: handedOver, sentAt: null, handedOverAt: at },
  ])
})
