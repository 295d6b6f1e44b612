import { tmpdir } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import pino from 'pino'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { Config } from '../../../src/config.ts'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { createApiKey } from '../../../src/domain/api-keys/create-api-key.ts'
import { cliActor } from '../../../src/domain/staff/actors.ts'
import { type Service, startService } from '../../../src/main.ts'
import { givenLibrary } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'

let database: DatabaseHandle
let service: Service
let baseUrl: string

beforeAll(async () => {
  database = await openTestDatabase()
  const config: Config = { port: 0, databaseUrl: undefined, dataDir: tmpdir(), slack: { mode: 'off' }, adminUserIds: [], logLevel: 'silent' }
  service = await startService(config, { database, logger: pino({ level: 'silent' }) })
  baseUrl = `http://127.0.0.1:${service.port}`
})
afterAll(async () => {
  await service?.stop()
  await database?.close()
})

async function givenApiLibrary() {
  const lib = await givenLibrary(service.deps)
  const created = await createApiKey(service.deps, { libraryId: lib.id, name: 'Student system', actor: cliActor })
  if (!created.ok) throw new Error(created.error.code)
  return { ...lib, key: created.value.key, actor: `api-key:${created.value.apiKey.id}` }
}

/**
 * The file as a request body that arrives in odd-sized chunks (cutting lines in two), and
 * halfway waits for `midway` before sending the rest.
 */
function streamOf(csv: string, midway: () => Promise<void>): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(csv)
  const chunkBytes = 8191
  let offset = 0
  let halfway = false
  return new ReadableStream({
    async pull(controller) {
      if (!halfway && offset >= bytes.length / 2) {
        halfway = true
        await midway()
      }
      if (offset >= bytes.length) return controller.close()
      controller.enqueue(bytes.slice(offset, offset + chunkBytes))
      offset += chunkBytes
    },
  })
}

function uploadStream(lib: { key: string }, path: string, body: ReadableStream<Uint8Array>) {
  return fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${lib.key}`, 'content-type': 'text/csv' },
    body,
    // Node's fetch sends a stream body only half-duplex; the DOM typing has no `duplex` yet.
    duplex: 'half',
  } as RequestInit)
}

/** Waits (up to 10 s) until the library's import has staged rows; false if it never did. */
async function untilRowsStaged(libraryId: number): Promise<boolean> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const staged = await database.db
      .selectFrom('import_contact_rows as r')
      .innerJoin('batches as b', 'b.id', 'r.batch_id')
      .where('b.library_id', '=', libraryId)
      .where('b.status', '=', 'staging')
      .select('r.line')
      .limit(1)
      .execute()
    if (staged.length > 0) return true
    await sleep(50)
  }
  return false
}

const contactCount = async (libraryId: number) => (await database.db.selectFrom('contacts').where('library_id', '=', libraryId).select('id').execute()).length

test('a 50,000-row contacts file is streamed over HTTP: its rows are staged while the body is still arriving', async () => {
  const lib = await givenApiLibrary()
  for (let i = 0; i < 50; i++) await lib.patron({ username: `pupil${i}` })
  const rows = Array.from({ length: 50_000 }, (_, n) => `pupil${n % 50},guardian,guardian${n}@example.org,Carer ${n}`)
  let stagedWhileArriving = false

  const response = await uploadStream(
    lib,
    '/api/v1/imports/contacts?mode=add',
    streamOf(`username,role,address,addressee\r\n${rows.join('\r\n')}\r\n`, async () => {
      stagedWhileArriving = await untilRowsStaged(lib.id)
    }),
  )

  expect(response.status).toBe(200)
  expect(await response.json()).toMatchObject({ added: 50_000, deleted: 0, summary: { rows: 50_000, patronsInFile: 50 } })
  expect(stagedWhileArriving).toBe(true)
  expect(await contactCount(lib.id)).toBe(50_000)
  const sample = await database.db
    .selectFrom('contacts as c')
    .innerJoin('patrons as p', 'p.id', 'c.patron_id')
    .where('c.library_id', '=', lib.id)
    .where('c.address', '=', 'guardian49999@example.org')
    .select(['p.username', 'c.addressee', 'c.source'])
    .execute()
  expect(sample).toEqual([{ username: 'pupil49', addressee: 'Carer 49999', source: 'import' }])
})

test('while one file is still arriving, a second import is told who runs it since when, and changes nothing', async () => {
  const lib = await givenApiLibrary()
  for (let i = 0; i < 5; i++) await lib.patron({ username: `pupil${i}` })
  const rows = Array.from({ length: 20_000 }, (_, n) => `pupil${n % 5},guardian,guardian${n}@example.org`)
  let second: Response | undefined

  const first = await uploadStream(
    lib,
    '/api/v1/imports/contacts?mode=add',
    streamOf(`username,role,address\n${rows.join('\n')}\n`, async () => {
      await untilRowsStaged(lib.id)
      second = await uploadStream(
        lib,
        '/api/v1/imports/patrons',
        streamOf('username,first_name\nnew,New\n', async () => {}),
      )
    }),
  )

  expect(first.status).toBe(200)
  expect(second?.status).toBe(409)
  expect(second?.headers.get('content-type')).toBe('application/problem+json')
  expect(await second?.json()).toMatchObject({
    type: 'urn:library-comms:problem:import-running',
    startedBy: lib.actor,
    startedAt: expect.any(String),
    detail: expect.stringContaining(`started by ${lib.actor}`),
  })
  expect(await database.db.selectFrom('patrons').where('library_id', '=', lib.id).where('username', '=', 'new').select('id').execute()).toEqual([])
  expect(await contactCount(lib.id)).toBe(20_000)
})
