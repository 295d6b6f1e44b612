import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { contactScenarioNames } from '../../../src/domain/scenarios/catalogue.ts'
import { givenLibrary, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'
import { givenApiLibrary, pointersOf, problemOf } from './given-api.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

const contactActions = async (lib: { auditActions: () => Promise<Array<{ action: string; actor: string }>> }) =>
  (await lib.auditActions()).filter((entry) => entry.action.startsWith('contact.'))

describe('contacts through the API', () => {
  test('an address the patron already has is refused on the address field, in any case', async () => {
    const lib = await givenApiLibrary(testDeps(handle))
    const pupil = await lib.patron({ username: 'asilva' })
    expect((await lib.send('POST', '/api/v1/patrons/asilva/contacts', { role: 'guardian', address: 'Mum@Example.org' })).status).toBe(201)
    const other = await (await lib.send('POST', '/api/v1/patrons/asilva/contacts', { role: 'other', address: 'coach@example.org' })).json()

    const again = await problemOf(await lib.send('POST', '/api/v1/patrons/asilva/contacts', { role: 'other', address: ' mum@example.org' }), 422)
    const changedInto = await problemOf(await lib.send('PATCH', `/api/v1/contacts/${other.id}`, { address: 'MUM@example.org' }), 422)

    for (const problem of [again, changedInto]) {
      expect(problem.errors).toEqual([
        { pointer: '/address', detail: 'This patron already has this address, as a guardian contact; edit that contact instead' },
      ])
    }
    expect((await lib.contactsOf(pupil)).map((c) => c.address)).toEqual(['Mum@Example.org', 'coach@example.org'])
  })

  test('a contact is added with the defaults, read, changed and removed, each audited as the key', async () => {
    const lib = await givenApiLibrary(testDeps(handle))
    const pupil = await lib.patron({ username: 'asilva' })

    const added = await lib.send('POST', '/api/v1/patrons/asilva/contacts', { role: 'guardian', address: 'Mum@Example.org' })
    expect(added.status).toBe(201)
    const contact = await added.json()
    expect(added.headers.get('location')).toBe(`/api/v1/contacts/${contact.id}`)
    expect(contact).toEqual({
      id: expect.any(Number),
      role: 'guardian',
      type: 'email',
      address: 'Mum@Example.org',
      primary: false,
      addressee: '',
      bcc: 'default',
      usage: 'any',
      scenarios: [],
      stoppedByRecipient: [],
      source: 'api',
      createdAt: '2026-03-10T09:00:00.000Z',
      updatedAt: '2026-03-10T09:00:00.000Z',
    })
    expect(await (await lib.send('GET', added.headers.get('location')!)).json()).toEqual(contact)

    const changed = await lib.send('PATCH', `/api/v1/contacts/${contact.id}`, { primary: true, addressee: 'Mrs Silva' })
    expect(changed.status).toBe(200)
    expect(await changed.json()).toEqual({ ...contact, primary: true, addressee: 'Mrs Silva' })
    expect(await lib.contactsOf(pupil)).toEqual([
      { id: contact.id, role: 'guardian', address: 'Mum@Example.org', isPrimary: true, usage: 'any', source: 'api' },
    ])

    const removed = await lib.send('DELETE', `/api/v1/contacts/${contact.id}`)
    expect(removed.status).toBe(204)
    expect(await removed.text()).toBe('')
    await problemOf(await lib.send('GET', `/api/v1/contacts/${contact.id}`), 404)
    expect(await lib.contactsOf(pupil)).toEqual([])

    const audit = await contactActions(lib)
    expect(audit.map((entry) => [entry.action, entry.actor])).toEqual([
      ['contact.added', lib.actor],
      ['contact.updated', lib.actor],
      ['contact.removed', lib.actor],
    ])
  })

  test('a custom contact keeps only the scenarios it names', async () => {
    const lib = await givenApiLibrary(testDeps(handle))
    await lib.patron({ username: 'asilva' })

    const added = await lib.send('POST', '/api/v1/patrons/asilva/contacts', {
      role: 'other',
      address: 'teacher@school.example',
      usage: 'custom',
      scenarios: ['circulation.overdue', 'circulation.escalation_1'],
    })

    expect((await added.json()).scenarios).toEqual(['circulation.escalation_1', 'circulation.overdue'])
  })

  test('switching a contact to custom usage without naming scenarios matches every scenario', async () => {
    const lib = await givenApiLibrary(testDeps(handle))
    const pupil = await lib.patron()
    const id = await lib.contact(pupil)

    const changed = await lib.send('PATCH', `/api/v1/contacts/${id}`, { usage: 'custom' }, { 'content-type': 'application/merge-patch+json' })

    expect((await changed.json()).scenarios).toEqual([...contactScenarioNames].sort())
  })
})

describe('a bad contact is refused, naming its fields, and nothing is saved', () => {
  test('an address that is not an email address, on /address', async () => {
    const lib = await givenApiLibrary(testDeps(handle))
    const pupil = await lib.patron({ username: 'asilva' })

    const response = await lib.send('POST', '/api/v1/patrons/asilva/contacts', { role: 'guardian', address: 'mum-at-example.org' })

    const problem = await problemOf(response, 422)
    expect(problem.type).toBe('urn:library-comms:problem:invalid-contact')
    expect(problem.errors).toEqual([{ pointer: '/address', detail: 'Address "mum-at-example.org" is not an email address' }])
    expect(await lib.contactsOf(pupil)).toEqual([])
    expect(await contactActions(lib)).toEqual([])
  })

  test('a second primary contact, on /primary', async () => {
    const lib = await givenApiLibrary(testDeps(handle))
    const pupil = await lib.patron({ username: 'asilva' })
    await lib.contact(pupil, { role: 'patron', isPrimary: true })
    const guardianId = await lib.contact(pupil, { role: 'guardian' })

    const added = await lib.send('POST', '/api/v1/patrons/asilva/contacts', { role: 'guardian', address: 'dad@example.org', primary: true })
    const changed = await lib.send('PATCH', `/api/v1/contacts/${guardianId}`, { primary: true })

    expect(pointersOf(await problemOf(added, 422))).toEqual(['/primary'])
    expect(pointersOf(await problemOf(changed, 422))).toEqual(['/primary'])
    expect((await lib.contactsOf(pupil)).map((contact) => contact.isPrimary)).toEqual([true, false])
  })

  test('unknown fields, values outside the lists and a missing address, each by pointer', async () => {
    const lib = await givenApiLibrary(testDeps(handle))
    const pupil = await lib.patron({ username: 'asilva' })

    const response = await lib.send('POST', '/api/v1/patrons/asilva/contacts', {
      role: 'aunt',
      bcc: 'maybe',
      usage: 'custom',
      scenarios: ['circulation.overdue', 'birthday'],
      nickname: 'Gran',
    })

    const problem = await problemOf(response, 422)
    expect(pointersOf(problem)).toEqual(['/role', '/address', '/bcc', '/scenarios/1', '/nickname'])
    expect(await lib.contactsOf(pupil)).toEqual([])
  })

  test('a change that names no field', async () => {
    const lib = await givenApiLibrary(testDeps(handle))
    const pupil = await lib.patron()
    const id = await lib.contact(pupil, { source: 'staff' })

    const problem = await problemOf(await lib.send('PATCH', `/api/v1/contacts/${id}`, {}), 422)

    expect(problem.errors).toEqual([{ pointer: '', detail: 'Name at least one field to change' }])
    expect((await lib.contactsOf(pupil))[0].source).toBe('staff')
  })
})

describe('contacts the key’s library does not have are not found', () => {
  test('another library’s contact cannot be read, changed or removed', async () => {
    const deps = testDeps(handle)
    const lib = await givenApiLibrary(deps)
    const other = await givenLibrary(deps)
    const theirs = await other.patron({ username: 'asilva' })
    const id = await other.contact(theirs, { address: 'theirs@example.org' })

    for (const [method, body] of [['GET'], ['PATCH', { address: 'ours@example.org' }], ['DELETE']] as const) {
      const problem = await problemOf(await lib.send(method, `/api/v1/contacts/${id}`, body), 404)
      expect(problem).toMatchObject({ type: 'urn:library-comms:problem:contact-not-found', detail: `No contact ${id} in this library` })
    }
    await problemOf(await lib.send('POST', '/api/v1/patrons/asilva/contacts', { role: 'guardian', address: 'ours@example.org' }), 404)
    expect(await other.contactsOf(theirs)).toEqual([expect.objectContaining({ id, address: 'theirs@example.org' })])
    expect(await other.auditActions()).toEqual([])
  })

  test('an id that cannot be a contact is not found', async () => {
    const lib = await givenApiLibrary(testDeps(handle))

    for (const id of ['abc', '1e3', '0', '99999999999']) {
      await problemOf(await lib.send('GET', `/api/v1/contacts/${id}`), 404)
    }
  })
})
