import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type AddressObject, simpleParser } from 'mailparser'
import pino from 'pino'
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../src/db/database.ts'
import { dispatchDueMessages } from '../../src/domain/notices/dispatch.ts'
import { createFileTransport } from '../../src/mail/file-transport.ts'
import { fixedClock, givenLibrary } from '../support/builders.ts'
import { openTestDatabase } from '../support/database.ts'
import { givenQueuedMessage, messageRow } from '../support/outbox.ts'

let handle: DatabaseHandle
let dataDir: string
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())
beforeEach(async () => {
  await handle.db.deleteFrom('messages').execute()
  dataDir = await mkdtemp(join(tmpdir(), 'lc-outbox-'))
})
afterEach(async () => rm(dataDir, { recursive: true, force: true }))

// The dispatcher's clock, on a whole second, just after the rows were queued (they are due at now()).
const sendingAt = () => fixedClock(new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000).toISOString())

async function dispatchToFiles(clock = sendingAt()) {
  const outbox = join(dataDir, 'outbox')
  const transport = createFileTransport({ directory: outbox, clock })
  const deps = { db: handle.db, clock, logger: pino({ level: 'silent' }), transport, fromAddress: 'library@school.example' }
  const round = await dispatchDueMessages(deps)
  return { round, outbox, clock }
}

/** A library whose sender name and a guardian's name need encoding in headers. */
async function givenOverdueNotice() {
  const lib = await givenLibrary({ db: handle.db } as never)
  await handle.db.updateTable('libraries').set({ sender_name: 'Bibliothèque Côté', reply_to: 'librarian@school.example' }).where('id', '=', lib.id).execute()
  const zoe = await lib.patron({ username: 'zoe', firstName: 'Zoë' })
  const id = await givenQueuedMessage(handle.db, lib, zoe, {
    subject: 'Zoë’s loans are overdue — “Le Petit Prince”',
    text: 'Dear Mrs Côté,\n\nZoë has 1 overdue loan:\n- Le Petit Prince (B000123), due Monday 2 March 2026\n',
    html: '<p>Dear Mrs Côté,</p><p>Zoë has 1 overdue loan:</p><ul><li><b>Le Petit Prince</b> (B000123), due Monday 2 March 2026</li></ul>',
    recipients: [
      { kind: 'to', address: 'cote@example.org' },
      { kind: 'cc', address: 'teacher@school.example' },
      { kind: 'bcc', address: 'grandma@example.org' },
    ],
  })
  return { lib, id }
}

const addresses = (header: AddressObject | AddressObject[] | undefined) =>
  [header ?? []].flat().flatMap((object) => object.value.map((a) => (a.name ? `${a.name} <${a.address}>` : a.address)))

test('each recipient’s copy is an .eml file in DATA_DIR/outbox, named by when it was written, the message id, which recipient and the scenario, readable by the service alone', async () => {
  const { id } = await givenOverdueNotice()

  const { outbox, clock } = await dispatchToFiles()

  const stamp = clock
    .now()
    .toISOString()
    .replace(/\.000Z$/, 'Z')
    .replace(/:/g, '')
  const names = [1, 2, 3].map((n) => `${stamp}-${id}-${n}-circulation.overdue.eml`)
  expect(await readdir(outbox)).toEqual(names)
  for (const name of names) expect((await stat(join(outbox, name))).mode & 0o777).toBe(0o600)
  expect((await stat(outbox)).mode & 0o777).toBe(0o700)
  expect(await messageRow(handle.db, id)).toMatchObject({ status: 'sent', transportId: names[0] })
})

test('a copy parses back as the email its recipient sees: encoded headers, no Bcc, whom it is for, and both parts in UTF-8', async () => {
  const { lib, id } = await givenOverdueNotice()
  const { outbox } = await dispatchToFiles()
  const [name] = await readdir(outbox)
  const raw = await readFile(join(outbox, name))

  const email = await simpleParser(raw)

  expect(addresses(email.from)).toEqual(['Bibliothèque Côté <library@school.example>'])
  expect(addresses(email.to)).toEqual(['cote@example.org'])
  expect(addresses(email.cc)).toEqual(['teacher@school.example'])
  expect(email.bcc).toBeUndefined()
  expect(email.headers.get('x-library-comms-envelope-to')).toBe('cote@example.org')
  expect(addresses(email.replyTo)).toEqual(['librarian@school.example'])
  expect(email.subject).toBe('Zoë’s loans are overdue — “Le Petit Prince”')
  expect(email.messageId).toBe(`<library-comms.${id}.1@school.example>`)
  expect(email.headers.get('x-library-comms-message-id')).toBe(id)
  expect(email.headers.get('x-library-comms-scenario')).toBe('circulation.overdue')
  expect(email.headers.get('x-library-comms-library')).toBe(String(lib.id))
  expect((email.headers.get('content-type') as { value: string }).value).toBe('multipart/alternative')
  expect(email.text).toBe('Dear Mrs Côté,\n\nZoë has 1 overdue loan:\n- Le Petit Prince (B000123), due Monday 2 March 2026\n')
  expect(email.html).toBe('<p>Dear Mrs Côté,</p><p>Zoë has 1 overdue loan:</p><ul><li><b>Le Petit Prince</b> (B000123), due Monday 2 March 2026</li></ul>')
  // RFC 5322: lines end in CRLF, and headers are 7-bit (non-ASCII text is encoded).
  const [head] = raw.toString('latin1').split('\r\n\r\n')
  expect(head).toMatch(/^[\x20-\x7e\r\n\t]+$/)
  expect(raw.toString('latin1')).not.toMatch(/[^\r]\n/)
})

test('a message sent again (its sender died before recording it) has none of its copies written twice', async () => {
  const { id } = await givenOverdueNotice()
  const first = await dispatchToFiles()
  // As if the send was never recorded: the message is due again.
  await handle.db
    .updateTable('messages')
    .set({ status: 'queued', next_attempt_at: new Date(0) })
    .where('id', '=', id)
    .execute()

  const later = sendingAt()
  later.set(new Date(first.clock.now().getTime() + 60_000).toISOString())
  const second = await dispatchToFiles(later)

  expect(second.round.sent).toBe(1)
  const files = await readdir(first.outbox)
  expect(files).toHaveLength(3)
  expect(await messageRow(handle.db, id)).toMatchObject({ status: 'sent', transportId: files[0] })
})

test('a half-written file an earlier run left (it died writing) is cleared away, and never shows as an email', async () => {
  await givenOverdueNotice()
  const outbox = join(dataDir, 'outbox')
  await mkdir(outbox, { mode: 0o700 })
  await writeFile(join(outbox, '.0123456789ab.tmp'), 'From: half a')

  await dispatchToFiles()

  const files = await readdir(outbox)
  expect(files).toHaveLength(3)
  for (const file of files) expect(file).toMatch(/\.eml$/)
})

test('an outbox directory the service cannot write to leaves the message queued for a retry', async () => {
  const { id } = await givenOverdueNotice()
  // A file where the directory should be: nothing can be written under it.
  await writeFile(join(dataDir, 'outbox'), 'not a directory')

  const { round } = await dispatchToFiles()

  expect(round.retried).toBe(1)
  expect(await messageRow(handle.db, id)).toMatchObject({ status: 'queued', reason: expect.stringContaining('could not write to the outbox directory') })
})

test('a notice to To and Bcc is two .eml files: the Bcc copy shows no Bcc header, and each has its own one-click unsubscribe', async () => {
  const lib = await givenLibrary({ db: handle.db } as never)
  const ana = await lib.patron({ username: 'asilva', firstName: 'Ana' })
  const mum = await lib.contact(ana, { address: 'mum@example.org' })
  const dad = await lib.contact(ana, { address: 'dad@example.org' })
  const id = await givenQueuedMessage(handle.db, lib, ana, {
    recipients: [
      { kind: 'to', address: 'mum@example.org', contactId: mum, role: 'guardian' },
      { kind: 'bcc', address: 'dad@example.org', contactId: dad, role: 'guardian' },
    ],
  })
  const clock = sendingAt()
  const outbox = join(dataDir, 'outbox')
  const transport = createFileTransport({ directory: outbox, clock })
  const unsubscribe = { publicUrl: 'https://library.school.example', secret: 'a-test-secret-that-is-long-enough-0123456789' }
  await dispatchDueMessages({ db: handle.db, clock, logger: pino({ level: 'silent' }), transport, fromAddress: 'library@school.example', unsubscribe })

  const files = await readdir(outbox)
  expect(files).toEqual([expect.stringMatching(`-${id}-1-circulation\\.overdue\\.eml$`), expect.stringMatching(`-${id}-2-circulation\\.overdue\\.eml$`)])
  const copies = await Promise.all(files.map(async (file) => (await readFile(join(outbox, file))).toString('latin1')))
  // A long header is folded onto the next line (RFC 5322): \s+ reads across the fold.
  const links = copies.map((raw) => /^List-Unsubscribe:\s+<(https:\/\/library\.school\.example\/unsubscribe\/[^>]+)>\r$/m.exec(raw)?.[1])
  expect(links).toEqual([expect.stringContaining(`/unsubscribe/${id}.0.`), expect.stringContaining(`/unsubscribe/${id}.1.`)])
  for (const [n, raw] of copies.entries()) {
    expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m)
    expect(raw).not.toMatch(/^Bcc:/im)
    const email = await simpleParser(raw)
    expect(addresses(email.to)).toEqual(['mum@example.org'])
    expect(email.headers.get('x-library-comms-envelope-to')).toBe(['mum@example.org', 'dad@example.org'][n])
    expect(email.text).toContain(links[n])
  }
})
