import { sql } from 'kysely'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { dispatchDueMessages } from '../../../src/domain/notices/dispatch.ts'
import { secretMarker } from '../../../src/domain/notices/outbox.ts'
import { fixedClock, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'
import { givenQueuedMessage, recordingTransport } from '../../support/outbox.ts'
import { type GivenApiLibrary, givenApiLibrary, problemOf } from './given-api.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

type Message = {
  id: string
  scenario: string
  username: string | null
  to: string[]
  cc: string[]
  bcc: string[]
  subject: string
  status: string
  reason: string | null
  loans: Array<{ title: string; barcode: string; dueDate: string }>
  reservation: { title: string; barcode: string; pickupBy: string | null } | null
  plannedAt: string
  sentAt: string | null
}
type Page = { messages: Message[]; nextCursor: string | null }

const readLog = (lib: GivenApiLibrary, query = '') => lib.send('GET', `/api/v1/messages${query}`)
const pageOf = async (response: Response) => {
  expect(response.status).toBe(200)
  return (await response.json()) as Page
}

/** When a message was planned: the log is ordered and filtered by it. */
const plannedAt = (id: string, at: string) => sql`update messages set planned_at = ${new Date(at)} where id = ${id}`.execute(handle.db)

/** Ana's overdue notice, sent; Ben's reservation notice, queued; a notice for Ana that could reach no one. */
async function libraryWithALog() {
  const deps = testDeps(handle)
  const lib = await givenApiLibrary(deps) // Australia/Sydney: UTC+11 in March
  const ana = await lib.patron({ username: 'asilva' })
  const ben = await lib.patron({ username: 'bchen' })
  const hobbit = await lib.loan(ana, { dueDate: '2026-02-27', title: 'The Hobbit', barcode: 'B000101' })
  const dune = await lib.loan(ana, { dueDate: '2026-02-20', title: 'Dune', barcode: 'B000102' })
  const reservation = await lib.reservation(ben, { status: 'ready', pickupBy: '2026-03-06', title: 'Matilda' })
  const overdue = await givenQueuedMessage(handle.db, lib, ana, {
    subject: 'Ana has 2 overdue loans',
    loanIds: [hobbit.id, dune.id],
    recipients: [
      { kind: 'to', address: 'Mum@Example.org' },
      { kind: 'cc', address: 'teacher@school.example' },
      { kind: 'bcc', address: 'dad@example.org' },
    ],
  })
  await handle.db
    .updateTable('messages')
    .set({ status: 'sent', sent_at: new Date('2026-03-01T15:00:05Z') })
    .where('id', '=', overdue)
    .execute()
  // Each recipient's copy sent, as the dispatcher records it.
  await sql`update message_recipients set sent_at = ${new Date('2026-03-01T15:00:05Z')} where message_id = ${overdue}`.execute(handle.db)
  // What SES said of two of its three recipients.
  await sql`update message_recipients set delivery = 'delivered', delivery_at = ${new Date('2026-03-01T15:00:07Z')}
             where message_id = ${overdue} and address = 'Mum@Example.org'`.execute(handle.db)
  await sql`update message_recipients set delivery = 'bounced', delivery_detail = 'Permanent (General): 550 5.1.1 user unknown',
                    delivery_at = ${new Date('2026-03-01T15:00:09Z')}
             where message_id = ${overdue} and address = 'dad@example.org'`.execute(handle.db)
  await plannedAt(overdue, '2026-03-01T15:00:00Z') // 02:00 on 2 March in Sydney
  const ready = await givenQueuedMessage(handle.db, lib, ben, {
    scenario: 'reservation.ready',
    subject: 'Matilda is ready for you',
    reservationId: reservation.id,
    recipients: [{ kind: 'to', address: 'ben.parent@example.org' }],
  })
  await plannedAt(ready, '2026-03-02T23:30:00Z') // 10:30 on 3 March
  const nobody = await givenQueuedMessage(handle.db, lib, ana, {
    scenario: 'circulation.pre_overdue',
    subject: 'Due soon',
    status: 'skipped',
    reason: 'no_contact',
    recipients: [],
  })
  await plannedAt(nobody, '2026-03-03T15:00:00Z') // 02:00 on 4 March
  return { lib, overdue, ready, nobody }
}

describe('GET /api/v1/messages', () => {
  test('a staff key reads the log newest first: to whom, what became of each recipient, the loans or reservation it concerns, and why one was skipped', async () => {
    const { lib, overdue, ready, nobody } = await libraryWithALog()

    const page = await pageOf(await readLog(lib))

    expect(page.nextCursor).toBeNull()
    expect(page.messages).toEqual([
      expect.objectContaining({ id: nobody, scenario: 'circulation.pre_overdue', username: 'asilva', to: [], status: 'skipped', reason: 'no_contact' }),
      expect.objectContaining({
        id: ready,
        scenario: 'reservation.ready',
        username: 'bchen',
        to: ['ben.parent@example.org'],
        status: 'queued',
        loans: [],
        reservation: { title: 'Matilda', barcode: expect.any(String), pickupBy: '2026-03-06' },
        sentAt: null,
      }),
      {
        id: overdue,
        scenario: 'circulation.overdue',
        username: 'asilva',
        patronEnabled: true,
        supplier: null,
        to: ['Mum@Example.org'],
        cc: ['teacher@school.example'],
        bcc: ['dad@example.org'],
        recipients: [
          { kind: 'to', address: 'Mum@Example.org', delivery: 'delivered', detail: null, at: '2026-03-01T15:00:07.000Z', sentAt: '2026-03-01T15:00:05.000Z' },
          { kind: 'cc', address: 'teacher@school.example', delivery: null, detail: null, at: null, sentAt: '2026-03-01T15:00:05.000Z' },
          {
            kind: 'bcc',
            address: 'dad@example.org',
            delivery: 'bounced',
            detail: 'Permanent (General): 550 5.1.1 user unknown',
            at: '2026-03-01T15:00:09.000Z',
            sentAt: '2026-03-01T15:00:05.000Z',
          },
        ],
        subject: 'Ana has 2 overdue loans',
        status: 'sent',
        reason: null,
        loans: [
          { title: 'Dune', barcode: 'B000102', dueDate: '2026-02-20' },
          { title: 'The Hobbit', barcode: 'B000101', dueDate: '2026-02-27' },
        ],
        reservation: null,
        requestedBy: null,
        plannedAt: '2026-03-01T15:00:00.000Z',
        sentAt: '2026-03-01T15:00:05.000Z',
      },
    ])
  })

  test('a deactivated patron’s messages say so (patronEnabled false); a purged patron’s keep no patron and no address (null)', async () => {
    const { lib, overdue, ready } = await libraryWithALog()
    await handle.db.updateTable('patrons').set({ is_enabled: false }).where('library_id', '=', lib.id).where('username', '=', 'asilva').execute()
    // As the purge leaves a message: its addresses removed, then the patron gone (migration 0018).
    await handle.db.updateTable('message_recipients').set({ address: null }).where('message_id', '=', ready).execute()
    await handle.db.deleteFrom('patrons').where('library_id', '=', lib.id).where('username', '=', 'bchen').execute()

    const page = await pageOf(await readLog(lib))

    const byId = new Map(page.messages.map((message: any) => [message.id, message]))
    expect(byId.get(overdue)).toMatchObject({ username: 'asilva', patronEnabled: false, to: ['Mum@Example.org'] })
    expect(byId.get(ready)).toMatchObject({
      username: null,
      patronEnabled: null,
      to: [null],
      recipients: [{ kind: 'to', address: null, delivery: null }],
      subject: 'Matilda is ready for you',
      status: 'queued',
    })
  })

  test('nextCursor pages through the log, one message at a time, to the last page', async () => {
    const { lib, overdue, ready, nobody } = await libraryWithALog()

    const pages = [await pageOf(await readLog(lib, '?limit=1'))]
    while (pages.at(-1)!.nextCursor !== null) pages.push(await pageOf(await readLog(lib, `?limit=1&cursor=${pages.at(-1)!.nextCursor}`)))

    expect(pages.map((page) => page.messages.map((m) => m.id))).toEqual([[nobody], [ready], [overdue]])
  })

  test("the filters combine: a patron, a scenario, a status, an address in any case, and days in the library's time zone", async () => {
    const { lib, overdue, ready, nobody } = await libraryWithALog()
    const ids = async (query: string) => (await pageOf(await readLog(lib, query))).messages.map((m) => m.id)

    expect(await ids('?username=ASILVA')).toEqual([nobody, overdue])
    expect(await ids('?username=asilva&scenario=circulation.overdue')).toEqual([overdue])
    expect(await ids('?status=queued')).toEqual([ready])
    expect(await ids('?address=mum@example.org')).toEqual([overdue])
    expect(await ids('?address=dad@example.org')).toEqual([overdue])
    expect(await ids('?from=2026-03-02&to=2026-03-03')).toEqual([ready, overdue])
    expect(await ids('?from=2026-03-03')).toEqual([nobody, ready])
    expect(await ids('?to=2026-03-01')).toEqual([])
  })

  test('a password-reset link shows nowhere: not before it is sent, nor after', async () => {
    const deps = testDeps(handle)
    const lib = await givenApiLibrary(deps)
    const ana = await lib.patron({ username: 'asilva' })
    const link = 'https://opac.school.example/reset?token=6f1c0ffee'
    await givenQueuedMessage(handle.db, lib, ana, {
      scenario: 'account.password_reset',
      subject: 'Reset your library password',
      text: `Choose a new password: ${secretMarker}`,
      html: `<a href="${secretMarker}">Choose a new password</a>`,
      secret: link,
      recipients: [{ kind: 'to', address: 'ana@school.example' }],
    })

    const before = await (await readLog(lib, '?scenario=account.password_reset')).text()
    const { transport, sent } = recordingTransport()
    await dispatchDueMessages({
      ...deps,
      clock: fixedClock(new Date(Date.now() + 1000).toISOString()),
      logger: pino({ level: 'silent' }),
      transport,
      fromAddress: 'x@localhost',
    })
    const after = await (await readLog(lib, '?scenario=account.password_reset')).text()

    // The dispatcher serves every library: the other tests' messages went too.
    expect(sent.filter((email) => email.tags?.scenario === 'account.password_reset').map((email) => email.text)).toEqual([`Choose a new password: ${link}`])
    expect(JSON.parse(after).messages[0]).toMatchObject({ status: 'sent', subject: 'Reset your library password', to: ['ana@school.example'] })
    for (const answer of [before, after]) expect(answer).not.toContain('6f1c0ffee')
  })

  test('a key sees its own library’s messages only', async () => {
    const { overdue } = await libraryWithALog()
    const other = await givenApiLibrary(testDeps(handle))

    const page = await pageOf(await readLog(other))

    expect(page.messages.map((m) => m.id)).not.toContain(overdue)
    expect(page.messages).toEqual([])
  })

  test('bad filters are a 422 naming each parameter, and an unknown username is named too', async () => {
    const { lib } = await libraryWithALog()

    const bad = await problemOf(await readLog(lib, '?status=lost&scenario=overdue&from=yesterday&limit=0&address=mum&cursor=xyz'), 422)
    const unknown = await problemOf(await readLog(lib, '?username=nobody'), 422)
    const unexpected = await problemOf(await readLog(lib, '?patron=asilva'), 422)

    expect(bad.errors).toEqual([
      { parameter: 'from', detail: '"yesterday" is not a date such as 2026-03-01, nor an instant such as 2026-03-01T08:00:00Z' },
      { parameter: 'scenario', detail: '"overdue" is not a scenario such as circulation.overdue' },
      { parameter: 'status', detail: '"lost" is not one of queued, sending, sent, skipped, failed' },
      { parameter: 'address', detail: '"mum" is not an email address' },
      { parameter: 'cursor', detail: 'This is not a nextCursor this log gave; start again without it' },
      { parameter: 'limit', detail: 'Give a whole number from 1 to 500' },
    ])
    expect(unknown.errors).toEqual([{ parameter: 'username', detail: 'No patron with username "nobody" in this library' }])
    expect(unexpected.errors).toEqual([{ parameter: 'patron', detail: '"patron" is not a known parameter' }])
  })
})
