import { tmpdir } from 'node:os'
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
  const config: Config = {
    port: 0,
    databaseUrl: undefined,
    dataDir: tmpdir(),
    slack: { mode: 'off' },
    adminUserIds: [],
    logLevel: 'silent',
  }
  service = await startService(config, { database, logger: pino({ level: 'silent' }), nightly: false })
  baseUrl = `http://127.0.0.1:${service.port}`
})
afterAll(async () => {
  await service?.stop()
  await database?.close()
})

test('the student system pushes a roster and a guardian over HTTP; a bad batch gets problem+json and changes nothing', async () => {
  const lib = await givenLibrary(service.deps)
  const created = await createApiKey(service.deps, { libraryId: lib.id, name: 'Student system', actor: cliActor })
  if (!created.ok) throw new Error(created.error.code)
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${created.value.key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })

  const roster = [{ username: 'asilva', firstName: 'Ana', lastName: 'Silva', type: 'student', academicLevel: 'Year 7', groups: ['7B'], enabled: true }]
  expect(await (await call('POST', '/api/v1/patrons', roster)).json()).toEqual({ created: 1, updated: 0, unchanged: 0 })
  expect(await (await call('POST', '/api/v1/patrons', roster)).json()).toEqual({ created: 0, updated: 0, unchanged: 1 })

  const added = await call('POST', '/api/v1/patrons/asilva/contacts', { role: 'guardian', address: 'mum@example.org', addressee: 'Mrs Silva' })
  expect(added.status).toBe(201)

  const bad = await call('POST', '/api/v1/patrons', [
    { username: 'bchen', type: 'teacher' },
    { username: 'asilva', firstName: 'Changed', colour: 'blue' },
  ])
  expect(bad.status).toBe(422)
  expect(bad.headers.get('content-type')).toBe('application/problem+json')
  expect((await bad.json()).errors.map((error: { pointer: string }) => error.pointer)).toEqual(['/0/type', '/1/colour'])

  const patron = await (await call('GET', '/api/v1/patrons/asilva')).json()
  expect(patron).toMatchObject({ firstName: 'Ana', contacts: [{ role: 'guardian', address: 'mum@example.org', addressee: 'Mrs Silva', source: 'api' }] })
  const usernames = await database.db.selectFrom('patrons').where('library_id', '=', lib.id).select('username').execute()
  expect(usernames).toEqual([{ username: 'asilva' }])

  const document = await (await fetch(`${baseUrl}/api/v1/openapi.json`)).json()
  expect(document.openapi).toBe('3.1.0')
})
