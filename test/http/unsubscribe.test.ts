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
import { planNight } from '../../src/domain/notices/plan-night.ts'
import { type Service, startService } from '../../src/main.ts'
import { type GivenLibrary, type GivenPatron, givenLibrary, testDeps } from '../support/builders.ts'
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

/** The .eml the file transport wrote for a message, parsed, once the dispatcher has sent it. */
async function emlOf(messageId: string): Promise<ParsedMail> {
  const outbox = path.join(dataDir, 'outbox')
  const deadline = Date.now() + 15_000
  for (;;) {
    const name = (await readdir(outbox).catch(() => [] as string[])).find((file) => file.includes(`-${messageId}-`))
    if (name) return simpleParser(await readFile(path.join(outbox, name)))
    if (Date.now() > deadline) throw new Error(`message ${messageId} was not sent`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

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

async function sentTo(lib: GivenLibrary, ana: GivenPatron, contacts: Array<{ id: number; address: string }>, scenario = 'circulation.overdue') {
  const id = await givenQueuedMessage(database.db, lib, ana, {
    scenario: scenario as never,
    recipients: contacts.map((c, index) => ({ kind: index === 0 ? 'to' : 'bcc', address: c.address, contactId: c.id, role: 'guardian' })),
  })
  return emlOf(id)
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

describe('the email and its link', () => {
  test('an overdue notice carries List-Unsubscribe and List-Unsubscribe-Post; password resets and purchase orders carry neither', async () => {
    const { lib, ana, contacts } = await givenPupil(['mum@example.org'])

    const notice = await sentTo(lib, ana, contacts)
    const reset = await sentTo(lib, ana, contacts, 'account.password_reset')
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
    const link = linkIn(await sentTo(lib, ana, contacts))

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
    const link = linkIn(await sentTo(lib, ana, contacts))

    const answer = await oneClick(link)

    expect(answer.status).toBe(200)
    expect(await choicesOf(contacts)).toEqual([{ contactId: contacts[0].id, group: 'overdue', stopped: true }])
    expect(await (await fetch(link)).text()).toContain('You have stopped overdue notices about Ana at this address.')
  })

  test('a tampered or forged link changes nothing: a plain page that says so', async () => {
    const { lib, ana, contacts } = await givenPupil(['mum@example.org'])
    const link = linkIn(await sentTo(lib, ana, contacts))
    const tampered = `${link.slice(0, -1)}${link.endsWith('A') ? 'B' : 'A'}`

    const shown = await fetch(tampered)
    const posted = await oneClick(tampered)
    const forged = await oneClick(`${baseUrl}/unsubscribe/1.AAAAAAAAAAAAAAAAAAAAAA`)

    expect([shown.status, posted.status, forged.status]).toEqual([404, 404, 404])
    expect(await shown.text()).toContain('This link does not work')
    expect(await choicesOf(contacts)).toEqual([])
  })

  test('from an email to two guardians, one-click is refused and the page stops only the address the reader types', async () => {
    const { lib, ana, contacts } = await givenPupil(['mum@example.org', 'dad@example.org'])
    const email = await sentTo(lib, ana, contacts)
    const link = linkIn(email)
    const form = (fields: Record<string, string>) =>
      fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) })

    const refused = await oneClick(link)
    const mistyped = await form({ choice: 'stop', address: 'dda@example.org' })
    const done = await form({ choice: 'stop', address: 'Dad@example.org' })

    expect(headerOf(email, 'list-unsubscribe')).toBe(`List-Unsubscribe: <${link}>`)
    expect(headerOf(email, 'list-unsubscribe-post')).toBeUndefined()
    expect(refused.status).toBe(400)
    expect(mistyped.status).toBe(422)
    expect(await mistyped.text()).toContain('dda@example.org is not an address this email was sent to')
    expect(done.status).toBe(200)
    expect(await done.text()).toContain('will no longer be sent to Dad@example.org')
    expect(await choicesOf(contacts)).toEqual([{ contactId: contacts[1].id, group: 'overdue', stopped: true }])
  })
})

describe.skipIf(!existsSync(chromiumPath))(
  'in a real browser (Debian chromium; skipped only where /usr/bin/chromium is missing: apt-get install chromium)',
  () => {
    test('a parent opens the link from the email, stops overdue notices, and the next night sends them none while reservation notices still come', async () => {
      const { lib, ana } = await givenPupil(['mum@example.org'])
      await setScenario(database.db, lib.id, 'circulation.overdue', { frequency: { every: 'day' } })
      await lib.loan(ana, { dueDate: '2026-03-06', title: 'Dracula' })
      await planNight(testDeps(database), { libraryId: lib.id, asOf: '2026-03-10', dryRun: false, render: listingRender })
      const [first] = await database.db.selectFrom('messages').where('library_id', '=', lib.id).select('id').execute()
      const link = linkIn(await emlOf(String(first.id)))

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
      await planNight(testDeps(database), { libraryId: lib.id, asOf: '2026-03-11', dryRun: false, render: listingRender })

      const night = await emailsOut(database.db, lib.id, { asOf: '2026-03-11' })
      expect(night.filter((line) => line.startsWith('overdue'))).toEqual([`overdue for ${ana.username}: skipped no_contact`])
      expect(night.filter((line) => line.startsWith('expiring'))).toEqual([`expiring for ${ana.username}: to mum@example.org | Emma by 2026-03-12`])
    })
  },
)
