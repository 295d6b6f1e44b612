import { afterAll, beforeAll, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { authenticateApiKey } from '../../../src/domain/api-keys/authenticate-api-key.ts'
import { createApiKey } from '../../../src/domain/api-keys/create-api-key.ts'
import { hashApiKey } from '../../../src/domain/api-keys/queries.ts'
import { revokeApiKey } from '../../../src/domain/api-keys/revoke-api-key.ts'
import { cliActor } from '../../../src/domain/staff/actors.ts'
import { givenLibrary, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

test('a key is shown once, stored only as its hash, and stands for its library until revoked', async () => {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)
  const created = await createApiKey(deps, { libraryId: lib.id, name: 'Destiny sync', actor: cliActor })
  if (!created.ok) throw new Error('not created')
  const { key, apiKey } = created.value
  const stored = await deps.db.selectFrom('api_keys').where('id', '=', apiKey.id).selectAll().executeTakeFirstOrThrow()
  expect(JSON.stringify(stored)).not.toContain(key)
  expect(stored.key_hash).toBe(hashApiKey(key))

  expect(await authenticateApiKey(deps, key)).toEqual({ libraryId: lib.id, actor: { ref: { kind: 'api_key', keyId: apiKey.id }, role: 'staff' } })
  expect(await authenticateApiKey(deps, `${key}x`)).toBeUndefined()
  expect((await revokeApiKey(deps, { id: apiKey.id, actor: cliActor })).ok).toBe(true)
  expect(await authenticateApiKey(deps, key)).toBeUndefined()
  expect(await revokeApiKey(deps, { id: apiKey.id, actor: cliActor })).toEqual({ ok: false, error: { code: 'api_key_not_found', id: apiKey.id } })
  expect((await lib.auditActions()).map((a) => a.action)).toEqual(['api_key.created', 'api_key.revoked'])
})

test("a key created for the student system's sync acts as an admin of its library", async () => {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)
  const created = await createApiKey(deps, { libraryId: lib.id, name: 'SIS nightly', role: 'admin', actor: cliActor })
  if (!created.ok) throw new Error('not created')
  expect(created.value.apiKey.role).toBe('admin')
  expect(await authenticateApiKey(deps, created.value.key)).toEqual({
    libraryId: lib.id,
    actor: { ref: { kind: 'api_key', keyId: created.value.apiKey.id }, role: 'admin' },
  })
})
