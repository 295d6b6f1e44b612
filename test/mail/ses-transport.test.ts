import { type AddressObject, simpleParser } from 'mailparser'
import pino from 'pino'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../src/db/database.ts'
import { type DispatchSettings, dispatchDueMessages } from '../../src/domain/notices/dispatch.ts'
import { claimDueMessages, recordCopyHandedOver } from '../../src/domain/notices/outbox-queries.ts'
import { createSendPace, type SendPace } from '../../src/domain/notices/send-rate.ts'
import { createSesClient, createSesTransport } from '../../src/mail/ses-transport.ts'
import type { OutgoingEmail } from '../../src/mail/transport.ts'
import { fixedClock, givenLibrary } from '../support/builders.ts'
import { openTestDatabase } from '../support/database.ts'
import { type FakeSes, mostInAnySecond, rawMimeOf, startFakeSes } from '../support/fake-ses-sending.ts'
import { givenQueuedMessage, messageRow } from '../support/outbox.ts'

let handle: DatabaseHandle
let ses: FakeSes
const saved = { ...process.env }

beforeAll(async () => {
  handle = await openTestDatabase()
  ses = await startFakeSes()
  // The SDK's own variables, as an admin sets them.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SESV2: ses.url,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  })
})
afterAll(async () => {
  process.env = saved
  await ses.close()
  await handle.close()
})
beforeEach(async () => {
  ses.received.length = 0
  ses.answerBy(() => 'ok')
  await handle.db.deleteFrom('messages').execute()
  await handle.db.deleteFrom('send_rate').execute()
})

const silent = pino({ level: 'silent' })
const clockNow = () => fixedClock(new Date(Date.now() + 1000).toISOString())

function sesDispatcher(options: { clock?: ReturnType<typeof clockNow>; sendPace?: SendPace; configurationSet?: string } = {}) {
  const client = createSesClient()
  const transport = createSesTransport({ client, configurationSet: options.configurationSet ?? 'library-comms' })
  const clock = options.clock ?? clockNow()
  const deps = { db: handle.db, clock, logger: silent, transport, fromAddress: 'library@school.example', sendPace: options.sendPace, random: () => 0 }
  return { clock, run: (settings: Partial<DispatchSettings> = {}) => dispatchDueMessages(deps, settings) }
}

async function aLibrary() {
  const lib = await givenLibrary({ db: handle.db } as never, { name: 'Riverside Library' })
  await handle.db.updateTable('libraries').set({ sender_name: 'Biblioteca Ribeirão', reply_to: 'librarian@school.example' }).where('id', '=', lib.id).execute()
  const ana = await lib.patron({ username: 'asilva', firstName: 'Ana', lastName: 'Silva' })
  return { lib, ana }
}

const addresses = (header: AddressObject | AddressObject[] | undefined) =>
  [header ?? []].flat().flatMap((object) => object.value.map((a) => (a.name ? `${a.name} <${a.address}>` : a.address)))

describe('sending through SES', () => {
  test('a notice to To and Bcc reaches SES as one copy each: the same visible headers, each delivered to its recipient alone, tagged, SES’s ids recorded', async () => {
    const { lib, ana } = await aLibrary()
    const id = await givenQueuedMessage(handle.db, lib, ana, {
      subject: 'Ana has 1 overdue loan',
      text: 'The Hobbit was due on 2 March.',
      html: '<p>The Hobbit was due on 2 March.</p>',
      recipients: [
        { kind: 'to', address: 'mum@example.org' },
        { kind: 'bcc', address: 'dad@example.org' },
      ],
    })

    const round = await sesDispatcher().run()

    expect(round).toMatchObject({ sent: 1 })
    expect(ses.received.map((send) => [send.signed, send.input.Destination, send.input.ConfigurationSetName])).toEqual([
      [true, { ToAddresses: ['mum@example.org'] }, 'library-comms'],
      [true, { ToAddresses: ['dad@example.org'] }, 'library-comms'],
    ])
    for (const [n, send] of ses.received.entries()) {
      const email = await simpleParser(rawMimeOf(send))
      expect(addresses(email.from)).toEqual(['Biblioteca Ribeirão <library@school.example>'])
      expect(addresses(email.to)).toEqual(['mum@example.org'])
      expect(email.bcc).toBeUndefined()
      expect(rawMimeOf(send).toString('latin1')).not.toMatch(/^bcc:/im)
      expect(addresses(email.replyTo)).toEqual(['librarian@school.example'])
      expect([email.subject, email.text?.trim(), email.html]).toEqual([
        'Ana has 1 overdue loan',
        'The Hobbit was due on 2 March.',
        '<p>The Hobbit was due on 2 March.</p>',
      ])
      expect(email.headers.get('x-library-comms-message-id')).toBe(id)
      expect(send.input.EmailTags).toEqual([
        { Name: 'library', Value: String(lib.id) },
        { Name: 'scenario', Value: 'circulation_overdue' },
        { Name: 'message', Value: id },
        { Name: 'recipient', Value: String(n + 1) },
      ])
    }
    const copies = await handle.db.selectFrom('message_recipients').where('message_id', '=', id).orderBy('position').select(['transport_id']).execute()
    expect(copies.map((copy) => copy.transport_id)).toEqual(ses.received.map((send) => send.messageId))
    expect(await messageRow(handle.db, id)).toMatchObject({ status: 'sent', transportId: ses.received[0].messageId })
  })

  test('the headers a copy carries (List-Unsubscribe, one click) reach SES in its MIME', async () => {
    const transport = createSesTransport({ client: createSesClient() })
    const email: OutgoingEmail = {
      messageId: '42',
      recipientPosition: 0,
      from: { name: 'Riverside Library', address: 'library@school.example' },
      to: ['mum@example.org'],
      cc: [],
      envelopeTo: 'mum@example.org',
      subject: 'Overdue',
      text: 'Overdue.',
      html: '<p>Overdue.</p>',
      headers: { 'List-Unsubscribe': '<https://comms.school.example/unsubscribe/abc>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      tags: { library: '7', scenario: 'circulation.overdue' },
    }

    const outcome = await transport.send(email)

    expect(outcome).toEqual({ ok: true, transportId: ses.received[0].messageId })
    const sent = await simpleParser(rawMimeOf(ses.received[0]))
    expect(addresses(sent.from)).toEqual(['Riverside Library <library@school.example>'])
    // mailparser folds List-* headers into one object: the raw lines say it plainly.
    expect(rawMimeOf(ses.received[0]).toString('latin1')).toContain(
      'List-Unsubscribe: <https://comms.school.example/unsubscribe/abc>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n',
    )
  })
})

describe('what SES refuses', () => {
  test('throttled by SES, the message is retried after the backoff and then sent', async () => {
    const { lib, ana } = await aLibrary()
    const id = await givenQueuedMessage(handle.db, lib, ana)
    ses.answerNext({ error: 'TooManyRequestsException', status: 429, message: 'Maximum sending rate exceeded.' })
    const { clock, run } = sesDispatcher()

    const first = await run()
    const afterThrottle = await messageRow(handle.db, id)
    clock.set(new Date(clock.now().getTime() + 60_000).toISOString())
    const second = await run()

    expect([first.retried, second.sent]).toEqual([1, 1])
    expect(afterThrottle).toMatchObject({ status: 'queued', reason: expect.stringContaining('throttled: SES TooManyRequestsException (429)') })
    expect(ses.accepted()).toHaveLength(1)
    expect(await messageRow(handle.db, id)).toMatchObject({ status: 'sent', attempts: 2, transportId: ses.accepted()[0].messageId })
  })

  test('throttled on the second of three copies, the retry sends only the two not yet sent: no one gets it twice', async () => {
    const { lib, ana } = await aLibrary()
    const recipients = ['mum@example.org', 'dad@example.org', 'gran@example.org']
    const id = await givenQueuedMessage(handle.db, lib, ana, { recipients: recipients.map((address) => ({ kind: 'to' as const, address })) })
    ses.answerNext('ok', { error: 'TooManyRequestsException', status: 429, message: 'Maximum sending rate exceeded.' })
    const { clock, run } = sesDispatcher()

    const first = await run()
    clock.set(new Date(clock.now().getTime() + 60_000).toISOString())
    const second = await run()

    expect([first.retried, second.sent]).toEqual([1, 1])
    expect(ses.accepted().map((send) => send.input.Destination?.ToAddresses)).toEqual(recipients.map((address) => [address]))
    expect(await messageRow(handle.db, id)).toMatchObject({ status: 'sent', attempts: 2 })
  })

  test('a dropped connection and a 500 from SES are retried too', async () => {
    const { lib, ana } = await aLibrary()
    const id = await givenQueuedMessage(handle.db, lib, ana)
    ses.answerNext('drop', { error: 'InternalServiceErrorException', status: 500 })
    const { clock, run } = sesDispatcher()

    await run()
    const afterDrop = await messageRow(handle.db, id)
    clock.set(new Date(clock.now().getTime() + 60_000).toISOString())
    await run()
    const after500 = await messageRow(handle.db, id)
    clock.set(new Date(clock.now().getTime() + 300_000).toISOString())
    await run()

    expect(afterDrop).toMatchObject({ status: 'queued', reason: expect.stringContaining('could not reach SES') })
    expect(after500).toMatchObject({ status: 'queued', reason: expect.stringContaining('InternalServiceErrorException (500)') })
    expect(await messageRow(handle.db, id)).toMatchObject({ status: 'sent', attempts: 3 })
  })

  test('a rejected message is recorded failed once, with SES’s reason, and never sent again', async () => {
    const { lib, ana } = await aLibrary()
    const id = await givenQueuedMessage(handle.db, lib, ana)
    ses.answerBy(() => ({ error: 'MessageRejected', status: 400, message: 'Email address is not verified.' }))
    const { clock, run } = sesDispatcher()

    const round = await run()
    clock.set(new Date(clock.now().getTime() + 2 * 86_400_000).toISOString())
    const later = await run()

    expect([round.failed, later.claimed]).toEqual([1, 0])
    expect(ses.received).toHaveLength(1)
    expect(await messageRow(handle.db, id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      reason: 'SES MessageRejected (400): Email address is not verified.',
    })
  })

  test('an account SES has suspended fails no message: each waits, queued, for an admin to fix the account', async () => {
    const { lib, ana } = await aLibrary()
    const id = await givenQueuedMessage(handle.db, lib, ana)
    ses.answerNext({ error: 'AccountSuspendedException', status: 400, message: 'Your account has been suspended.' })

    await sesDispatcher().run()

    expect(await messageRow(handle.db, id)).toMatchObject({ status: 'queued', reason: expect.stringContaining('the SES account cannot send') })
  })
})

describe('a sender that stops mid-send', () => {
  test('a message handed to SES whose sender died before recording the answer is not sent again, and says why', async () => {
    const { lib, ana } = await aLibrary()
    const id = await givenQueuedMessage(handle.db, lib, ana)
    const clock = clockNow()
    // The first sender claims, records the hand-over, SES accepts, and it dies (kill -9) before recording.
    const claim = await claimDueMessages(handle.db, { now: clock.now(), leaseUntil: new Date(clock.now().getTime() + 120_000), limit: 10, maxAttempts: 8 })
    await recordCopyHandedOver(handle.db, { id, attempts: claim.messages[0].attempts }, { position: 0, at: clock.now() })
    await createSesTransport({ client: createSesClient() }).send({
      messageId: id,
      recipientPosition: 0,
      from: { name: 'Riverside Library', address: 'library@school.example' },
      to: ['guardian@example.org'],
      cc: [],
      envelopeTo: 'guardian@example.org',
      subject: 'Overdue',
      text: 'Overdue.',
      html: '<p>Overdue.</p>',
    })
    clock.set(new Date(clock.now().getTime() + 121_000).toISOString())

    const round = await sesDispatcher({ clock }).run()

    expect(round).toMatchObject({ claimed: 1, failed: 1, sent: 0 })
    expect(ses.received).toHaveLength(1)
    expect(await messageRow(handle.db, id)).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^may have been sent: /) })
  })

  test('a sender that died after handing over the second copy: the first and that one are never sent again, the third is', async () => {
    const { lib, ana } = await aLibrary()
    const recipients = ['mum@example.org', 'dad@example.org', 'gran@example.org']
    const id = await givenQueuedMessage(handle.db, lib, ana, { recipients: recipients.map((address) => ({ kind: 'to' as const, address })) })
    const clock = clockNow()
    const claim = await claimDueMessages(handle.db, { now: clock.now(), leaseUntil: new Date(clock.now().getTime() + 120_000), limit: 10, maxAttempts: 8 })
    const ref = { id, attempts: claim.messages[0].attempts }
    await recordCopyHandedOver(handle.db, ref, { position: 0, at: clock.now() })
    await handle.db
      .updateTable('message_recipients')
      .set({ sent_at: clock.now(), transport_id: 'ses-1', handed_over_at: null })
      .where('message_id', '=', id)
      .where('position', '=', 0)
      .execute()
    await recordCopyHandedOver(handle.db, ref, { position: 1, at: clock.now() })
    clock.set(new Date(clock.now().getTime() + 121_000).toISOString())

    const round = await sesDispatcher({ clock }).run()

    expect(round).toMatchObject({ claimed: 1, failed: 1, sent: 0 })
    expect(ses.received.map((send) => send.input.Destination?.ToAddresses)).toEqual([['gran@example.org']])
    expect(await messageRow(handle.db, id)).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^may have been sent: /) })
  })

  test('claimed but not yet handed over when its sender died, it is sent by the next one', async () => {
    const { lib, ana } = await aLibrary()
    const id = await givenQueuedMessage(handle.db, lib, ana)
    const clock = clockNow()
    await claimDueMessages(handle.db, { now: clock.now(), leaseUntil: new Date(clock.now().getTime() + 120_000), limit: 10, maxAttempts: 8 })
    clock.set(new Date(clock.now().getTime() + 121_000).toISOString())

    await sesDispatcher({ clock }).run()

    expect(ses.accepted()).toHaveLength(1)
    expect(await messageRow(handle.db, id)).toMatchObject({ status: 'sent', attempts: 2 })
  })
})

describe('the account’s rate', () => {
  test('two dispatchers on one database send every message exactly once, never more than the rate in any second between them', async () => {
    const { lib, ana } = await aLibrary()
    const ids = new Set<string>()
    for (let n = 0; n < 36; n += 1) ids.add(await givenQueuedMessage(handle.db, lib, ana))
    const ratePerSecond = 12
    // Each dispatcher its own pace, as two instances have: they meet in the database's bucket. A
    // fifth kept below the rate (5 % by default, as B4 measures at 50/s): this machine is shared
    // with other work, and a send held up there 50 ms would arrive next to the one after it.
    const loop = async () => {
      const { run } = sesDispatcher({ sendPace: createSendPace(handle.db, { name: 'ses', ratePerSecond, headroom: 0.2 }) })
      for (;;) {
        const round = await run({ batchSize: 5 })
        if (round.claimed === 0) return
      }
    }
    const startedAt = performance.now()

    await Promise.all([loop(), loop()])

    const seconds = (performance.now() - startedAt) / 1000
    const tagged = ses.accepted().map((send) => send.input.EmailTags?.find((tag) => tag.Name === 'message')?.Value)
    expect(tagged.toSorted()).toEqual([...ids].toSorted())
    expect(mostInAnySecond(ses.accepted().map((send) => send.atMs))).toBeLessThanOrEqual(ratePerSecond)
    // 36 sends at 12/s less a fifth take about 3.7 seconds: the pace is kept, not undershot.
    expect(seconds).toBeGreaterThan(3.2)
    expect(seconds).toBeLessThan(6)
    const statuses = await handle.db.selectFrom('messages').select('status').distinct().execute()
    expect(statuses).toEqual([{ status: 'sent' }])
  })
})
