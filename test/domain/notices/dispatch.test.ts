import { sql } from 'kysely'
import pino from 'pino'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { type DispatchSettings, dispatchDueMessages } from '../../../src/domain/notices/dispatch.ts'
import { secretMarker } from '../../../src/domain/notices/outbox.ts'
import { claimDueMessages } from '../../../src/domain/notices/outbox-queries.ts'
import type { EmailTransport } from '../../../src/mail/transport.ts'
import { fixedClock, givenLibrary } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'
import { givenQueuedMessage, messageRow, recordingTransport } from '../../support/outbox.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())
// The dispatcher serves every library of the database: each test starts with an empty outbox.
beforeEach(async () => {
  await handle.db.deleteFrom('messages').execute()
})

const silent = pino({ level: 'silent' })

/** A clock at the real time: messages are queued due at the database's now(). */
const clockNow = () => fixedClock(new Date(Date.now() + 1000).toISOString())

function dispatcher(transport: EmailTransport, clock = clockNow(), settings: Partial<DispatchSettings> = {}) {
  const deps = { db: handle.db, clock, logger: silent, transport, fromAddress: 'library@school.example' }
  return { clock, run: (more: Parameters<typeof dispatchDueMessages>[1] = {}) => dispatchDueMessages(deps, { ...settings, ...more }) }
}

async function libraryWithPatron(options: { senderName?: string; replyTo?: string | null } = {}) {
  const lib = await givenLibrary({ db: handle.db } as never, { name: 'Riverside Library' })
  await handle.db
    .updateTable('libraries')
    .set({ sender_name: options.senderName ?? '', reply_to: options.replyTo ?? null })
    .where('id', '=', lib.id)
    .execute()
  const ana = await lib.patron({ username: 'asilva', firstName: 'Ana', lastName: 'Silva' })
  return { lib, ana }
}

describe('sending the outbox', () => {
  test('a queued message is sent from the library as one copy per recipient, each with the same To and Cc, and recorded sent once every copy is', async () => {
    const { lib, ana } = await libraryWithPatron({ senderName: 'Riverside School Library', replyTo: 'librarian@school.example' })
    const id = await givenQueuedMessage(handle.db, lib, ana, {
      subject: 'Overdue: The Hobbit',
      recipients: [
        { kind: 'to', address: 'mum@example.org' },
        { kind: 'bcc', address: 'dad@example.org' },
        { kind: 'to', address: 'ana@school.example' },
      ],
    })
    const { transport, sent } = recordingTransport()
    const { run, clock } = dispatcher(transport)

    const round = await run()

    expect(round).toMatchObject({ claimed: 1, sent: 1 })
    const copy = (recipientPosition: number, envelopeTo: string) =>
      expect.objectContaining({
        messageId: id,
        recipientPosition,
        envelopeTo,
        from: { name: 'Riverside School Library', address: 'library@school.example' },
        replyTo: 'librarian@school.example',
        to: ['mum@example.org', 'ana@school.example'],
        cc: [],
        subject: 'Overdue: The Hobbit',
        tags: { library: String(lib.id), scenario: 'circulation.overdue' },
      })
    expect(sent).toEqual([copy(0, 'mum@example.org'), copy(1, 'dad@example.org'), copy(2, 'ana@school.example')])
    expect(await messageRow(handle.db, id)).toMatchObject({ status: 'sent', sentAt: clock.now(), transportId: `test-${id}-1`, leaseUntil: null })
    const copies = await handle.db
      .selectFrom('message_recipients')
      .where('message_id', '=', id)
      .orderBy('position')
      .select(['sent_at', 'transport_id'])
      .execute()
    expect(copies).toEqual([1, 2, 3].map((n) => ({ sent_at: clock.now(), transport_id: `test-${id}-${n}` })))
  })

  test('a shared send pace gives one turn per copy: SES counts its rate in recipients', async () => {
    const { lib, ana } = await libraryWithPatron()
    await givenQueuedMessage(handle.db, lib, ana, {
      recipients: [
        { kind: 'to', address: 'mum@example.org' },
        { kind: 'cc', address: 'dad@example.org' },
      ],
    })
    await givenQueuedMessage(handle.db, lib, ana)
    const { transport, sent } = recordingTransport()
    let turns = 0
    const deps = {
      db: handle.db,
      clock: fixedClock(new Date(Date.now() + 1000).toISOString()),
      logger: silent,
      transport,
      fromAddress: 'library@school.example',
    }

    await dispatchDueMessages({
      ...deps,
      sendPace: {
        waitForTurn: async () => {
          turns += 1
        },
      },
    })

    expect([turns, sent.length]).toEqual([3, 3])
  })

  test('without a sender name the email is from the library’s name, with no Reply-To', async () => {
    const { lib, ana } = await libraryWithPatron()
    await givenQueuedMessage(handle.db, lib, ana)
    const { transport, sent } = recordingTransport()

    await dispatcher(transport).run()

    expect(sent[0].from).toEqual({ name: 'Riverside Library', address: 'library@school.example' })
    expect(sent[0]).not.toHaveProperty('replyTo')
  })

  test('a message claimed is committed as sending before the transport is called: another connection can read and lock its row meanwhile', async () => {
    const { lib, ana } = await libraryWithPatron()
    const id = await givenQueuedMessage(handle.db, lib, ana)
    let seenDuringSend: unknown
    const { transport } = recordingTransport(async (email) => {
      // NOWAIT fails at once if any transaction still holds the row.
      const { rows } = await sql<{
        status: string
        lease_until: Date
      }>`select status, lease_until from messages where id = ${email.messageId} for update nowait`.execute(handle.db)
      seenDuringSend = rows[0]
      return { ok: true, transportId: 'x' }
    })
    const { run, clock } = dispatcher(transport, clockNow(), { leaseSeconds: 90 })

    await run()

    expect(seenDuringSend).toEqual({ status: 'sending', lease_until: new Date(clock.now().getTime() + 90_000) })
    expect((await messageRow(handle.db, id)).status).toBe('sent')
  })

  test('a message whose next attempt is later is not due yet (a loan receipt still gathering checkouts)', async () => {
    const { lib, ana } = await libraryWithPatron()
    const id = await givenQueuedMessage(handle.db, lib, ana, { scenario: 'lending.loan_receipt' })
    const clock = clockNow()
    await handle.db
      .updateTable('messages')
      .set({ next_attempt_at: new Date(clock.now().getTime() + 5 * 60_000) })
      .where('id', '=', id)
      .execute()
    const { transport, sent } = recordingTransport()

    const early = await dispatcher(transport, clock).run()
    clock.set(new Date(clock.now().getTime() + 5 * 60_000).toISOString())
    const onTime = await dispatcher(transport, clock).run()

    expect([early.claimed, onTime.sent, sent.length]).toEqual([0, 1, 1])
  })

  test('a sender that died holding a message: once its lease runs out, another dispatcher claims and sends it', async () => {
    const { lib, ana } = await libraryWithPatron()
    const id = await givenQueuedMessage(handle.db, lib, ana)
    const clock = clockNow()
    // The first sender claims, then dies before sending (kill -9, a power cut).
    const died = await claimDueMessages(handle.db, { now: clock.now(), leaseUntil: new Date(clock.now().getTime() + 120_000), limit: 10, maxAttempts: 8 })
    expect(died.messages.map((m) => m.id)).toEqual([id])
    const { transport, sent } = recordingTransport()

    const whileLeased = await dispatcher(transport, clock).run()
    clock.set(new Date(clock.now().getTime() + 121_000).toISOString())
    const afterLease = await dispatcher(transport, clock).run()

    expect(whileLeased.claimed).toBe(0)
    expect(afterLease.sent).toBe(1)
    expect(sent.map((email) => email.messageId)).toEqual([id])
    expect(await messageRow(handle.db, id)).toMatchObject({ status: 'sent', attempts: 2 })
  })

  test('two dispatchers at once never send one message twice, and between them send all', async () => {
    const { lib, ana } = await libraryWithPatron()
    const ids: string[] = []
    for (let n = 0; n < 40; n += 1) ids.push(await givenQueuedMessage(handle.db, lib, ana))
    const { transport, sent } = recordingTransport(async (email) => {
      await new Promise((resolve) => setTimeout(resolve, 2))
      return { ok: true, transportId: email.messageId }
    })
    const drain = async () => {
      const d = dispatcher(transport, clockNow(), { batchSize: 7 })
      while ((await d.run()).claimed > 0) {}
    }

    await Promise.all([drain(), drain(), drain()])

    const sentIds = sent.map((email) => email.messageId)
    expect(sentIds).toHaveLength(40)
    expect(new Set(sentIds)).toEqual(new Set(ids))
    const statuses = await handle.db.selectFrom('messages').select('status').distinct().execute()
    expect(statuses).toEqual([{ status: 'sent' }])
  })

  test('a stopping dispatcher sends the email in hand and hands the rest of its batch back, due at once', async () => {
    const { lib, ana } = await libraryWithPatron()
    const first = await givenQueuedMessage(handle.db, lib, ana)
    const second = await givenQueuedMessage(handle.db, lib, ana)
    let stopping = false
    const { transport } = recordingTransport((email) => {
      stopping = true
      return { ok: true, transportId: email.messageId }
    })

    const round = await dispatcher(transport).run({ shouldStop: () => stopping })

    expect(round).toMatchObject({ claimed: 2, sent: 1, released: 1 })
    expect(await messageRow(handle.db, first)).toMatchObject({ status: 'sent' })
    expect(await messageRow(handle.db, second)).toMatchObject({ status: 'queued', attempts: 0, leaseUntil: null })
  })
})

describe('the condition is checked again when a message is claimed', () => {
  test('an overdue notice whose loans were all returned or marked lost is skipped, condition gone, and not sent', async () => {
    const { lib, ana } = await libraryWithPatron()
    const returned = await lib.loan(ana, { dueDate: '2026-03-01' })
    const lost = await lib.loan(ana, { dueDate: '2026-03-02' })
    const id = await givenQueuedMessage(handle.db, lib, ana, { loanIds: [returned.id, lost.id] })
    await handle.db.updateTable('loans').set({ status: 'returned' }).where('id', '=', returned.id).execute()
    await handle.db.updateTable('loans').set({ status: 'lost' }).where('id', '=', lost.id).execute()
    const { transport, sent } = recordingTransport()

    const round = await dispatcher(transport).run()

    expect(round).toMatchObject({ claimed: 1, skipped: 1, sent: 0 })
    expect(sent).toEqual([])
    expect(await messageRow(handle.db, id)).toMatchObject({ status: 'skipped', reason: 'condition_gone', sentAt: null })
  })

  test('a recall of a loan returned meanwhile is skipped too', async () => {
    const { lib, ana } = await libraryWithPatron()
    const loan = await lib.loan(ana, { dueDate: '2026-03-01', status: 'returned' })
    const id = await givenQueuedMessage(handle.db, lib, ana, { scenario: 'circulation.recall', loanIds: [loan.id] })

    await dispatcher(recordingTransport().transport).run()

    expect(await messageRow(handle.db, id)).toMatchObject({ status: 'skipped', reason: 'condition_gone' })
  })

  test('a notice with one of its loans still open goes as it was written', async () => {
    const { lib, ana } = await libraryWithPatron()
    const returned = await lib.loan(ana, { dueDate: '2026-03-01', status: 'returned' })
    const open = await lib.loan(ana, { dueDate: '2026-03-02' })
    const id = await givenQueuedMessage(handle.db, lib, ana, { loanIds: [returned.id, open.id] })
    const { transport, sent } = recordingTransport()

    await dispatcher(transport).run()

    expect(sent.map((email) => email.messageId)).toEqual([id])
    expect((await messageRow(handle.db, id)).status).toBe('sent')
  })

  test('a loan receipt is not a reminder: its loan returned since, it is still sent', async () => {
    const { lib, ana } = await libraryWithPatron()
    const loan = await lib.loan(ana, { dueDate: '2026-03-01', status: 'returned' })
    const id = await givenQueuedMessage(handle.db, lib, ana, { scenario: 'lending.loan_receipt', loanIds: [loan.id] })

    await dispatcher(recordingTransport().transport).run()

    expect((await messageRow(handle.db, id)).status).toBe('sent')
  })
})

describe('a password-reset link', () => {
  const link = 'https://opac.school.example/reset?user=ana&token=s3cr3t'

  test('is in the email, HTML-escaped in the HTML part, and gone from the database once sent', async () => {
    const { lib, ana } = await libraryWithPatron()
    const id = await givenQueuedMessage(handle.db, lib, ana, {
      scenario: 'account.password_reset',
      text: `Reset your password: ${secretMarker}`,
      html: `<p><a href="${secretMarker}">Reset your password</a></p>`,
      secret: link,
    })
    const { transport, sent } = recordingTransport()

    await dispatcher(transport).run()

    expect(sent[0].text).toBe(`Reset your password: ${link}`)
    expect(sent[0].html).toBe('<p><a href="https://opac.school.example/reset?user=ana&amp;token=s3cr3t">Reset your password</a></p>')
    const row = await messageRow(handle.db, id)
    expect(row).toMatchObject({ status: 'sent' })
    expect(`${row.text} ${row.html}`).not.toContain('s3cr3t')
    expect(await handle.db.selectFrom('message_secrets').selectAll().execute()).toEqual([])
  })

  test('is kept while a send is retried, and deleted when the message fails for good', async () => {
    const { lib, ana } = await libraryWithPatron()
    const id = await givenQueuedMessage(handle.db, lib, ana, { scenario: 'account.password_reset', text: secretMarker, secret: link })
    let answer: { ok: false; retry: boolean; error: string } = { ok: false, retry: true, error: 'throttled' }
    const { transport } = recordingTransport(() => answer)
    const clock = clockNow()

    await dispatcher(transport, clock).run()
    const kept = await handle.db.selectFrom('message_secrets').select('value').where('message_id', '=', id).execute()
    answer = { ok: false, retry: false, error: 'the address was rejected' }
    // The first retry waits a minute, plus up to a fifth of it (the jitter).
    clock.set(new Date(clock.now().getTime() + 72_000).toISOString())
    await dispatcher(transport, clock).run()

    expect(kept).toEqual([{ value: link }])
    expect(await messageRow(handle.db, id)).toMatchObject({ status: 'failed', reason: 'the address was rejected' })
    expect(await handle.db.selectFrom('message_secrets').selectAll().execute()).toEqual([])
  })

  test('a message whose link is no longer held is failed, never sent with the marker in place of the link', async () => {
    const { lib, ana } = await libraryWithPatron()
    const id = await givenQueuedMessage(handle.db, lib, ana, { scenario: 'account.password_reset', text: `Reset: ${secretMarker}`, secret: link })
    await handle.db.deleteFrom('message_secrets').execute()
    const { transport, sent } = recordingTransport()

    await dispatcher(transport).run()

    expect(sent).toEqual([])
    expect(await messageRow(handle.db, id)).toMatchObject({ status: 'failed', reason: 'the reset link is no longer held (it is deleted once used)' })
  })
})

describe('failures', () => {
  test('a failure that may pass is retried after 1, then 5 minutes, and after the last attempt the message is failed with the reason', async () => {
    const { lib, ana } = await libraryWithPatron()
    const id = await givenQueuedMessage(handle.db, lib, ana)
    const { transport, sent } = recordingTransport(() => ({ ok: false, retry: true, error: 'Maximum sending rate exceeded' }))
    const clock = clockNow()
    const start = clock.now().getTime()
    const at = (seconds: number) => clock.set(new Date(start + seconds * 1000).toISOString())
    const run = () => dispatcher(transport, clock, { maxAttempts: 3, retryJitter: 0 }).run()

    await run()
    const afterFirst = await messageRow(handle.db, id)
    at(59)
    const tooEarly = await run()
    at(60)
    await run()
    const afterSecond = await messageRow(handle.db, id)
    at(60 + 300)
    await run()

    expect(afterFirst).toMatchObject({ status: 'queued', attempts: 1, reason: 'Maximum sending rate exceeded', nextAttemptAt: new Date(start + 60_000) })
    expect(tooEarly.claimed).toBe(0)
    expect(afterSecond).toMatchObject({ status: 'queued', attempts: 2, nextAttemptAt: new Date(start + 360_000) })
    expect(await messageRow(handle.db, id)).toMatchObject({ status: 'failed', attempts: 3, reason: 'gave up after 3 attempts: Maximum sending rate exceeded' })
    expect(sent).toHaveLength(3)
  })

  test('messages throttled together come back spread over up to a fifth more of the wait, never sooner', async () => {
    const { lib, ana } = await libraryWithPatron()
    const ids: string[] = []
    for (let n = 0; n < 20; n += 1) ids.push(await givenQueuedMessage(handle.db, lib, ana))
    const { transport } = recordingTransport(() => ({ ok: false, retry: true, error: 'Maximum sending rate exceeded' }))
    const { run, clock } = dispatcher(transport)
    const start = clock.now().getTime()

    await run()

    const waits = await Promise.all(ids.map(async (id) => ((await messageRow(handle.db, id)).nextAttemptAt.getTime() - start) / 1000))
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(60)
    expect(Math.max(...waits)).toBeLessThanOrEqual(72)
    expect(new Set(waits).size).toBeGreaterThan(5)
  })

  test('a permanent failure is recorded failed at once, with its reason', async () => {
    const { lib, ana } = await libraryWithPatron()
    const id = await givenQueuedMessage(handle.db, lib, ana)
    const { transport } = recordingTransport(() => ({ ok: false, retry: false, error: 'Email address is not verified' }))

    const round = await dispatcher(transport).run()

    expect(round).toMatchObject({ failed: 1, retried: 0 })
    expect(await messageRow(handle.db, id)).toMatchObject({ status: 'failed', attempts: 1, reason: 'Email address is not verified' })
  })

  test('a transport that throws is retried like a failure that may pass', async () => {
    const { lib, ana } = await libraryWithPatron()
    const id = await givenQueuedMessage(handle.db, lib, ana)
    const transport: EmailTransport = {
      name: 'file',
      send: async () => {
        throw new Error('socket hang up')
      },
    }

    await dispatcher(transport).run()

    expect(await messageRow(handle.db, id)).toMatchObject({ status: 'queued', attempts: 1, reason: 'socket hang up' })
  })

  test('a message whose senders keep dying mid-send is failed after the last attempt, not claimed forever', async () => {
    const { lib, ana } = await libraryWithPatron()
    const id = await givenQueuedMessage(handle.db, lib, ana)
    const clock = clockNow()
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await claimDueMessages(handle.db, { now: clock.now(), leaseUntil: new Date(clock.now().getTime() + 120_000), limit: 10, maxAttempts: 3 })
      clock.set(new Date(clock.now().getTime() + 121_000).toISOString())
    }
    const { transport, sent } = recordingTransport()

    const round = await dispatcher(transport, clock, { maxAttempts: 3 }).run()

    expect(round).toMatchObject({ claimed: 1, failed: 1 })
    expect(sent).toEqual([])
    expect(await messageRow(handle.db, id)).toMatchObject({ status: 'failed', reason: 'gave up after 3 attempts: the sender stopped while sending it' })
  })
})
