import pino from 'pino'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { isBlacklisted } from '../../../src/domain/bounces/blacklist.ts'
import type { SesEvent } from '../../../src/domain/bounces/read-ses-event.ts'
import { recordSesEvents } from '../../../src/domain/bounces/record-ses-event.ts'
import { fixedClock, givenLibrary, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'
import { givenQueuedMessage } from '../../support/outbox.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

const softBounces = { limit: 2, windowDays: 7 }
const at = new Date('2026-03-02T10:00:00Z')

async function sentTo(addresses: string[], sesMessageId: string) {
  const deps = testDeps(handle, { logger: pino({ level: 'silent' }), clock: fixedClock() })
  const lib = await givenLibrary(deps)
  const id = await givenQueuedMessage(handle.db, lib, null, { recipients: addresses.map((address) => ({ kind: 'to' as const, address })) })
  await handle.db.updateTable('messages').set({ status: 'sent', transport_id: sesMessageId }).where('id', '=', id).execute()
  return { deps, id }
}

const bounce = (sesMessageId: string, address: string, bounceType: 'Permanent' | 'Transient'): SesEvent => ({
  kind: 'bounce',
  sesMessageId,
  ourMessageId: null,
  at,
  bounceType,
  bounceSubType: 'General',
  recipients: [{ address, detail: null }],
})

test('events delivered together are learnt together: a delivery and a later bounce of one recipient leave it bounced', async () => {
  const { deps, id } = await sentTo(['ana@batch.test', 'ben@batch.test'], 'ses-batch-1')
  const delivery: SesEvent = {
    kind: 'delivery',
    sesMessageId: 'ses-batch-1',
    ourMessageId: null,
    at: new Date(at.getTime() - 1000),
    recipients: [{ address: 'ana@batch.test', detail: '250 ok' }],
  }

  const outcomes = await recordSesEvents(deps, {
    softBounces,
    events: [
      { snsMessageId: 'sns-b-1', topicArn: 'arn', event: bounce('ses-batch-1', 'ana@batch.test', 'Permanent') },
      { snsMessageId: 'sns-b-2', topicArn: 'arn', event: delivery },
    ],
  })

  expect(outcomes).toMatchObject([
    { redelivery: false, kind: 'bounce', isOurMessage: true, blacklisted: 1 },
    { redelivery: false, kind: 'delivery', isOurMessage: true, blacklisted: 0 },
  ])
  const recipients = await handle.db.selectFrom('message_recipients').where('message_id', '=', id).orderBy('position').select('delivery').execute()
  expect(recipients.map((r) => r.delivery)).toEqual(['bounced', null])
})

test('the same SNS message twice in one batch counts once, and two soft bounces in one batch reach a limit of two', async () => {
  const { deps } = await sentTo(['carla@batch.test'], 'ses-batch-2')
  const soft = { snsMessageId: 'sns-s-1', topicArn: 'arn', event: bounce('ses-batch-2', 'carla@batch.test', 'Transient') }

  const first = await recordSesEvents(deps, { softBounces, events: [soft, { ...soft, event: { ...soft.event } }] })
  expect(first.map((o) => o.redelivery)).toEqual([false, true])
  expect(await isBlacklisted(handle.db, 'carla@batch.test')).toBe(false)

  const second = await recordSesEvents(deps, { softBounces, events: [{ ...soft, snsMessageId: 'sns-s-2' }] })
  expect(second).toMatchObject([{ blacklisted: 1, softBounces: 1 }])
  const row = await handle.db.selectFrom('blacklist').where('address_key', '=', 'carla@batch.test').select(['reason', 'detail']).executeTakeFirstOrThrow()
  expect(row).toEqual({ reason: 'soft_bounces', detail: '2 soft bounces within 7 days; the last: Transient/General' })
})
