import pino from 'pino'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { dispatchDueMessages } from '../../../src/domain/notices/dispatch.ts'
import { planNight } from '../../../src/domain/notices/plan-night.ts'
import { chooseNotice } from '../../../src/domain/preferences/choose-notice.ts'
import { showUnsubscribe } from '../../../src/domain/preferences/show-unsubscribe.ts'
import { signUnsubscribeToken } from '../../../src/domain/preferences/unsubscribe-token.ts'
import type { OutgoingEmail } from '../../../src/mail/transport.ts'
import { fixedClock, type GivenLibrary, type GivenPatron, givenLibrary, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'
import { emailsOut, listingRender } from '../../support/nights.ts'
import { givenQueuedMessage, recordingTransport } from '../../support/outbox.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())
// The dispatcher serves every library of the database: each test starts with an empty outbox.
beforeEach(async () => {
  await handle.db.deleteFrom('messages').execute()
})

const secret = 'a-test-secret-that-is-long-enough-0123456789'
const unsubscribe = { publicUrl: 'https://library.school.example/', secret }
const clock = fixedClock()
const deps = () => ({ db: handle.db, clock, unsubscribeSecret: secret })

async function sendAll(): Promise<OutgoingEmail[]> {
  const { transport, sent } = recordingTransport()
  // A clock at the real time: messages are queued due at the database's now().
  const now = fixedClock(new Date(Date.now() + 1000).toISOString())
  await dispatchDueMessages({ db: handle.db, clock: now, logger: pino({ level: 'silent' }), transport, fromAddress: 'library@school.example', unsubscribe })
  return sent
}

async function givenPupil(addresses: string[] = ['mum@example.org']) {
  const lib = await givenLibrary(testDeps(handle), { name: 'Riverside Library' })
  const ana = await lib.patron({ username: 'asilva', firstName: 'Ana', lastName: 'Silva' })
  const contacts: Array<{ id: number; address: string }> = []
  for (const address of addresses) contacts.push({ id: await lib.contact(ana, { address }), address })
  return { lib, ana, contacts }
}

function queueTo(lib: GivenLibrary, ana: GivenPatron | null, contacts: Array<{ id: number; address: string }>, scenario = 'circulation.overdue') {
  return givenQueuedMessage(handle.db, lib, ana, {
    scenario: scenario as never,
    recipients: contacts.map((c, index) => ({ kind: index === 0 ? 'to' : 'bcc', address: c.address, contactId: c.id, role: 'guardian' })),
  })
}

const choicesOf = (contacts: Array<{ id: number }>) =>
  handle.db
    .selectFrom('recipient_choices')
    .where(
      'contact_id',
      'in',
      contacts.map((c) => c.id),
    )
    .select(['contact_id', 'notice_group', 'stopped'])
    .execute()

const linkOf = (email: OutgoingEmail) => /<(https:[^>]+)>/.exec(email.headers?.['List-Unsubscribe'] ?? '')?.[1]
const tokenOf = (email: OutgoingEmail) => linkOf(email)!.split('/unsubscribe/')[1]

describe('the way out in each notice', () => {
  test('a notice to one contact offers one-click unsubscribe, and links the page from both parts', async () => {
    const { lib, ana, contacts } = await givenPupil()
    await queueTo(lib, ana, contacts)

    const [email] = await sendAll()

    expect(email.headers).toMatchObject({
      'List-Unsubscribe': expect.stringMatching(/^<https:\/\/library\.school\.example\/unsubscribe\/[1-9][0-9]*\.0\.[A-Za-z0-9_-]{22}>$/),
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    })
    expect(email.text).toContain(`To stop receiving overdue notices by email: ${linkOf(email)}`)
    expect(email.html).toContain(`<a href="${linkOf(email)}"`)
  })

  test('a notice to several people goes as one copy each, with its own one-click link, the Bcc recipient shown to no one', async () => {
    const { lib, ana, contacts } = await givenPupil(['mum@example.org', 'dad@example.org'])
    await queueTo(lib, ana, contacts)

    const sent = await sendAll()

    expect(sent.map((email) => [email.envelopeTo, email.to, email.cc])).toEqual([
      ['mum@example.org', ['mum@example.org'], []],
      ['dad@example.org', ['mum@example.org'], []],
    ])
    for (const email of sent)
      expect(email.headers).toMatchObject({ 'List-Unsubscribe': expect.stringMatching(/^<https:/), 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' })
    expect(new Set(sent.map(linkOf)).size).toBe(2)
  })

  test('password resets, purchase orders and staff test emails carry no unsubscribe header or link', async () => {
    const { lib, ana, contacts } = await givenPupil()
    await queueTo(lib, ana, contacts, 'account.password_reset')
    await queueTo(lib, null, [{ id: contacts[0].id, address: 'orders@supplier.example' }], 'acquisitions.order')
    await givenQueuedMessage(handle.db, lib, null, { subject: '[Test] Overdue', recipients: [{ kind: 'to', address: 'staff@school.example' }] })

    const sent = await sendAll()

    expect(sent).toHaveLength(3)
    for (const email of sent) {
      expect(email.headers ?? {}).not.toHaveProperty('List-Unsubscribe')
      expect(email.text).not.toContain('/unsubscribe/')
    }
  })
})

describe('stopping a kind of notice', () => {
  test('the page names the kind and the patron’s first name, and reading it changes nothing', async () => {
    const { lib, ana, contacts } = await givenPupil()
    await queueTo(lib, ana, contacts)
    const [email] = await sendAll()

    const shown = await showUnsubscribe(deps(), { token: tokenOf(email) })

    expect(shown).toEqual({
      ok: true,
      value: { libraryName: 'Riverside Library', patronFirstName: 'Ana', group: 'overdue', stopped: false },
    })
    expect(await choicesOf(contacts)).toEqual([])
  })

  test('a stopped contact gets no overdue notice the next night while reservations still reach it, and the audit says the recipient chose', async () => {
    const { lib, ana, contacts } = await givenPupil(['mum@example.org'])
    await lib.contact(ana, { address: 'dad@example.org' })
    await queueTo(lib, ana, contacts)
    const [email] = await sendAll()

    const chosen = await chooseNotice(deps(), { token: tokenOf(email), stopped: true, oneClick: true })
    await lib.loan(ana, { dueDate: '2026-03-01', title: 'Dracula' })
    await lib.reservation(ana, { status: 'ready', pickupBy: '2026-03-12', title: 'Emma' })
    await planNight(testDeps(handle), { libraryId: lib.id, asOf: '2026-03-10', dryRun: false, render: listingRender })

    expect(chosen).toMatchObject({ ok: true, value: { stopped: true, changed: true } })
    const out = await emailsOut(handle.db, lib.id, { asOf: '2026-03-10' })
    expect(out.filter((line) => line.startsWith('overdue'))).toEqual([expect.stringMatching(/: to dad@example\.org \| Dracula/)])
    expect(out.filter((line) => line.startsWith('expiring'))).toEqual([
      expect.stringMatching(/mum@example\.org.*dad@example\.org|dad@example\.org.*mum@example\.org/),
    ])
    expect(await lib.auditActions()).toEqual([
      {
        action: 'contact.notices_stopped',
        actor: 'recipient',
        before: null,
        after: null,
        details: { group: 'overdue', messageId: expect.any(String), oneClick: true },
      },
    ])
  })

  test('turning it back on sends it again; asking twice changes and audits nothing more', async () => {
    const { lib, ana, contacts } = await givenPupil()
    await queueTo(lib, ana, contacts)
    const token = tokenOf((await sendAll())[0])

    await chooseNotice(deps(), { token, stopped: true })
    const again = await chooseNotice(deps(), { token, stopped: true })
    const resumed = await chooseNotice(deps(), { token, stopped: false })

    expect(again).toMatchObject({ ok: true, value: { changed: false } })
    expect(resumed).toMatchObject({ ok: true, value: { stopped: false, changed: true } })
    expect((await lib.auditActions()).map((entry) => entry.action)).toEqual(['contact.notices_stopped', 'contact.notices_resumed'])
    expect(await showUnsubscribe(deps(), { token })).toMatchObject({ ok: true, value: { stopped: false } })
  })

  test('from a notice to several people, a one-click POST stops it for the recipient of that copy alone', async () => {
    const { lib, ana, contacts } = await givenPupil(['mum@example.org', 'dad@example.org'])
    await queueTo(lib, ana, contacts)
    const dadsCopy = (await sendAll()).find((email) => email.envelopeTo === 'dad@example.org')!

    const dad = await chooseNotice(deps(), { token: tokenOf(dadsCopy), stopped: true, oneClick: true })

    expect(dad).toMatchObject({ ok: true, value: { stopped: true, changed: true } })
    expect(await choicesOf(contacts)).toEqual([{ contact_id: contacts[1].id, notice_group: 'overdue', stopped: true }])
  })

  test('a forged, tampered or foreign-secret token changes nothing', async () => {
    const { lib, ana, contacts } = await givenPupil()
    const id = await queueTo(lib, ana, contacts)
    const token = tokenOf((await sendAll())[0])
    const last = token.at(-1) === 'A' ? 'B' : 'A'

    for (const forged of [
      `${token.slice(0, -1)}${last}`,
      `${Number(id) + 1}.${token.split('.').slice(1).join('.')}`,
      `${id}.1.${token.split('.')[2]}`,
      signUnsubscribeToken('another-secret-that-is-long-enough-0123456789', { messageId: id, recipientPosition: 0 }),
      'not-a-token',
      `${token}x`,
    ]) {
      expect(await chooseNotice(deps(), { token: forged, stopped: true, oneClick: true })).toEqual({ ok: false, error: { code: 'invalid_link' } })
      expect(await showUnsubscribe(deps(), { token: forged })).toEqual({ ok: false, error: { code: 'invalid_link' } })
    }
    expect(await choicesOf(contacts)).toEqual([])
  })
})
