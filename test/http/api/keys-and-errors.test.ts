import pino from 'pino'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { revokeApiKey } from '../../../src/domain/api-keys/revoke-api-key.ts'
import type { AppDeps } from '../../../src/domain/deps.ts'
import { cliActor } from '../../../src/domain/staff/actors.ts'
import { maxBodyBytes } from '../../../src/http/api/schemas.ts'
import { testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'
import { givenApiLibrary, givenHttpApp, problemOf } from './given-api.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

const patronCount = async (libraryId: number) => (await handle.db.selectFrom('patrons').where('library_id', '=', libraryId).select('id').execute()).length

describe('API keys', () => {
  test('a call without a key is refused with a Bearer challenge', async () => {
    const app = givenHttpApp(testDeps(handle))

    const response = await app.request('/api/v1/patrons/asilva')

    const problem = await problemOf(response, 401)
    expect(problem.type).toBe('urn:library-comms:problem:unauthorized')
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="library-comms"')
  })

  test('an unknown key is refused as an invalid token', async () => {
    const app = givenHttpApp(testDeps(handle))

    const response = await app.request('/api/v1/patrons/asilva', { headers: { authorization: 'Bearer lc_not-a-key' } })

    await problemOf(response, 401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="library-comms", error="invalid_token"')
  })

  test('a revoked key is refused from then on, and changes nothing', async () => {
    const deps = testDeps(handle)
    const lib = await givenApiLibrary(deps)
    await lib.patron({ username: 'asilva' })
    expect((await lib.send('GET', '/api/v1/patrons/asilva')).status).toBe(200)

    await revokeApiKey(deps, { id: lib.keyId, actor: cliActor })

    await problemOf(await lib.send('GET', '/api/v1/patrons/asilva'), 401)
    await problemOf(await lib.send('POST', '/api/v1/patrons', [{ username: 'bchen' }]), 401)
    expect(await patronCount(lib.id)).toBe(1)
  })
})

describe('requests the API cannot read', () => {
  test('a body that is not JSON is a 400', async () => {
    const lib = await givenApiLibrary(testDeps(handle))

    const response = await lib.app.request('/api/v1/patrons', {
      method: 'POST',
      headers: { authorization: `Bearer ${lib.key}`, 'content-type': 'application/json' },
      body: '[{"username": "asilva",',
    })

    expect(await problemOf(response, 400)).toMatchObject({ type: 'urn:library-comms:problem:malformed-json' })
    expect(await patronCount(lib.id)).toBe(0)
  })

  test('a body sent as a form is a 415', async () => {
    const lib = await givenApiLibrary(testDeps(handle))

    const response = await lib.app.request('/api/v1/patrons', {
      method: 'POST',
      headers: { authorization: `Bearer ${lib.key}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=asilva',
    })

    await problemOf(response, 415)
    expect(await patronCount(lib.id)).toBe(0)
  })

  test(`a body over ${maxBodyBytes} bytes is a 413`, async () => {
    const lib = await givenApiLibrary(testDeps(handle))
    const padding = 'x'.repeat(maxBodyBytes)

    const response = await lib.send('POST', '/api/v1/patrons', [{ username: 'asilva', firstName: padding }])

    await problemOf(response, 413)
    expect(await patronCount(lib.id)).toBe(0)
  })

  test('a route that does not exist is a 404 problem', async () => {
    const lib = await givenApiLibrary(testDeps(handle))

    await problemOf(await lib.send('GET', '/api/v1/loans'), 404)
  })
})

describe('a failure on our side', () => {
  test('is a bare 500 that discloses nothing, and the log keeps neither the key nor the body', async () => {
    const lines: string[] = []
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) })
    const deps = testDeps(handle, { logger })
    const lib = await givenApiLibrary(deps, { ...deps, db: withBrokenTransactions(deps.db) })

    const response = await lib.send('POST', '/api/v1/patrons', [{ username: 'asilva', firstName: 'Secretive' }])

    expect(await problemOf(response, 500)).toEqual({ type: 'about:blank', title: 'Internal Server Error', status: 500 })
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain('API request failed')
    expect(lines[0]).not.toContain(lib.key)
    expect(lines[0]).not.toContain('Secretive')
  })
})

// The database answers the key check but fails the write, as a lost connection would.
function withBrokenTransactions(db: AppDeps['db']): AppDeps['db'] {
  return new Proxy(db, {
    get(target, property) {
      if (property === 'transaction') {
        return () => {
          throw new Error('connection terminated unexpectedly')
        }
      }
      const value = Reflect.get(target, property, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}
