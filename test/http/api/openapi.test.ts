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
    '/api/v1/blacklist',
    '/api/v1/blacklist/{address}',
    '/api/v1/contacts/{id}',
    '/api/v1/events',
    '/api/v1/imports/contacts',
    '/api/v1/imports/patrons',
    '/api/v1/loans',
    '/api/v1/loans/{id}',
    '/api/v1/loans/{id}/lost',
    '/api/v1/loans/{id}/recall',
    '/api/v1/loans/{id}/renew',
    '/api/v1/loans/{id}/return',
    '/api/v1/messages',
    '/api/v1/openapi.json',
    '/api/v1/orders',
    '/api/v1/password-resets',
    '/api/v1/patrons',
    '/api/v1/patrons/{username}',
    '/api/v1/patrons/{username}/contacts',
    '/api/v1/preferences/batch',
    '/api/v1/purge',
    '/api/v1/purge/candidates',
    '/api/v1/purge/{id}',
    '/api/v1/purge/{id}/approve',
    '/api/v1/purge/{id}/reject',
    '/api/v1/reservations',
    '/api/v1/reservations/{id}/cancel',
    '/api/v1/reservations/{id}/collect',
    '/api/v1/reservations/{id}/ready',
    '/api/v1/scenarios',
    '/api/v1/scenarios/{id}',
    '/api/v1/settings',
    '/api/v1/suppliers',
    '/api/v1/templates',
    '/api/v1/templates/{scenario}',
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

test('the templates are described with the parts a template has, and a 422 names the part, line and column', async () => {
  const document = await fetchDocument()
  const put = document.paths['/api/v1/templates/{scenario}'].put

  expect(put.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/TemplateSource' })
  expect(document.components.schemas.TemplateSource.required.sort()).toEqual(['html', 'subject', 'text'])
  expect(document.components.schemas.TemplateSource.additionalProperties).toBe(false)
  expect(Object.keys(put.responses).sort()).toEqual(['200', '400', '401', '403', '404', '413', '415', '422', '500', '503'])
  expect(Object.keys(document.paths['/api/v1/templates/{scenario}'].delete.responses).sort()).toEqual(['200', '401', '403', '404', '500', '503'])
  const errors = JSON.stringify(document.components.schemas.Problem.properties.errors)
  expect(errors).toContain('"/subject","/html","/text"')
})

test('circulation: a new id answers 201, a known one 200, and the bodies are the schemas that check them', async () => {
  const document = await fetchDocument()
  const checkout = document.paths['/api/v1/loans'].post
  const giveBack = document.paths['/api/v1/loans/{id}/return'].post

  expect(Object.keys(checkout.responses).sort()).toEqual(['200', '201', '400', '401', '409', '413', '415', '422', '500', '503'])
  expect(checkout.responses['201'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/LoanAnswer' })
  expect(document.components.schemas.Checkout).toMatchObject({ additionalProperties: false, required: ['id', 'username', 'item', 'checkedOutAt', 'dueDate'] })
  expect(document.components.schemas.Checkout.properties.dueDate).toMatchObject({ type: 'string', format: 'date' })
  expect(document.components.schemas.OrderLine.additionalProperties).toEqual({ anyOf: expect.any(Array) })
  expect(giveBack.requestBody.required).toBe(false)
  expect(giveBack.parameters).toBeUndefined()
  expect(document.paths['/api/v1/loans/{id}/return'].parameters.map((p: any) => [p.name, p.in])).toEqual([['id', 'path']])
  expect(Object.keys(giveBack.responses)).not.toContain('201')

  // What the document says a line may carry, the API keeps and offers back.
  const lib = await givenApiLibrary(testDeps(handle))
  await lib.send('POST', '/api/v1/suppliers', { id: 'S1', name: 'Books', email: 'orders@books.example' })
  const placed = await lib.send('POST', '/api/v1/orders', { id: 'PO1', supplierId: 'S1', lines: [{ title: 'Holes', quantity: 2, isbn: '978-0' }] })
  expect((await placed.json()).order.lines).toEqual([{ title: 'Holes', quantity: 2, isbn: '978-0' }])
})
