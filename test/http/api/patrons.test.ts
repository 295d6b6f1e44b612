import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { createApiKey } from '../../../src/domain/api-keys/create-api-key.ts'
import { cliActor } from '../../../src/domain/staff/actors.ts'
import { givenLibrary, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'
import { type GivenApiLibrary, givenApiLibrary, pointersOf, problemOf } from './given-api.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

const roster = [
  { username: 'asilva', firstName: 'Ana', lastName: 'Silva', type: 'student', academicLevel: 'Year 7', groups: ['7B', 'Chess club'], enabled: true },
  { username: 'bchen', firstName: 'Ben', lastName: 'Chen', type: 'staff', academicLevel: null, groups: [], enabled: true },
]

async function patronRowsOf(lib: GivenApiLibrary) {
  return handle.db
    .selectFrom('patrons')
    .where('library_id', '=', lib.id)
    .select(['username', 'first_name as firstName', 'type', 'is_enabled as isEnabled'])
    .orderBy('username')
    .execute()
}

describe('POST /api/v1/patrons', () => {
  test('a roster is created, then updated, and sending it again changes nothing', async () => {
    const lib = await givenApiLibrary(testDeps(handle))

    const first = await lib.send('POST', '/api/v1/patrons', roster)
    expect(first.status).toBe(200)
    expect(await first.json()).toEqual({ created: 2, updated: 0, unchanged: 0 })
    const moved = [{ ...roster[0], groups: ['7B'] }, roster[1]]
    expect(await (await lib.send('POST', '/api/v1/patrons', moved)).json()).toEqual({ created: 0, updated: 1, unchanged: 1 })
    expect(await (await lib.send('POST', '/api/v1/patrons', moved)).json()).toEqual({ created: 0, updated: 0, unchanged: 2 })

    expect(await patronRowsOf(lib)).toEqual([
      { username: 'asilva', firstName: 'Ana', type: 'student', isEnabled: true },
      { username: 'bchen', firstName: 'Ben', type: 'staff', isEnabled: true },
    ])
    const ana = await lib.send('GET', '/api/v1/patrons/asilva')
    expect(await ana.json()).toEqual({ ...roster[0], groups: ['7B'], contacts: [] })
    const upserts = (await lib.auditActions()).filter((entry) => entry.action === 'patrons.upserted')
    expect(upserts.map((entry) => entry.actor)).toEqual([lib.actor, lib.actor, lib.actor])
  })

  test('the library system deactivates a patron by sending the username and enabled alone, with an admin key', async () => {
    const lib = await givenApiLibrary(testDeps(handle))
    await lib.send('POST', '/api/v1/patrons', roster)
    const refused = await problemOf(
      await lib.send('POST', '/api/v1/patrons', [
        { username: 'newbie', enabled: false },
        { username: 'ASILVA', enabled: false },
      ]),
      403,
    )
    expect(refused.errors).toEqual([{ pointer: '/1/enabled', detail: 'This deactivates "ASILVA", which takes the admin role' }])
    const created = await createApiKey(testDeps(handle), { libraryId: lib.id, name: 'ILS', role: 'admin', actor: cliActor })
    if (!created.ok) throw new Error(created.error.code)

    const response = await lib.app.request('/api/v1/patrons', {
      method: 'POST',
      headers: { authorization: `Bearer ${created.value.key}`, 'content-type': 'application/json' },
      body: JSON.stringify([{ username: 'ASILVA', enabled: false }]),
    })

    expect(await response.json()).toEqual({ created: 0, updated: 1, unchanged: 0 })
    const ana = await (await lib.send('GET', '/api/v1/patrons/asilva')).json()
    expect(ana).toEqual({ ...roster[0], enabled: false, groups: ['7B', 'Chess club'], contacts: [] })
  })

  test('a batch with an unknown field, a wrong type or a missing username names each by index and changes nothing', async () => {
    const lib = await givenApiLibrary(testDeps(handle))

    const response = await lib.send('POST', '/api/v1/patrons', [
      roster[0],
      { username: 'cxu', nickname: 'Cee' },
      { username: 'dora', type: 'teacher' },
      { username: 'eli', enabled: 'yes' },
      { firstName: 'Nobody' },
    ])

    const problem = await problemOf(response, 422)
    expect(problem.type).toBe('urn:library-comms:problem:invalid-body')
    expect(pointersOf(problem)).toEqual(['/1/nickname', '/2/type', '/3/enabled', '/4/username'])
    expect(problem.errors![0].detail).toBe('"nickname" is not a known field')
    expect(problem.errors![3].detail).toBe('Required')
    expect(await patronRowsOf(lib)).toEqual([])
    expect((await lib.auditActions()).map((entry) => entry.action)).toEqual(['api_key.created'])
  })

  test('a username sent twice in one batch, in any case, is refused where it repeats and changes nothing', async () => {
    const lib = await givenApiLibrary(testDeps(handle))

    const response = await lib.send('POST', '/api/v1/patrons', [...roster, { username: 'ASilva', firstName: 'Other' }])

    const problem = await problemOf(response, 422)
    expect(problem.type).toBe('urn:library-comms:problem:invalid-patrons')
    expect(problem.errors).toEqual([{ pointer: '/2/username', detail: '"ASilva" is also at index 0' }])
    expect(await patronRowsOf(lib)).toEqual([])
  })

  test('a single patron instead of a list is refused on the whole body', async () => {
    const lib = await givenApiLibrary(testDeps(handle))

    const problem = await problemOf(await lib.send('POST', '/api/v1/patrons', roster[0]), 422)

    expect(pointersOf(problem)).toEqual([''])
    expect(await patronRowsOf(lib)).toEqual([])
  })
})

describe('GET /api/v1/patrons/{username}', () => {
  test('shows the patron with their contacts, primary first, in the API’s words, with the notices a recipient stopped themself', async () => {
    const deps = testDeps(handle)
    const lib = await givenApiLibrary(deps)
    const pupil = await lib.patron({ username: 'asilva', firstName: 'Ana', lastName: 'Silva', level: 'Year 7' })
    const guardianId = await lib.contact(pupil, { role: 'guardian', address: 'Mum@Example.org', addressee: 'Mrs Silva', bcc: 'yes' })
    const ownId = await lib.contact(pupil, { role: 'patron', address: 'ana@example.org', isPrimary: true, usage: 'custom', scenarios: ['circulation.overdue'] })
    // Mum used the unsubscribe link in an overdue notice (src/domain/preferences/choose-notice.ts).
    await handle.db
      .insertInto('recipient_choices')
      .values({ contact_id: guardianId, notice_group: 'overdue', stopped: true, chosen_at: '2026-03-03T19:12:00Z' })
      .execute()

    const response = await lib.send('GET', '/api/v1/patrons/ASilva')

    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      username: 'asilva',
      firstName: 'Ana',
      lastName: 'Silva',
      type: 'student',
      academicLevel: 'Year 7',
      groups: [],
      enabled: true,
      contacts: [
        {
          id: ownId,
          role: 'patron',
          type: 'email',
          address: 'ana@example.org',
          primary: true,
          addressee: '',
          bcc: 'default',
          usage: 'custom',
          scenarios: ['circulation.overdue'],
          stoppedByRecipient: [],
          source: 'import',
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
        },
        {
          id: guardianId,
          role: 'guardian',
          type: 'email',
          address: 'Mum@Example.org',
          primary: false,
          addressee: 'Mrs Silva',
          bcc: 'yes',
          usage: 'any',
          scenarios: [],
          stoppedByRecipient: [{ group: 'overdue', stoppedAt: '2026-03-03T19:12:00.000Z' }],
          source: 'import',
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
        },
      ],
    })
  })

  test('a patron who is not in the library, or only in another library, is not found', async () => {
    const deps = testDeps(handle)
    const lib = await givenApiLibrary(deps)
    const other = await givenLibrary(deps)
    await other.patron({ username: 'zoe' })

    const problem = await problemOf(await lib.send('GET', '/api/v1/patrons/zoe'), 404)

    expect(problem).toMatchObject({ type: 'urn:library-comms:problem:patron-not-found', detail: 'No patron with username "zoe" in this library' })
  })
})

describe('PATCH /api/v1/patrons/{username}', () => {
  /** The same library with a second key, of the admin role. */
  async function adminKeyOf(lib: GivenApiLibrary) {
    const created = await createApiKey(testDeps(handle), { libraryId: lib.id, name: 'ILS admin', role: 'admin', actor: cliActor })
    if (!created.ok) throw new Error(created.error.code)
    const { key, apiKey } = created.value
    return {
      actor: `api-key:${apiKey.id}`,
      patch: (path: string, body: unknown) =>
        lib.app.request(path, {
          method: 'PATCH',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
    }
  }

  async function libraryWithAna() {
    const lib = await givenApiLibrary(testDeps(handle))
    await lib.send('POST', '/api/v1/patrons', [roster[0]])
    await lib.contact({ id: (await patronIdOf(lib, 'asilva'))!, username: 'asilva' }, { address: 'mum@example.org' })
    return { lib, admin: await adminKeyOf(lib) }
  }

  async function patronIdOf(lib: GivenApiLibrary, username: string) {
    const row = await handle.db.selectFrom('patrons').where('library_id', '=', lib.id).where('username', '=', username).select('id').executeTakeFirst()
    return row?.id
  }

  test('an admin key deactivates a patron by username in any case, and is answered the patron as GET shows them; audited', async () => {
    const { lib, admin } = await libraryWithAna()

    const response = await admin.patch('/api/v1/patrons/ASILVA', { enabled: false })

    expect(response.status).toBe(200)
    const answered = await response.json()
    expect(answered).toMatchObject({ username: 'asilva', firstName: 'Ana', enabled: false, contacts: [{ address: 'mum@example.org' }] })
    expect(await (await lib.send('GET', '/api/v1/patrons/asilva')).json()).toEqual(answered)
    expect((await lib.auditActions()).filter((entry) => entry.action.startsWith('patron.'))).toEqual([
      expect.objectContaining({ action: 'patron.deactivated', actor: admin.actor }),
    ])
  })

  test('deactivating a patron already deactivated answers them as they are, and audits nothing more', async () => {
    const { lib, admin } = await libraryWithAna()

    await admin.patch('/api/v1/patrons/asilva', { enabled: false })
    const again = await admin.patch('/api/v1/patrons/asilva', { enabled: false })

    expect(again.status).toBe(200)
    expect(await again.json()).toMatchObject({ enabled: false })
    expect((await lib.auditActions()).filter((entry) => entry.action.startsWith('patron.'))).toHaveLength(1)
  })

  test('a staff key may not deactivate (403, nothing changes), but may reactivate', async () => {
    const { lib, admin } = await libraryWithAna()

    const refused = await problemOf(await lib.send('PATCH', '/api/v1/patrons/asilva', { enabled: false }), 403)
    expect(refused.detail).toBe('Deactivating a patron needs the admin role; this key has the staff role. Nothing was changed')
    expect(await patronRowsOf(lib)).toEqual([{ username: 'asilva', firstName: 'Ana', type: 'student', isEnabled: true }])

    await admin.patch('/api/v1/patrons/asilva', { enabled: false })
    const reactivated = await lib.send('PATCH', '/api/v1/patrons/asilva', { enabled: true })

    expect(reactivated.status).toBe(200)
    expect(await reactivated.json()).toMatchObject({ username: 'asilva', enabled: true })
    expect((await lib.auditActions()).filter((entry) => entry.action.startsWith('patron.'))).toEqual([
      expect.objectContaining({ action: 'patron.deactivated', actor: admin.actor }),
      expect.objectContaining({ action: 'patron.reactivated', actor: lib.actor }),
    ])
  })

  test('an unknown username is a 404, even for an admin', async () => {
    const { admin } = await libraryWithAna()

    const problem = await problemOf(await admin.patch('/api/v1/patrons/nobody', { enabled: false }), 404)

    expect(problem).toMatchObject({ type: 'urn:library-comms:problem:patron-not-found', detail: 'No patron with username "nobody" in this library' })
  })

  test('a body with another field, without enabled, or with enabled not a boolean is a 422 naming each, and nothing changes', async () => {
    const { lib, admin } = await libraryWithAna()

    const otherFields = await problemOf(await admin.patch('/api/v1/patrons/asilva', { enabled: false, firstName: 'Anna', groups: [] }), 422)
    const empty = await problemOf(await admin.patch('/api/v1/patrons/asilva', {}), 422)
    const notBoolean = await problemOf(await admin.patch('/api/v1/patrons/asilva', { enabled: 'false' }), 422)

    expect(otherFields.errors).toEqual([
      { pointer: '/firstName', detail: '"firstName" is not a known field' },
      { pointer: '/groups', detail: '"groups" is not a known field' },
    ])
    expect(pointersOf(empty)).toEqual(['/enabled'])
    expect(empty.errors?.[0].detail).toBe('Required')
    expect(pointersOf(notBoolean)).toEqual(['/enabled'])
    expect(await patronRowsOf(lib)).toEqual([{ username: 'asilva', firstName: 'Ana', type: 'student', isEnabled: true }])
    expect((await lib.auditActions()).filter((entry) => entry.action.startsWith('patron.'))).toEqual([])
  })
})
