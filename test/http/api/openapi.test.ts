import pino from 'pino'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { contactImportModes } from '../../../src/domain/imports/contacts-plan.ts'
import { apiRoutes } from '../../../src/http/api/routes.ts'
import { createHttpApp } from '../../../src/http/app.ts'
import { testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'
import { givenApiLibrary, givenHttpApp, pointersOf, problemOf } from './given-api.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

const methods = ['get', 'post', 'patch', 'put', 'delete']

async function fetchDocument() {
  const response = await givenHttpApp(testDeps(handle)).request('/api/v1/openapi.json')
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toMatch(/^application\/json/)
  return JSON.parse(await response.text())
}

test('the OpenAPI 3.1 document is served without a key and lists every path', async () => {
  const document = await fetchDocument()

  expect(document.openapi).toBe('3.1.0')
  expect(Object.keys(document.paths).sort()).toEqual([
    '/api/v1/audit',
    '/api/v1/contacts/{id}',
    '/api/v1/imports/contacts',
    '/api/v1/imports/patrons',
    '/api/v1/messages',
    '/api/v1/openapi.json',
    '/api/v1/patrons',
    '/api/v1/patrons/{username}',
    '/api/v1/patrons/{username}/contacts',
  ])
  expect(document.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' })
  expect(document.security).toEqual([{ apiKey: [] }])
})

test('every route the API serves is in the document, and nothing else is', async () => {
  const document = await fetchDocument()
  const served = apiRoutes(testDeps(handle))
    .routes.filter((route) => route.method !== 'ALL')
    .map((route) => `${route.method.toLowerCase()} ${route.path.replace(/:(\w+)/g, '{$1}')}`)
  const documented = Object.entries(document.paths).flatMap(([path, item]) =>
    Object.keys(item as object)
      .filter((key) => methods.includes(key))
      .map((method) => `${method} ${path}`),
  )

  expect([...new Set(served)].sort()).toEqual(documented.sort())
})

test('each operation answers its problems as problem+json, and every reference resolves', async () => {
  const document = await fetchDocument()
  for (const [path, item] of Object.entries<any>(document.paths)) {
    for (const method of methods.filter((m) => item[m])) {
      if (path === '/api/v1/openapi.json') continue
      expect(Object.keys(item[method].responses), `${method} ${path}`).toEqual(expect.arrayContaining(['401', '500']))
    }
  }
  expect(document.components.responses.Invalid.content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' })

  const references = JSON.stringify(document).match(/"\$ref":"[^"]+"/g) ?? []
  for (const reference of references) {
    const pointer = reference.slice('"$ref":"#/'.length, -1).split('/')
    expect(
      pointer.reduce((node: any, key) => node?.[key], document),
      reference,
    ).toBeDefined()
  }
})

test('the document describes the same schemas that refuse a bad request', async () => {
  const document = await fetchDocument()
  const newContact = document.components.schemas.NewContact

  expect(newContact.additionalProperties).toBe(false)
  expect(newContact.required.sort()).toEqual(['address', 'role'])
  expect(newContact.properties.bcc).toMatchObject({ enum: ['yes', 'no', 'default'], default: 'default' })
  expect(document.components.schemas.PatronBatch.items).toEqual({ $ref: '#/components/schemas/Patron' })

  // What the document says is unknown, the API refuses.
  const lib = await givenApiLibrary(testDeps(handle))
  await lib.patron({ username: 'asilva' })
  const refused = await lib.send('POST', '/api/v1/patrons/asilva/contacts', { role: 'guardian', address: 'mum@example.org', email: 'mum@example.org' })
  expect(newContact.properties.email).toBeUndefined()
  expect(pointersOf(await problemOf(refused, 422))).toEqual(['/email'])
})

test('the imports take a CSV body, and the document names the query parameters the API checks', async () => {
  const document = await fetchDocument()
  const contacts = document.paths['/api/v1/imports/contacts'].post

  expect(Object.keys(contacts.requestBody.content)).toEqual(['text/csv', 'application/csv', 'text/plain'])
  expect(contacts.parameters.map((p: any) => [p.name, p.in, p.required])).toEqual([
    ['mode', 'query', true],
    ['levels', 'query', false],
    ['keepCustom', 'query', false],
    ['dryRun', 'query', false],
    ['Content-Disposition', 'header', false],
  ])
  expect(contacts.parameters[0].schema.enum).toEqual([...contactImportModes])
  expect(contacts.parameters[3].schema).toEqual({ type: 'string', enum: ['true', 'false'] })
  expect(Object.keys(contacts.responses).sort()).toEqual(['200', '401', '403', '409', '413', '415', '422', '500', '503'])
  expect(document.paths['/api/v1/imports/patrons'].post.parameters.map((p: any) => p.name)).toEqual(['dryRun', 'Content-Disposition'])
})

test('every operation lists the 503 the service answers while it starts, and the document names its server', async () => {
  const document = await fetchDocument()
  const starting = createHttpApp({ logger: pino({ level: 'silent' }), isReady: async () => false, api: () => undefined })

  for (const [path, item] of Object.entries<any>(document.paths)) {
    for (const method of methods.filter((m) => item[m])) {
      expect(item[method].responses['503'], `${method} ${path}`).toEqual({ $ref: '#/components/responses/ServiceStarting' })
      const answered = await starting.request(path.replace('{username}', 'asilva').replace('{id}', '41'), { method: method.toUpperCase() })
      expect(answered.status, `${method} ${path}`).toBe(503)
    }
  }
  expect(document.servers).toEqual([{ url: '/', description: expect.any(String) }])
})

test('the audit log is described with its filters, for admin keys', async () => {
  const document = await fetchDocument()
  const audit = document.paths['/api/v1/audit'].get

  expect(audit.parameters.map((p: any) => [p.name, p.in, p.required])).toEqual([
    ['from', 'query', false],
    ['to', 'query', false],
    ['actor', 'query', false],
    ['patron', 'query', false],
    ['action', 'query', false],
    ['cursor', 'query', false],
    ['limit', 'query', false],
  ])
  expect(Object.keys(audit.responses).sort()).toEqual(['200', '401', '403', '422', '500', '503'])
  expect(audit.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/AuditPage' })
})
