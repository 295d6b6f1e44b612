import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { addContact } from '../../../src/domain/contacts/add-contact.ts'
import type { ContactFields } from '../../../src/domain/contacts/contact-fields.ts'
import { updateContact } from '../../../src/domain/contacts/update-contact.ts'
import type { AppDeps } from '../../../src/domain/deps.ts'
import { givenLibrary, staffActor, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'
import { csvFile } from '../../support/files.ts'
import { applyContactsImport, previewContactsImport } from '../../support/imports.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

const contact = (overrides: Partial<ContactFields>): ContactFields => ({
  role: 'guardian',
  type: 'email',
  address: 'mum@example.org',
  isPrimary: false,
  addressee: '',
  bcc: 'default',
  usage: 'any',
  ...overrides,
})

/** A pupil of a new library, and a way for staff to add contacts to her as they would in Slack. */
async function givenPupil(deps: AppDeps) {
  const lib = await givenLibrary(deps)
  const pupil = await lib.patron({ username: 'ana' })
  const add = (fields: Partial<ContactFields>) =>
    addContact(deps, { libraryId: lib.id, patron: { patronId: pupil.id }, fields: contact(fields), source: 'staff', actor: staffActor() })
  const stored = async () =>
    deps.db
      .selectFrom('contacts')
      .where('patron_id', '=', pupil.id)
      .select(['type', 'address', 'address_key as addressKey', 'addressee'])
      .orderBy('id')
      .execute()
  return { lib, pupil, add, stored }
}

const refusedOn = (field: string, message: string) => ({ ok: false, error: { code: 'invalid_contact', problems: [{ field, message }] } })
const alreadyHeld = refusedOn('address', 'This patron already has this address, as a guardian contact; edit that contact instead')

describe('phone numbers', () => {
  test('local numbers without "+", with spaces, brackets, dots or hyphens, are accepted and kept as typed', async () => {
    const deps = testDeps(handle)
    const { add, stored } = await givenPupil(deps)
    for (const address of ['02 9999 0000', '(03) 9123-4567', '0412.345.678', '123456', '+1 (555) 010-9999 99']) {
      expect([address, (await add({ type: 'phone', address })).ok]).toEqual([address, true])
    }
    expect((await stored()).map((c) => [c.address, c.addressKey])).toEqual([
      ['02 9999 0000', '0299990000'],
      ['(03) 9123-4567', '0391234567'],
      ['0412.345.678', '0412345678'],
      ['123456', '123456'],
      ['+1 (555) 010-9999 99', '+1555010999999'],
    ])
  })

  test('a number in words, too short or too long, or with "+" inside, is refused on the address field', async () => {
    const deps = testDeps(handle)
    const { add, stored } = await givenPupil(deps)
    for (const address of ['call 02 9999 0000', '02 9999 0000 ext', '12345', '+12345', '123456789012345678901', '02 +9999 0000', '02 9999/0000']) {
      expect(await add({ type: 'phone', address })).toEqual(refusedOn('address', `Address "${address}" is not a phone number`))
    }
    expect(await stored()).toEqual([])
  })

  test('the same number written two ways is the same address', async () => {
    const deps = testDeps(handle)
    const { add, stored } = await givenPupil(deps)
    expect((await add({ type: 'phone', address: '+61 2 9999 0000' })).ok).toBe(true)
    expect(await add({ type: 'phone', address: ' +61 (2) 9999-0000 ' })).toEqual(alreadyHeld)
    expect(await add({ type: 'phone', address: '+61.2.9999.0000' })).toEqual(alreadyHeld)
    // Without its "+" it is another number: 61 2 9999 0000 dialled from Australia.
    expect((await add({ type: 'phone', address: '61 2 9999 0000' })).ok).toBe(true)
    expect((await stored()).map((c) => c.addressKey)).toEqual(['+61299990000', '61299990000'])
  })

  test('a file giving a patron the same number twice, written two ways, is an error on the second line', async () => {
    const deps = testDeps(handle)
    const { lib } = await givenPupil(deps)
    const csv = 'username,role,type,address\nana,guardian,phone,02 9999 0000\nana,other,phone,(02) 9999-0000\n'
    const preview = await previewContactsImport(deps, {
      libraryId: lib.id,
      mode: 'add',
      levels: [],
      keepCustom: false,
      actor: staffActor(),
      file: csvFile(csv),
    })
    expect(!preview.ok && preview.error.code === 'invalid_file' && preview.error.problems).toEqual([
      { line: 3, column: 'address', message: '"ana" already has this address on line 2: a patron holds an address once' },
    ])
  })
})

describe('social media addresses', () => {
  test('any handle is accepted as typed, trimmed, and matched without regard to case or Unicode form', async () => {
    const deps = testDeps(handle)
    const { add, stored } = await givenPupil(deps)
    expect((await add({ type: 'social', address: '  @Zoë.Silva  ' })).ok).toBe(true)
    // "ë" as e and a combining diaeresis, as some phones type it.
    expect(await add({ type: 'social', address: '@zoe\u0308.silva' })).toEqual(alreadyHeld)
    expect(await stored()).toEqual([{ type: 'social', address: '@Zoë.Silva', addressKey: '@zoë.silva', addressee: '' }])
  })

  test('an empty address is refused, whatever its type', async () => {
    const deps = testDeps(handle)
    const { add, stored } = await givenPupil(deps)
    for (const type of ['social', 'phone', 'email'] as const) {
      expect(await add({ type, address: '   ' })).toEqual(refusedOn('address', 'Address is required'))
    }
    expect(await stored()).toEqual([])
  })

  test('an address that cannot be stored is refused on the address field', async () => {
    const deps = testDeps(handle)
    const { add } = await givenPupil(deps)
    expect(await add({ type: 'social', address: '@ana\u0000' })).toEqual(
      refusedOn('address', 'Address contains a NUL character (byte 0), which cannot be stored'),
    )
  })
})

describe('how long an address and an addressee may be', () => {
  const handleOf = (length: number) => `@${'a'.repeat(length - 1)}`

  test('an address of 320 characters is accepted, spaces around it aside; one of 321 is refused', async () => {
    const deps = testDeps(handle)
    const { add, stored } = await givenPupil(deps)
    expect((await add({ type: 'social', address: ` ${handleOf(320)} ` })).ok).toBe(true)
    expect(await add({ type: 'social', address: handleOf(321) })).toEqual(refusedOn('address', 'Address is longer than 320 characters'))
    // 325 characters: refused for its length, whatever its syntax.
    const email = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(64)}.org`
    expect(await add({ type: 'email', address: email })).toEqual(refusedOn('address', 'Address is longer than 320 characters'))
    expect((await stored()).map((c) => c.address.length)).toEqual([320])
  })

  test('an addressee of 200 characters is accepted; one of 201 is refused', async () => {
    const deps = testDeps(handle)
    const { add, stored } = await givenPupil(deps)
    expect((await add({ address: 'a@example.org', addressee: 'M'.repeat(200) })).ok).toBe(true)
    expect(await add({ address: 'b@example.org', addressee: 'M'.repeat(201) })).toEqual(refusedOn('addressee', 'Addressee is longer than 200 characters'))
    // Spaces around it are not kept, so they do not count, as for the address.
    expect((await add({ address: 'c@example.org', addressee: ` ${'M'.repeat(200)} ` })).ok).toBe(true)
    expect((await stored()).map((c) => c.addressee.length)).toEqual([200, 200])
  })

  test('an addressee is kept trimmed, and one that cannot be stored is refused on its field', async () => {
    const deps = testDeps(handle)
    const { add, stored } = await givenPupil(deps)
    expect((await add({ addressee: '  Mrs Silva ' })).ok).toBe(true)
    expect(await add({ address: 'b@example.org', addressee: 'Mrs \ud800Silva' })).toEqual(
      refusedOn('addressee', 'Addressee contains a broken character (half of a UTF-16 surrogate pair), which cannot be stored'),
    )
    expect((await stored()).map((c) => c.addressee)).toEqual(['Mrs Silva'])
  })

  test('an import holds both limits, each on its column', async () => {
    const deps = testDeps(handle)
    const { lib, stored } = await givenPupil(deps)
    const header = 'username,role,type,address,addressee\n'
    const import_ = (csv: string) =>
      previewContactsImport(deps, { libraryId: lib.id, mode: 'add', levels: [], keepCustom: false, actor: staffActor(), file: csvFile(header + csv) })
    const over = await import_(`ana,guardian,social,${handleOf(321)},${'M'.repeat(201)}\n`)
    expect(!over.ok && over.error.code === 'invalid_file' && over.error.problems).toEqual([
      { line: 2, column: 'address', message: 'address is longer than 320 characters' },
      { line: 2, column: 'addressee', message: 'addressee is longer than 200 characters' },
    ])
    const at = await import_(`ana,guardian,social,${handleOf(320)},${'M'.repeat(200)}\n`)
    await applyContactsImport(deps, { libraryId: lib.id, batchId: at.ok ? at.value.batchId : 0, actor: staffActor() })
    expect((await stored()).map((c) => [c.address.length, c.addressee.length])).toEqual([[320, 200]])
  })
})

describe('every problem of a contact is named at once', () => {
  test('a bad address, a long addressee and unknown scenarios are reported together, and nothing is saved', async () => {
    const deps = testDeps(handle)
    const { add, stored } = await givenPupil(deps)
    const result = await add({ address: 'not-an-email', addressee: 'M'.repeat(201), usage: 'custom', scenarios: ['birthday', 'circulation.recall', 'fines'] })
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'invalid_contact',
        problems: [
          { field: 'address', message: 'Address "not-an-email" is not an email address' },
          { field: 'addressee', message: 'Addressee is longer than 200 characters' },
          { field: 'scenarios', message: 'Unknown scenario: birthday, fines' },
        ],
      },
    })
    expect(await stored()).toEqual([])
  })

  test('a custom contact naming a scenario twice receives it once; one that is not custom keeps no scenarios', async () => {
    const deps = testDeps(handle)
    const { lib, add } = await givenPupil(deps)
    const custom = await add({ address: 'a@example.org', usage: 'custom', scenarios: ['circulation.recall', 'circulation.overdue', 'circulation.recall'] })
    expect(custom.ok && [...custom.value.scenarios].sort()).toEqual(['circulation.overdue', 'circulation.recall'])
    const any = await add({ address: 'b@example.org', usage: 'any', scenarios: ['circulation.recall'] })
    expect(any.ok && any.value.scenarios).toEqual([])
    // Made custom later without naming any: it starts with every scenario (seed 000).
    const edited = await updateContact(deps, {
      libraryId: lib.id,
      contactId: any.ok ? any.value.id : 0,
      changes: { usage: 'custom', role: 'other', bcc: 'yes', isPrimary: true },
      source: 'staff',
      actor: staffActor(),
    })
    expect(edited).toMatchObject({ ok: true, value: { role: 'other', type: 'email', bcc: 'yes', isPrimary: true, usage: 'custom' } })
    expect(edited.ok && edited.value.scenarios.length).toBe(13)
  })
})
