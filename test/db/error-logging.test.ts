import { Writable } from 'node:stream'
import { sql } from 'kysely'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../src/db/database.ts'
import { createLogger } from '../../src/logger.ts'
import { openTestDatabase } from '../support/database.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

test('a database error is logged with its code, without the rows its statement quoted', async () => {
  const lines: string[] = []
  const logger = createLogger('info', new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }))
  // As a request with a NUL in a patron's name once reached the database: the error's `where`
  // quoted the JSON of the request, names and usernames included.
  const request = JSON.stringify([{ username: 'nul1', first_name: 'Renée\u0000', last_name: 'Côté' }])
  const failure = await sql`select e->>'first_name' from jsonb_array_elements(${request}::text::jsonb) e`.execute(handle.db).catch((error: unknown) => error)
  expect(failure).toBeInstanceOf(Error)

  logger.error({ err: failure }, 'API request failed')
  logger.error({ err: new Error('import failed', { cause: failure }) }, 'import failed')

  const [direct, wrapped] = lines.map((line) => JSON.parse(line))
  expect(direct.err).toMatchObject({ code: expect.stringMatching(/^22/) })
  expect(wrapped.err.cause).toMatchObject({ code: expect.stringMatching(/^22/) })
  const line = lines.join('')
  for (const personal of ['nul1', 'Renée', 'Côté', 'username']) expect(line).not.toContain(personal)
})
