import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pino from 'pino'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { loadConfig } from '../../src/config.ts'
import { startService } from '../../src/main.ts'
import { givenLibrary, testDeps } from '../support/builders.ts'
import { openTestDatabase } from '../support/database.ts'
import { type FakeSes, mostInAnySecond, startFakeSes } from '../support/fake-ses-sending.ts'
import { givenQueuedMessage } from '../support/outbox.ts'

const root = path.resolve(import.meta.dirname, '../..')
const node = path.join(root, 'node_modules/.bin/node')
const silent = pino({ level: 'silent' })
const saved = { ...process.env }
const dirs: string[] = []
let ses: FakeSes

beforeAll(async () => {
  // The account allows 10 emails a second: GetAccount says so, as SES would.
  ses = await startFakeSes({ maxSendRate: 10 })
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
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
})

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lc-ses-'))
  dirs.push(dir)
  return dir
}

test('in ses mode without EMAIL_FROM the service refuses to start, and says why in one sentence', async () => {
  const cwd = await dataDir()
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = execFile(
      node,
      [path.join(root, 'src/main.ts')],
      {
        cwd,
        env: {
          PATH: process.env.PATH ?? '',
          EMAIL_TRANSPORT: 'ses',
          PUBLIC_URL: 'https://library.school.example',
          UNSUBSCRIBE_SECRET: 'x'.repeat(32),
          DATA_DIR: cwd,
        },
      },
      (_error, _stdout, stderr) => resolve({ code: child.exitCode, stderr }),
    )
  })

  expect(code).toBe(1)
  expect(stderr).toBe(
    'library-comms: invalid configuration:\n  EMAIL_FROM: is required with EMAIL_TRANSPORT=ses, since SES sends only from an address of a domain you verified (e.g. library@school.example)\n',
  )
})

test('two services on one database send every recipient’s copy of every queued message once through SES, at the account’s rate counted in copies', async () => {
  const database = await openTestDatabase()
  const services: Array<Awaited<ReturnType<typeof startService>>> = []
  try {
    const lib = await givenLibrary(testDeps(database), { name: 'Riverside Library' })
    const ana = await lib.patron({ username: 'asilva' })
    // 15 messages to two guardians each: 30 copies, as SES counts its rate in recipients.
    const copies = new Set<string>()
    for (let n = 0; n < 15; n += 1) {
      const recipients = [
        { kind: 'to' as const, address: `mum${n}@example.org` },
        { kind: 'bcc' as const, address: `dad${n}@example.org` },
      ]
      const id = await givenQueuedMessage(database.db, lib, ana, { recipients })
      for (const [position, { address }] of recipients.entries()) copies.add(`${id}/${position + 1}/${address}`)
    }
    const env = {
      PORT: '0',
      LOG_LEVEL: 'silent',
      EMAIL_TRANSPORT: 'ses',
      EMAIL_FROM: 'library@school.example',
      SES_CONFIGURATION_SET: 'library-comms',
      PUBLIC_URL: 'https://library.school.example',
      UNSUBSCRIBE_SECRET: 'x'.repeat(32),
    }
    const startedAt = performance.now()

    for (let n = 0; n < 2; n += 1) {
      services.push(await startService(loadConfig({ ...env, DATA_DIR: await dataDir() }), { database, logger: silent, nightly: false }))
    }
    const deadline = Date.now() + 20_000
    while (ses.accepted().length < copies.size && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
    const seconds = (performance.now() - startedAt) / 1000
    await Promise.all(services.map((service) => service.stop()))

    const tag = (send: (typeof ses.received)[number], name: string) => send.input.EmailTags?.find((t) => t.Name === name)?.Value
    const sent = ses.accepted().map((send) => `${tag(send, 'message')}/${tag(send, 'recipient')}/${send.input.Destination?.ToAddresses?.join(',')}`)
    expect(sent.toSorted()).toEqual([...copies].toSorted())
    expect(ses.accepted().every((send) => send.input.ConfigurationSetName === 'library-comms')).toBe(true)
    expect(ses.accountCalls()).toBe(2)
    // 30 sends at 10/s (less the 5 % headroom) span three seconds at least. The default headroom
    // absorbs 50 ms of delay between a slot and SES; on this machine, shared with other work, a
    // send can be held up longer and arrive next to the following one: one more, never a burst.
    const arrivals = ses.accepted().map((send) => send.atMs)
    expect(Math.max(...arrivals) - Math.min(...arrivals)).toBeGreaterThan(2_900)
    expect(mostInAnySecond(arrivals)).toBeLessThanOrEqual(11)
    expect(seconds).toBeGreaterThan(2.9)
    const rows = await database.db.selectFrom('messages').select(['status']).execute()
    expect(rows.every((row) => row.status === 'sent')).toBe(true)
    const recorded = await database.db.selectFrom('message_recipients').select(['transport_id as transportId']).execute()
    expect(new Set(recorded.map((row) => row.transportId))).toEqual(new Set(ses.accepted().map((send) => send.messageId)))
  } finally {
    await Promise.all(services.map((service) => service.stop()))
    await database.close()
  }
})

test('without SES_MAX_SEND_RATE, an account whose rate cannot be read stops the start, naming the way out', async () => {
  const database = await openTestDatabase()
  const endpoint = process.env.AWS_ENDPOINT_URL_SESV2
  // Nothing listens there: GetAccount cannot be answered.
  process.env.AWS_ENDPOINT_URL_SESV2 = 'http://127.0.0.1:9'
  try {
    const config = loadConfig({
      PORT: '0',
      LOG_LEVEL: 'silent',
      EMAIL_TRANSPORT: 'ses',
      EMAIL_FROM: 'library@school.example',
      PUBLIC_URL: 'https://library.school.example',
      UNSUBSCRIBE_SECRET: 'x'.repeat(32),
      DATA_DIR: await dataDir(),
    })

    const starting = startService(config, { database, logger: silent, nightly: false })

    await expect(starting).rejects.toThrow(
      /^could not read the SES account's sending rate with GetAccount \(.*\); allow ses:GetAccount or set SES_MAX_SEND_RATE$/,
    )
  } finally {
    process.env.AWS_ENDPOINT_URL_SESV2 = endpoint
    await database.close()
  }
})
