import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { openApiDocument } from '../../../src/http/api/openapi.ts'
import { testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'
import { givenApiLibrary } from './given-api.ts'

// docs/api.md is what an integrator reads first; these tests keep it true.

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

const apiDocs = () => readFile(new URL('../../../docs/api.md', import.meta.url), 'utf8')

test('docs/api.md lists, for each route, the answers the OpenAPI document gives it, and no other', async () => {
  const docs = await apiDocs()
  const rows = [...docs.matchAll(/^\| `(GET|POST|PUT|PATCH|DELETE) (\/api\/v1\/\S+)` \| ([\d, ]+) \| ([\d, ]+) \|$/gm)]
  const documented = Object.fromEntries(
    rows.map(([, method, path, success, problems]) => [`${method} ${path}`, [...success.split(', '), ...problems.split(', ')].sort()]),
  )

  const answered = Object.fromEntries(
    Object.entries<any>(openApiDocument().paths).flatMap(([path, item]) =>
      ['get', 'post', 'put', 'patch', 'delete']
        .filter((method) => item[method])
        .map((method) => [`${method.toUpperCase()} ${path}`, Object.keys(item[method].responses).sort()]),
    ),
  )

  expect(documented).toEqual(answered)
})

test('as docs/api.md says, scenarios are kept for a custom contact only: any and none answer []', async () => {
  const lib = await givenApiLibrary(testDeps(handle))
  await lib.patron({ username: 'asilva' })
  const docs = await apiDocs()

  const any = await lib.send('POST', '/api/v1/patrons/asilva/contacts', {
    role: 'guardian',
    address: 'mum@example.org',
    usage: 'any',
    scenarios: ['circulation.overdue'],
  })
  const none = await lib.send('POST', '/api/v1/patrons/asilva/contacts', {
    role: 'other',
    address: 'dad@example.org',
    usage: 'none',
    scenarios: ['circulation.overdue'],
  })
  const custom = await lib.send('POST', '/api/v1/patrons/asilva/contacts', {
    role: 'other',
    address: 'teacher@example.org',
    usage: 'custom',
    scenarios: ['circulation.overdue'],
  })

  expect([await any.json(), await none.json(), await custom.json()].map((contact) => [contact.usage, contact.scenarios])).toEqual([
    ['any', []],
    ['none', []],
    ['custom', ['circulation.overdue']],
  ])
  expect(docs).toContain('For `any` it is `[]`')
  expect(docs).toContain('For `none` it is `[]` too')
})
