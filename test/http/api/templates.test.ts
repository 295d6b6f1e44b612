import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { createApiKey } from '../../../src/domain/api-keys/create-api-key.ts'
import { cliActor } from '../../../src/domain/staff/actors.ts'
import { defaultTemplates } from '../../../src/domain/templates/defaults.ts'
import { testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'
import { type GivenApiLibrary, givenApiLibrary, problemOf } from './given-api.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

/** The school's IT admin keeps the templates with a key of the admin role. */
async function givenAdminKey(lib: GivenApiLibrary) {
  const created = await createApiKey(testDeps(handle), { libraryId: lib.id, name: 'Templates', role: 'admin', actor: cliActor })
  if (!created.ok) throw new Error(created.error.code)
  return {
    actor: `api-key:${created.value.apiKey.id}`,
    send: (method: string, path: string, json?: unknown) => lib.send(method, path, json, { authorization: `Bearer ${created.value.key}` }),
  }
}

const mine = {
  subject: 'Overdue books for {{ patron.first_name }}',
  html: '<p>Dear {{ addressee }},</p>\n{% for loan in loans %}<p>{{ loan.title }}, due {{ loan.due_date_text }}</p>{% endfor %}',
  text: 'Dear {{ addressee }},\n{% for loan in loans %}- {{ loan.title }}\n{% endfor %}',
}

describe('/api/v1/templates', () => {
  test('GET lists every scenario’s template, default until the library saves its own, with its placeholders', async () => {
    const lib = await givenApiLibrary(testDeps(handle))
    const admin = await givenAdminKey(lib)

    const response = await admin.send('GET', '/api/v1/templates')

    expect(response.status).toBe(200)
    const { templates } = await response.json()
    expect(templates.map((t: any) => [t.scenario, t.custom])).toEqual(Object.keys(defaultTemplates).map((scenario) => [scenario, false]))
    expect(templates[1]).toMatchObject({
      scenario: 'circulation.overdue',
      title: 'Overdue notice',
      ...defaultTemplates['circulation.overdue'],
      updatedBy: null,
      updatedAt: null,
    })
    expect(templates[1].placeholders).toContainEqual({ name: 'loan.due_date_text', about: 'The due date written out: Monday 2 March 2026' })
    expect(templates[12].placeholders.map((p: any) => p.name)).toContain('reset_link')
    expect(templates[1].placeholders.map((p: any) => p.name)).not.toContain('reset_link')
  })

  test('PUT saves the library’s own template, GET reads it back, and DELETE goes back to the default and answers it', async () => {
    const lib = await givenApiLibrary(testDeps(handle))
    const admin = await givenAdminKey(lib)

    const saved = await admin.send('PUT', '/api/v1/templates/circulation.overdue', mine)
    expect(saved.status).toBe(200)
    expect(await saved.json()).toMatchObject({
      scenario: 'circulation.overdue',
      custom: true,
      ...mine,
      updatedBy: admin.actor,
      updatedAt: '2026-03-10T09:00:00.000Z',
    })

    const read = await (await admin.send('GET', '/api/v1/templates/circulation.overdue')).json()
    expect(read).toMatchObject({ custom: true, ...mine })
    const listed = await (await admin.send('GET', '/api/v1/templates')).json()
    expect(listed.templates.filter((t: any) => t.custom).map((t: any) => t.scenario)).toEqual(['circulation.overdue'])

    const reset = await admin.send('DELETE', '/api/v1/templates/circulation.overdue')
    expect(reset.status).toBe(200)
    expect(await reset.json()).toMatchObject({ custom: false, ...defaultTemplates['circulation.overdue'], updatedBy: null })
    expect(await (await admin.send('GET', '/api/v1/templates/circulation.overdue')).json()).toMatchObject({ custom: false })
    expect((await lib.auditActions()).filter((e) => e.action.startsWith('template.')).map((e) => [e.action, e.actor])).toEqual([
      ['template.saved', admin.actor],
      ['template.reset', admin.actor],
    ])
  })

  test('a syntax error or an unknown placeholder is a 422 naming the part, line and column, and nothing is saved', async () => {
    const lib = await givenApiLibrary(testDeps(handle))
    const admin = await givenAdminKey(lib)

    const response = await admin.send('PUT', '/api/v1/templates/circulation.overdue', {
      ...mine,
      html: '<p>Dear {{ addressee }},</p>\n<p>{{ patron.nickname }}</p>',
      text: 'Dear {{ addressee }},\n\n{% for loan in loans %}- {{ loan.title }}',
    })

    const problem = await problemOf(response, 422)
    expect(problem).toMatchObject({ type: 'urn:library-comms:problem:invalid-template', detail: 'The template has 2 faults; nothing was saved' })
    expect(problem.errors).toEqual([
      { pointer: '/html', line: 2, column: 7, detail: '“patron.nickname” is not a placeholder of this notice' },
      { pointer: '/text', line: 3, column: 1, detail: '{% for loan in loans %} is not closed: end it with {% endfor %}' },
    ])
    expect(await (await admin.send('GET', '/api/v1/templates/circulation.overdue')).json()).toMatchObject({ custom: false })
  })

  test('a body without every part, or with another field, is refused by the schema', async () => {
    const lib = await givenApiLibrary(testDeps(handle))
    const admin = await givenAdminKey(lib)

    const problem = await problemOf(await admin.send('PUT', '/api/v1/templates/circulation.overdue', { subject: 'Hi', html: '<p>Hi</p>', body: 'Hi' }), 422)

    expect(problem.errors?.map((error) => [error.pointer, error.detail])).toEqual([
      ['/text', 'Required'],
      ['/body', '"body" is not a known field'],
    ])
  })

  test('an unknown scenario is a 404', async () => {
    const lib = await givenApiLibrary(testDeps(handle))
    const admin = await givenAdminKey(lib)
    for (const [method, body] of [
      ['GET', undefined],
      ['PUT', mine],
      ['DELETE', undefined],
    ] as const) {
      const problem = await problemOf(await admin.send(method, '/api/v1/templates/circulation.nagging', body), 404)
      expect(problem).toMatchObject({
        type: 'urn:library-comms:problem:scenario-not-found',
        detail: 'No scenario "circulation.nagging"; GET /api/v1/templates lists them',
      })
    }
  })

  test('a staff key is refused with 403 and changes nothing', async () => {
    const lib = await givenApiLibrary(testDeps(handle))
    for (const [method, path, body] of [
      ['GET', '/api/v1/templates', undefined],
      ['GET', '/api/v1/templates/circulation.overdue', undefined],
      ['PUT', '/api/v1/templates/circulation.overdue', mine],
      ['DELETE', '/api/v1/templates/circulation.overdue', undefined],
    ] as const) {
      const problem = await problemOf(await lib.send(method, path, body), 403)
      expect(problem.detail).toBe('This needs the admin role; this key has the staff role')
    }
    expect(await handle.db.selectFrom('templates').where('library_id', '=', lib.id).selectAll().execute()).toEqual([])
  })
})
