import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { createApiKey } from '../../../src/domain/api-keys/create-api-key.ts'
import { scenarioNames } from '../../../src/domain/scenarios/catalogue.ts'
import { cliActor } from '../../../src/domain/staff/actors.ts'
import { testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'
import { givenLevelsAndGroups } from '../../support/notice-settings.ts'
import { type GivenApiLibrary, givenApiLibrary, pointersOf, problemOf } from './given-api.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

/** The school's IT admin tunes notices with a key of the admin role; the library system's key is staff. */
async function givenAdminKey(lib: GivenApiLibrary) {
  const created = await createApiKey(testDeps(handle), { libraryId: lib.id, name: 'Notices admin', role: 'admin', actor: cliActor })
  if (!created.ok) throw new Error(created.error.code)
  const { key, apiKey } = created.value
  return {
    actor: `api-key:${apiKey.id}`,
    send: (method: string, path: string, json?: unknown) =>
      lib.app.request(path, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(json !== undefined && { 'content-type': 'application/json' }) },
        ...(json !== undefined && { body: JSON.stringify(json) }),
      }),
  }
}

describe('/api/v1/settings', () => {
  test("any key reads the library's settings; an admin key changes them, and reading again shows the change", async () => {
    const lib = await givenApiLibrary(testDeps(handle))
    const admin = await givenAdminKey(lib)

    const before = await lib.send('GET', '/api/v1/settings')
    const changed = await admin.send('PATCH', '/api/v1/settings', { runAt: '01:30', bccDefault: true, replyTo: 'library@school.example' })
    const after = await lib.send('GET', '/api/v1/settings')

    expect(before.status).toBe(200)
    expect(await before.json()).toEqual({
      timeZone: 'Australia/Sydney',
      runAt: '02:00',
      bccDefault: false,
      senderName: '',
      replyTo: null,
      slackChannel: null,
      retainDeletedPatronLoans: true,
    })
    expect(changed.status).toBe(200)
    const expected = {
      timeZone: 'Australia/Sydney',
      runAt: '01:30',
      bccDefault: true,
      senderName: '',
      replyTo: 'library@school.example',
      slackChannel: null,
      retainDeletedPatronLoans: true,
    }
    expect(await changed.json()).toEqual(expected)
    expect(await after.json()).toEqual(expected)
    expect((await lib.auditActions()).at(-1)).toMatchObject({ action: 'library.settings_updated', actor: admin.actor, after: expected })
  })

  test("an admin key turns off keeping purged patrons' loans: reading shows it, and the audit log says who did it", async () => {
    const lib = await givenApiLibrary(testDeps(handle))
    const admin = await givenAdminKey(lib)

    const changed = await admin.send('PATCH', '/api/v1/settings', { retainDeletedPatronLoans: false })

    expect(changed.status).toBe(200)
    expect(await (await lib.send('GET', '/api/v1/settings')).json()).toMatchObject({ retainDeletedPatronLoans: false, runAt: '02:00' })
    expect((await lib.auditActions()).at(-1)).toMatchObject({
      action: 'library.settings_updated',
      actor: admin.actor,
      before: expect.objectContaining({ retainDeletedPatronLoans: true }),
      after: expect.objectContaining({ retainDeletedPatronLoans: false }),
    })
    expect(pointersOf(await problemOf(await admin.send('PATCH', '/api/v1/settings', { retainDeletedPatronLoans: 'no' }), 422))).toEqual([
      '/retainDeletedPatronLoans',
    ])
    const staffRefused = await problemOf(await lib.send('PATCH', '/api/v1/settings', { retainDeletedPatronLoans: true }), 403)
    expect(staffRefused.detail).toContain('admin')
    expect(await (await lib.send('GET', '/api/v1/settings')).json()).toMatchObject({ retainDeletedPatronLoans: false })
  })

  test('every bad value is named by its pointer, and nothing changes', async () => {
    const lib = await givenApiLibrary(testDeps(handle))
    const admin = await givenAdminKey(lib)

    const refused = await admin.send('PATCH', '/api/v1/settings', {
      timeZone: 'Sydney',
      runAt: '2am',
      bccDefault: true,
      senderName: 'Library\r\nBcc: all@example.org',
      replyTo: 'desk',
      slackChannel: '#library',
    })

    const problem = await problemOf(refused, 422)
    expect(problem.type).toBe('urn:library-comms:problem:invalid-settings')
    expect(pointersOf(problem)).toEqual(['/timeZone', '/runAt', '/senderName', '/replyTo', '/slackChannel'])
    expect(problem.errors![1].detail).toBe('"2am" is not a time: give hours and minutes on a 24-hour clock, such as 02:00')
    expect(await (await lib.send('GET', '/api/v1/settings')).json()).toMatchObject({ bccDefault: false, runAt: '02:00' })
  })

  test('a wrong type, an unknown field and an empty change are refused by the schema', async () => {
    const lib = await givenApiLibrary(testDeps(handle))
    const admin = await givenAdminKey(lib)

    expect(pointersOf(await problemOf(await admin.send('PATCH', '/api/v1/settings', { bccDefault: 'yes', sender: 'Library' }), 422))).toEqual([
      '/bccDefault',
      '/sender',
    ])
    expect(pointersOf(await problemOf(await admin.send('PATCH', '/api/v1/settings', {}), 422))).toEqual([''])
  })

  test("a staff key may read but not change the settings (403, naming the key's role)", async () => {
    const lib = await givenApiLibrary(testDeps(handle))

    const refused = await lib.send('PATCH', '/api/v1/settings', { bccDefault: true })

    expect((await problemOf(refused, 403)).detail).toBe('This needs the admin role; this key has the staff role')
  })
})

describe('/api/v1/scenarios', () => {
  test('lists every scenario with the settings that apply to it, its template and what it sent lately', async () => {
    const lib = await givenApiLibrary(testDeps(handle))

    const response = await lib.send('GET', '/api/v1/scenarios')

    expect(response.status).toBe(200)
    const body = await response.json()
    expect(body.lastNightlyRun).toBeNull()
    expect(body.scenarios.map((s: { id: string }) => s.id)).toEqual(scenarioNames)
    const byId = (id: string) => body.scenarios.find((s: { id: string }) => s.id === id)
    expect(byId('circulation.overdue')).toEqual({
      id: 'circulation.overdue',
      title: 'Overdue notice',
      group: 'circulation',
      trigger: 'nightly',
      about: expect.any(String),
      settings: ['frequency'],
      enabled: true,
      frequency: { every: 'week', weekday: 1 },
      excludeAcademicLevels: [],
      excludeGroups: [],
      template: 'default',
      recent: { sent: 0, queued: 0, skipped: 0, failed: 0 },
    })
    expect(byId('circulation.pre_overdue')).toMatchObject({ settings: ['daysBefore'], daysBefore: 2 })
    expect(byId('circulation.escalation_3')).toMatchObject({ daysOverdue: 42 })
    expect(byId('acquisitions.order').excludeAcademicLevels).toBeUndefined()
    expect(byId('circulation.recall').daysBefore).toBeUndefined()
  })

  test('an admin key changes a scenario: the answer and a later GET show it, and the change is audited', async () => {
    const lib = await givenApiLibrary(testDeps(handle))
    const admin = await givenAdminKey(lib)
    await givenLevelsAndGroups(handle.db, lib.id, { levels: ['Year 7', 'Year 8'], groups: ['Staff'] })

    const changed = await admin.send('PATCH', '/api/v1/scenarios/circulation.overdue', {
      frequency: { every: 'month', day: 31 },
      excludeAcademicLevels: ['year 7'],
      excludeGroups: ['STAFF'],
    })
    const read = await lib.send('GET', '/api/v1/scenarios/circulation.overdue')

    expect(changed.status).toBe(200)
    const expected = { id: 'circulation.overdue', frequency: { every: 'month', day: 31 }, excludeAcademicLevels: ['Year 7'], excludeGroups: ['Staff'] }
    expect(await changed.json()).toMatchObject(expected)
    expect(await read.json()).toMatchObject(expected)
    expect((await lib.auditActions()).at(-1)).toMatchObject({
      action: 'scenario.updated',
      actor: admin.actor,
      before: { frequency: { every: 'week', weekday: 1 } },
      after: { frequency: { every: 'month', day: 31 } },
    })
  })

  test('every scenario can be switched off', async () => {
    const lib = await givenApiLibrary(testDeps(handle))
    const admin = await givenAdminKey(lib)

    for (const id of scenarioNames) expect((await admin.send('PATCH', `/api/v1/scenarios/${id}`, { enabled: false })).status).toBe(200)

    const body = await (await lib.send('GET', '/api/v1/scenarios')).json()
    expect(body.scenarios.filter((s: { enabled: boolean }) => s.enabled)).toEqual([])
  })

  test.each<[string, string, unknown, string, string]>([
    ['a setting that does not apply', 'circulation.overdue', { daysBefore: 2 }, '/daysBefore', 'Days before does not apply to Overdue notice'],
    ['days before out of range', 'reservation.expiring', { daysBefore: 8 }, '/daysBefore', 'Days before must be a whole number from 1 to 7'],
    ['a weekday out of range', 'circulation.overdue', { frequency: { every: 'week', weekday: 9 } }, '/frequency/weekday', 'from 1 (Monday) to 7 (Sunday)'],
    ['a day of the month out of range', 'circulation.overdue', { frequency: { every: 'month', day: 32 } }, '/frequency/day', 'from 1 to 31'],
    ['escalations out of order', 'circulation.escalation_2', { daysOverdue: 10 }, '/daysOverdue', 'comes after escalation #1, which is at 14 days overdue'],
    [
      'a group the library does not have',
      'reservation.ready',
      { excludeGroups: ['Robotics'] },
      '/excludeGroups',
      'No library group "Robotics" in this library',
    ],
  ])('%s is a 422 naming the field, and nothing changes', async (_, id, body, pointer, detail) => {
    const lib = await givenApiLibrary(testDeps(handle))
    const admin = await givenAdminKey(lib)
    const before = await (await lib.send('GET', `/api/v1/scenarios/${id}`)).json()

    const problem = await problemOf(await admin.send('PATCH', `/api/v1/scenarios/${id}`, body), 422)

    expect(problem.type).toBe('urn:library-comms:problem:invalid-scenario-settings')
    expect(problem.errors).toEqual([{ pointer, detail: expect.stringContaining(detail) }])
    expect(await (await lib.send('GET', `/api/v1/scenarios/${id}`)).json()).toEqual(before)
  })

  test('a frequency of an unknown kind, a fractional day and an unknown field are refused by the schema', async () => {
    const lib = await givenApiLibrary(testDeps(handle))
    const admin = await givenAdminKey(lib)

    const fortnight = await problemOf(await admin.send('PATCH', '/api/v1/scenarios/circulation.overdue', { frequency: { every: 'fortnight' } }), 422)
    const fraction = await problemOf(await admin.send('PATCH', '/api/v1/scenarios/circulation.pre_overdue', { daysBefore: 2.5, enabeld: false }), 422)

    expect(fortnight.errors).toEqual([{ pointer: '/frequency/every', detail: expect.stringContaining('{"every":"week","weekday":1-7}') }])
    expect(pointersOf(fraction)).toEqual(['/daysBefore', '/enabeld'])
  })

  test('an unknown scenario is a 404, and a staff key may not change one', async () => {
    const lib = await givenApiLibrary(testDeps(handle))
    const admin = await givenAdminKey(lib)

    const unknown = await problemOf(await admin.send('PATCH', '/api/v1/scenarios/circulation.fines', { enabled: false }), 404)
    const unknownRead = await problemOf(await lib.send('GET', '/api/v1/scenarios/circulation.fines'), 404)
    const staff = await problemOf(await lib.send('PATCH', '/api/v1/scenarios/circulation.overdue', { enabled: false }), 403)

    expect(unknown.type).toBe('urn:library-comms:problem:scenario-not-found')
    expect(unknownRead.detail).toBe('No scenario "circulation.fines"; GET /api/v1/scenarios lists them')
    expect(staff.type).toBe('urn:library-comms:problem:not-allowed')
    expect((await (await lib.send('GET', '/api/v1/scenarios/circulation.overdue')).json()).enabled).toBe(true)
  })
})
