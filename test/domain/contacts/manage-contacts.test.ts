import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { addContact } from '../../../src/domain/contacts/add-contact.ts'
import type { ContactFields } from '../../../src/domain/contacts/contact-fields.ts'
import { removeContact } from '../../../src/domain/contacts/remove-contact.ts'
import { updateContact } from '../../../src/domain/contacts/update-contact.ts'
import { contactScenarioNames } from '../../../src/domain/scenarios/catalogue.ts'
import { givenLibrary, staffActor, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

const guardian = (overrides: Partial<ContactFields> = {}): ContactFields => ({
  role: 'guardian',
  type: 'email',
  address: 'Ana.Silva@Example.org',
  isPrimary: false,
  addressee: 'Mrs Silva',
  bcc: 'default',
  usage: 'any',
  ...overrides,
})

describe('adding a contact', () => {
  test('keeps the address as entered and matches it normalised', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    const pupil = await lib.patron({ username: 'asilva' })
    const added = await addContact(deps, {
      libraryId: lib.id,
      patron: { username: 'ASilva' },
      fields: guardian({ address: '  Ana.Silva@Example.org ' }),
      source: 'staff',
      actor: staffActor(),
    })
    expect(added.ok && added.value.address).toBe('Ana.Silva@Example.org')
    const row = await deps.db.selectFrom('contacts').where('patron_id', '=', pupil.id).select(['address_key', 'source']).executeTakeFirstOrThrow()
    expect(row).toEqual({ address_key: 'ana.silva@example.org', source: 'staff' })
  })

  test('an email that is not one is refused on the address field and nothing is saved', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    const pupil = await lib.patron()
    const result = await addContact(deps, {
      libraryId: lib.id,
      patron: { patronId: pupil.id },
      fields: guardian({ address: 'ana.silva-at-example.org' }),
      source: 'staff',
      actor: staffActor(),
    })
    expect(result).toEqual({
      ok: false,
      error: { code: 'invalid_contact', problems: [{ field: 'address', message: 'Address "ana.silva-at-example.org" is not an email address' }] },
    })
    expect(await lib.contactsOf(pupil)).toEqual([])
    expect(await lib.auditActions()).toEqual([])
  })

  test('a second primary contact is refused on the primary field', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    const pupil = await lib.patron()
    await lib.contact(pupil, { role: 'patron', isPrimary: true })
    const result = await addContact(deps, {
      libraryId: lib.id,
      patron: { patronId: pupil.id },
      fields: guardian({ isPrimary: true }),
      source: 'staff',
      actor: staffActor(),
    })
    expect(!result.ok && result.error.code === 'invalid_contact' && result.error.problems[0].field).toBe('primary')
    expect(await lib.contactsOf(pupil)).toHaveLength(1)
  })

  test('a new custom contact starts with every scenario', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    const pupil = await lib.patron()
    const result = await addContact(deps, {
      libraryId: lib.id,
      patron: { patronId: pupil.id },
      fields: guardian({ usage: 'custom' }),
      source: 'staff',
      actor: staffActor(),
    })
    expect(result.ok && result.value.scenarios).toEqual([...contactScenarioNames].sort())
  })

  test('custom usage with no scenario, or an unknown one, is refused on the scenarios field', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    const pupil = await lib.patron()
    const none = await addContact(deps, {
      libraryId: lib.id,
      patron: { patronId: pupil.id },
      fields: guardian({ usage: 'custom', scenarios: [] }),
      source: 'staff',
      actor: staffActor(),
    })
    expect(!none.ok && none.error.code === 'invalid_contact' && none.error.problems).toEqual([
      { field: 'scenarios', message: 'Custom usage needs at least one matching scenario' },
    ])
    const unknown = await addContact(deps, {
      libraryId: lib.id,
      patron: { patronId: pupil.id },
      fields: guardian({ usage: 'custom', scenarios: ['circulation.overdue', 'birthday'] }),
      source: 'staff',
      actor: staffActor(),
    })
    expect(!unknown.ok && unknown.error.code === 'invalid_contact' && unknown.error.problems).toEqual([
      { field: 'scenarios', message: 'Unknown scenario: birthday' },
    ])
  })

  test('phone and social media contacts are recorded', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    const pupil = await lib.patron()
    const phone = await addContact(deps, {
      libraryId: lib.id,
      patron: { patronId: pupil.id },
      fields: guardian({ type: 'phone', address: '+61 2 9999 0000' }),
      source: 'staff',
      actor: staffActor(),
    })
    expect(phone.ok).toBe(true)
    const badPhone = await addContact(deps, {
      libraryId: lib.id,
      patron: { patronId: pupil.id },
      fields: guardian({ type: 'phone', address: 'call me' }),
      source: 'staff',
      actor: staffActor(),
    })
    expect(badPhone.ok).toBe(false)
  })

  test('a viewer may not add, and nothing changes', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    const pupil = await lib.patron()
    const result = await addContact(deps, {
      libraryId: lib.id,
      patron: { patronId: pupil.id },
      fields: guardian(),
      source: 'staff',
      actor: staffActor('viewer'),
    })
    expect(result).toEqual({ ok: false, error: { code: 'not_allowed', permission: 'changeContacts', needed: 'staff', role: 'viewer' } })
    const stranger = await addContact(deps, { libraryId: lib.id, patron: { patronId: pupil.id }, fields: guardian(), source: 'staff', actor: staffActor(null) })
    expect(stranger.ok).toBe(false)
    expect(await lib.contactsOf(pupil)).toEqual([])
  })

  test('a patron of another library is not found', async () => {
    const deps = testDeps(handle)
    const mine = await givenLibrary(deps)
    const theirs = await givenLibrary(deps)
    const pupil = await theirs.patron({ username: 'shared-name' })
    const result = await addContact(deps, { libraryId: mine.id, patron: { username: 'shared-name' }, fields: guardian(), source: 'staff', actor: staffActor() })
    expect(result).toEqual({ ok: false, error: { code: 'patron_not_found', username: 'shared-name' } })
    expect(await theirs.contactsOf(pupil)).toEqual([])
  })
})

describe('editing and removing a contact', () => {
  test('an edit is audited with before and after, and marks the contact as staff-edited', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    const pupil = await lib.patron({ username: 'bjones' })
    const id = await lib.contact(pupil, { address: 'old@example.org', source: 'import' })
    const result = await updateContact(deps, {
      libraryId: lib.id,
      contactId: id,
      changes: { address: 'new@example.org' },
      source: 'staff',
      actor: staffActor('staff', 'slack:U1'),
    })
    expect(result.ok && result.value.address).toBe('new@example.org')
    const [entry] = await lib.auditActions()
    expect(entry.action).toBe('contact.updated')
    expect(entry.actor).toBe('slack:U1')
    expect(entry.before).toMatchObject({ address: 'old@example.org', source: 'import', username: 'bjones' })
    expect(entry.after).toMatchObject({ address: 'new@example.org', source: 'staff', username: 'bjones' })
  })

  test('a new address drops the stop choices the old address made from its unsubscribe links; another edit keeps them', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    const pupil = await lib.patron()
    const mum = await lib.contact(pupil, { address: 'mum@example.org' })
    const dad = await lib.contact(pupil, { address: 'dad@example.org' })
    await deps.db
      .insertInto('recipient_choices')
      .values([mum, dad].map((contactId) => ({ contact_id: contactId, notice_group: 'overdue', stopped: true, chosen_at: new Date() })))
      .execute()
    const edit = (contactId: number, changes: Partial<ContactFields>) =>
      updateContact(deps, { libraryId: lib.id, contactId, changes, source: 'staff', actor: staffActor() })

    const renamed = await edit(dad, { addressee: 'Mr Silva', address: 'Dad@Example.org' })
    const readdressed = await edit(mum, { address: 'new.person@example.org' })

    expect(renamed.ok && renamed.value.stoppedByRecipient.map((s) => s.group)).toEqual(['overdue'])
    expect(readdressed.ok && readdressed.value.stoppedByRecipient).toEqual([])
  })

  test('making a second contact primary is refused while another is primary', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    const pupil = await lib.patron()
    await lib.contact(pupil, { role: 'patron', isPrimary: true })
    const other = await lib.contact(pupil)
    const result = await updateContact(deps, { libraryId: lib.id, contactId: other, changes: { isPrimary: true }, source: 'staff', actor: staffActor() })
    expect(result.ok).toBe(false)
    const keep = await updateContact(deps, { libraryId: lib.id, contactId: other, changes: { addressee: 'Dr Jones' }, source: 'staff', actor: staffActor() })
    expect(keep.ok).toBe(true)
  })

  test('removing a contact deletes it and records what it was', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    const pupil = await lib.patron()
    const id = await lib.contact(pupil, { address: 'gone@example.org', usage: 'custom', scenarios: ['circulation.overdue'] })
    const result = await removeContact(deps, { libraryId: lib.id, contactId: id, actor: staffActor() })
    expect(result.ok).toBe(true)
    expect(await lib.contactsOf(pupil)).toEqual([])
    const [entry] = await lib.auditActions()
    expect(entry).toMatchObject({ action: 'contact.removed', before: { address: 'gone@example.org', scenarios: ['circulation.overdue'] }, after: null })
    const again = await removeContact(deps, { libraryId: lib.id, contactId: id, actor: staffActor() })
    expect(again).toEqual({ ok: false, error: { code: 'contact_not_found', contactId: id } })
  })
})
