import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { type ParsedMail, simpleParser } from 'mailparser'
import pino from 'pino'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { loadConfig } from '../../src/config.ts'
import type { DatabaseHandle } from '../../src/db/database.ts'
import { createApiKey } from '../../src/domain/api-keys/create-api-key.ts'
import { planNight } from '../../src/domain/notices/plan-night.ts'
import { cliActor } from '../../src/domain/staff/actors.ts'
import { type Service, startService } from '../../src/main.ts'
import { fixedClock, type GivenLibrary, type GivenPatron, givenLibrary, testDeps } from '../support/builders.ts'
import { openTestDatabase } from '../support/database.ts'
import { emailsOut, listingRender, setScenario } from '../support/nights.ts'
import { givenQueuedMessage } from '../support/outbox.ts'

// Debian's chromium (`apt-get install chromium`; .ci/run installs it): playwright-core drives it,
// and never downloads a browser of its own.
const chromiumPath = '/usr/bin/chromium'

let database: DatabaseHandle
let service: Service
let dataDir: string
let baseUrl: string

beforeAll(async () => {
  database = await openTestDatabase()
  dataDir = await mkdtemp(path.join(tmpdir(), 'lc-unsubscribe-'))
  // PUBLIC_URL must name the port the service listens on: the links in the .eml files point there.
  const port = await freePort()
  baseUrl = `http://127.0.0.1:${port}`
  const config = loadConfig({
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    PUBLIC_URL: baseUrl,
    UNSUBSCRIBE_SECRET: 's'.repeat(40),
  })
  service = await startService(config, { database, logger: pino({ level: 'silent' }), nightly: false })
})
afterAll(async () => {
  await service?.stop()
  await database?.close()
  await rm(dataDir, { recursive: true, force: true })
})

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** The .eml files the file transport wrote for a message, one per recipient in its order, parsed, once the dispatcher has sent them all. */
async function emlsOf(messageId: string, copies = 1): Promise<ParsedMail[]> {
  const outbox = path.join(dataDir, 'outbox')
  const deadline = Date.now() + 15_000
  for (;;) {
    const names = (await readdir(outbox).catch(() => [] as string[])).filter((file) => /^[^-]+-[^-]+-[^-]+-(\d+)-(\d+)-/.exec(file)?.[1] === messageId)
    if (names.length >= copies) {
      const byCopy = names.toSorted((a, b) => Number(a.split('-')[4]) - Number(b.split('-')[4]))
      return Promise.all(byCopy.map(async (name) => simpleParser(await readFile(path.join(outbox, name)))))
    }
    if (Date.now() > deadline) throw new Error(`message ${messageId} was not sent`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const emlOf = async (messageId: string) => (await emlsOf(messageId))[0]

/** Whom a copy was delivered to (the file transport's stand-in for the envelope). */
const envelopeOf = (email: ParsedMail) => email.headers.get('x-library-comms-envelope-to')

/** A header as the .eml holds it, unfolded (mailparser merges List-* headers into one object). */
const headerOf = (email: ParsedMail, key: string) => email.headerLines.find((h) => h.key === key)?.line.replace(/\r?\n\s+/g, ' ')

/** The link in the email's HTML part, as a reader clicks it. */
const linkIn = (email: ParsedMail) => /href="([^"]*\/unsubscribe\/[^"]+)"/.exec(String(email.html))?.[1] ?? ''

async function givenPupil(addresses: string[]) {
  const lib = await givenLibrary(testDeps(database), { name: 'Riverside Library' })
  const ana = await lib.patron({ username: `ana${Math.random().toString(36).slice(2, 8)}`, firstName: 'Ana', lastName: 'Silva' })
  const contacts: Array<{ id: number; address: string }> = []
  for (const address of addresses) contacts.push({ id: await lib.contact(ana, { address }), address })
  return { lib, ana, contacts }
}

/** A notice to the contacts (the first in To, the others in Bcc), once sent: each recipient's copy, in order. */
async function sentTo(lib: GivenLibrary, ana: GivenPatron, contacts: Array<{ id: number; address: string }>, scenario = 'circulation.overdue') {
  const id = await givenQueuedMessage(database.db, lib, ana, {
    scenario: scenario as never,
    recipients: contacts.map((c, index) => ({ kind: index === 0 ? 'to' : 'bcc', address: c.address, contactId: c.id, role: 'guardian' })),
  })
  return emlsOf(id, contacts.length)
}

const choicesOf = (contacts: Array<{ id: number }>) =>
  database.db
    .selectFrom('recipient_choices')
    .where(
      'contact_id',
      'in',
      contacts.map((c) => c.id),
    )
    .select(['contact_id as contactId', 'notice_group as group', 'stopped'])
    .execute()

const oneClick = (url: string) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' })

/** The library system changes a contact's address through the API, as staff's tools do. */
async function changeAddress(lib: GivenLibrary, contactId: number, address: string) {
  const created = await createApiKey(testDeps(database), { libraryId: lib.id, name: 'Student system', actor: cliActor })
  if (!created.ok) throw new Error(`no API key: ${created.error.code}`)
  const answer = await fetch(`${baseUrl}/api/v1/contacts/${contactId}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${created.value.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ address }),
  })
  expect(answer.status).toBe(200)
}

describe('the email and its link', () => {
  test('an overdue notice carries List-Unsubscribe and List-Unsubscribe-Post; password resets and purchase orders carry neither', async () => {
    const { lib, ana, contacts } = await givenPupil(['mum@example.org'])

    const [notice] = await sentTo(lib, ana, contacts)
    const [reset] = await sentTo(lib, ana, contacts, 'account.password_reset')
    const order = await emlOf(
      await givenQueuedMessage(database.db, lib, null, { scenario: 'acquisitions.order', recipients: [{ kind: 'to', address: 'orders@supplier.example' }] }),
    )

    expect(headerOf(notice, 'list-unsubscribe')).toBe(`List-Unsubscribe: <${linkIn(notice)}>`)
    expect(headerOf(notice, 'list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click')
    expect(linkIn(notice).startsWith(`${baseUrl}/unsubscribe/`)).toBe(true)
    expect(notice.text).toContain(linkIn(notice))
    for (const email of [reset, order]) {
      expect(email.headerLines.map((h) => h.key)).not.toContain('list-unsubscribe')
      expect(email.headerLines.map((h) => h.key)).not.toContain('list-unsubscribe-post')
      expect(String(email.html)).not.toContain('/unsubscribe/')
    }
  })

  test('opening the link changes nothing, however often (mail scanners open links)', async () => {
    const { lib, ana, contacts } = await givenPupil(['mum@example.org'])
    const link = linkIn((await sentTo(lib, ana, contacts))[0])

    const first = await fetch(link)
    const second = await fetch(link)

    expect([first.status, second.status]).toEqual([200, 200])
    const page = await first.text()
    expect(page).toContain('<html lang="en">')
    expect(page).toContain('Overdue notices about Ana')
    expect(page).not.toContain('Silva')
    expect(page).not.toContain('mum@example.org')
    expect(first.headers.get('referrer-policy')).toBe('no-referrer')
    expect(await choicesOf(contacts)).toEqual([])
  })

  test('the mail client’s one-click POST stops the notice for that contact, and the page then says so', async () => {
    const { lib, ana, contacts } = await givenPupil(['mum@example.org'])
    const link = linkIn((await sentTo(lib, ana, contacts))[0])

    const answer = await oneClick(link)

    expect(answer.status).toBe(200)
    expect(await choicesOf(contacts)).toEqual([{ contactId: contacts[0].id, group: 'overdue', stopped: true }])
    expect(await (await fetch(link)).text()).toContain('You have stopped overdue notices about Ana at this address.')
  })

  test('a tampered or forged link changes nothing: a plain page that says so', async () => {
    const { lib, ana, contacts } = await givenPupil(['mum@example.org'])
    const link = linkIn((await sentTo(lib, ana, contacts))[0])
    const tampered = `${link.slice(0, -1)}${link.endsWith('A') ? 'B' : 'A'}`

    const shown = await fetch(tampered)
    const posted = await oneClick(tampered)
    const forged = await oneClick(`${baseUrl}/unsubscribe/1.0.AAAAAAAAAAAAAAAAAAAAAA`)

    expect([shown.status, posted.status, forged.status]).toEqual([404, 404, 404])
    expect(await shown.text()).toContain('This link does not work')
    expect(await choicesOf(contacts)).toEqual([])
  })

  test('a link from an email sent to an old address no longer applies once the contact has a new one: the new holder’s notices keep coming', async () => {
    const { lib, ana, contacts } = await givenPupil(['old.person@example.org'])
    const link = linkIn((await sentTo(lib, ana, contacts))[0])
    await changeAddress(lib, contacts[0].id, 'new.person@example.org')

    const shown = await fetch(link)
    const posted = await oneClick(link)
    const chosen = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'choice=stop' })

    expect([shown.status, posted.status, chosen.status]).toEqual([410, 404, 410])
    expect(await shown.text()).toContain('This link no longer applies')
    expect(await posted.text()).toContain('This link does not work')
    expect(await chosen.text()).toContain('Nothing was changed.')
    expect(await choicesOf(contacts)).toEqual([])
  })

  test('a contact whose address only changes case keeps its link and its stop', async () => {
    const { lib, ana, contacts } = await givenPupil(['mum@example.org'])
    const link = linkIn((await sentTo(lib, ana, contacts))[0])
    await oneClick(link)
    await changeAddress(lib, contacts[0].id, 'Mum@Example.org')

    const page = await (await fetch(link)).text()

    expect(page).toContain('You have stopped overdue notices about Ana at this address.')
    expect(await choicesOf(contacts)).toEqual([{ contactId: contacts[0].id, group: 'overdue', stopped: true }])
  })

  test('when staff give a contact a new address, the old address’s stop goes with it: notices reach the new one', async () => {
    const { lib, ana, contacts } = await givenPupil(['old.person@example.org'])
    await oneClick(linkIn((await sentTo(lib, ana, contacts))[0]))

    await changeAddress(lib, contacts[0].id, 'new.person@example.org')

    expect(await choicesOf(contacts)).toEqual([])
  })

  test('a one-click POST sent as multipart/form-data stops the notice, as RFC 8058 allows', async () => {
    const { lib, ana, contacts } = await givenPupil(['mum@example.org'])
    const link = linkIn((await sentTo(lib, ana, contacts))[0])
    const form = new FormData()
    form.set('List-Unsubscribe', 'One-Click')

    const answer = await fetch(link, { method: 'POST', body: form })

    expect(answer.status).toBe(200)
    expect(await choicesOf(contacts)).toEqual([{ contactId: contacts[0].id, group: 'overdue', stopped: true }])
  })

  test('a POST that chooses nothing says what is missing, changes nothing, and a form over 4 KB is refused', async () => {
    const { lib, ana, contacts } = await givenPupil(['mum@example.org'])
    const link = linkIn((await sentTo(lib, ana, contacts))[0])
    const large = new FormData()
    large.set('List-Unsubscribe', 'One-Click')
    large.set('padding', 'x'.repeat(5_000))

    const empty = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' })
    const tooLarge = await fetch(link, { method: 'POST', body: large })
    const broken = await fetch(link, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: 'not a multipart body' })

    expect([empty.status, tooLarge.status, broken.status]).toEqual([400, 413, 400])
    const page = await empty.text()
    expect(page).toContain('Nothing was chosen')
    expect(page).not.toContain('This link does not work')
    expect(await broken.text()).toContain('The form could not be read')
    expect(await choicesOf(contacts)).toEqual([])
  })

  test('a notice to two guardians is a copy each, each with its own one-click link: the guardian who clicks stops only their own', async () => {
    const { lib, ana, contacts } = await givenPupil(['mum@example.org', 'dad@example.org'])
    const [mums, dads] = await sentTo(lib, ana, contacts)

    const answer = await oneClick(linkIn(dads))

    expect([envelopeOf(mums), envelopeOf(dads)]).toEqual(['mum@example.org', 'dad@example.org'])
    for (const copy of [mums, dads]) {
      expect(headerOf(copy, 'list-unsubscribe')).toBe(`List-Unsubscribe: <${linkIn(copy)}>`)
      expect(headerOf(copy, 'list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click')
      expect(headerOf(copy, 'to')).toBe('To: mum@example.org')
      expect(headerOf(copy, 'bcc')).toBeUndefined()
    }
    expect(linkIn(mums)).not.toBe(linkIn(dads))
    expect(answer.status).toBe(200)
    expect(await choicesOf(contacts)).toEqual([{ contactId: contacts[1].id, group: 'overdue', stopped: true }])
    expect(await (await fetch(linkIn(mums))).text()).not.toContain('You have stopped')
  })
})

describe.skipIf(!existsSync(chromiumPath))(
  'in a real browser (Debian chromium; skipped only where /usr/bin/chromium is missing: apt-get install chromium)',
  () => {
    test('of two guardians, one opens the link from her copy and stops overdue notices: the next night they go to the other alone, and reservation notices still reach her', async () => {
      const { lib, ana } = await givenPupil(['mum@example.org', 'dad@example.org'])
      await setScenario(database.db, lib.id, 'circulation.overdue', { frequency: { every: 'day' } })
      await lib.loan(ana, { dueDate: '2026-03-06', title: 'Dracula' })
      await planNight(testDeps(database), { libraryId: lib.id, asOf: '2026-03-10', dryRun: false, render: listingRender })
      const [first] = await database.db.selectFrom('messages').where('library_id', '=', lib.id).select('id').execute()
      const link = linkIn((await emlsOf(String(first.id), 2)).find((copy) => envelopeOf(copy) === 'mum@example.org')!)

      const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] })
      try {
        const page = await browser.newPage({ viewport: { width: 375, height: 700 } })
        await page.goto(link)
        await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Overdue notices about Ana')
        await page.getByRole('button', { name: 'Stop overdue notices' }).click()
        await expect.poll(() => page.getByRole('status').textContent()).toBe('Done: overdue notices about Ana will no longer be sent to your address.')
        expect(await page.getByRole('button', { name: 'Turn overdue notices back on' }).isVisible()).toBe(true)
        if (process.env.UNSUBSCRIBE_SCREENSHOT) await page.screenshot({ path: process.env.UNSUBSCRIBE_SCREENSHOT, fullPage: true })
      } finally {
        await browser.close()
      }

      await lib.reservation(ana, { status: 'ready', pickupBy: '2026-03-12', title: 'Emma' })
      await planNight(
        { ...testDeps(database), clock: fixedClock('2026-03-11T12:00:00Z') },
        { libraryId: lib.id, asOf: '2026-03-11', dryRun: false, render: listingRender },
      )

      const night = await emailsOut(database.db, lib.id, { asOf: '2026-03-11' })
      const overdue = night.filter((line) => line.startsWith('overdue'))
      expect(overdue).toEqual([expect.stringContaining('dad@example.org')])
      expect(overdue.join()).not.toContain('mum@example.org')
      expect(night.filter((line) => line.startsWith('expiring'))).toEqual([expect.stringMatching(/mum@example\.org/)])
    })
  },
)
