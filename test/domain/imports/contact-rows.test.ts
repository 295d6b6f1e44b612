import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import type { AppDeps } from '../../../src/domain/deps.ts'
import type { ContactsImportRequest } from '../../../src/domain/imports/contacts-import.ts'
import { contactScenarioNames } from '../../../src/domain/scenarios/catalogue.ts'
import { type GivenLibrary, givenLibrary, staffActor, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'
import { csvFile } from '../../support/files.ts'
import { applyContactsImport, dryRunContacts, previewContactsImport } from '../../support/imports.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

const admin = staffActor('admin', 'slack:UADMIN')

/** A library with two pupils, Ana and Ben, and no contacts yet. */
async function givenPupils(deps: AppDeps) {
  const lib = await givenLibrary(deps)
  await lib.patron({ username: 'ana' })
  await lib.patron({ username: 'ben' })
  return lib
}

/** Dry-runs the file and, when it is fine, confirms it: what a librarian does in Slack. */
async function importFile(deps: AppDeps, lib: GivenLibrary, csv: string, options: Partial<Omit<ContactsImportRequest, 'file'>> = {}) {
  const dryRun = await dryRunContacts(deps, { libraryId: lib.id, actor: admin, ...options, file: csvFile(csv) })
  return dryRun.ok ? dryRun.confirm() : dryRun
}

/** The library's contacts as stored, each with its scenarios (contact_scenarios), in file order. */
async function storedContacts(deps: AppDeps, lib: GivenLibrary) {
  const { rows } = await sql<{
    username: string
    role: string
    type: string
    address: string
    addressKey: string
    isPrimary: boolean
    addressee: string
    bcc: string
    usage: string
    scenarios: string[]
  }>`select p.username, c.role, c.type, c.address, c.address_key as "addressKey", c.is_primary as "isPrimary",
      c.addressee, c.bcc, c.usage,
      coalesce((select array_agg(s.scenario order by s.scenario collate "C") from contact_scenarios s where s.contact_id = c.id), '{}') as scenarios
    from contacts c join patrons p on p.id = c.patron_id where c.library_id = ${lib.id} order by c.id`.execute(deps.db)
  return rows
}

/** The problems a dry run of `csv` reports, as a librarian reads them: line, column, message. */
async function problemsOf(deps: AppDeps, lib: GivenLibrary, csv: string) {
  const preview = await previewContactsImport(deps, { libraryId: lib.id, mode: 'add', levels: [], keepCustom: false, actor: admin, file: csvFile(csv) })
  if (preview.ok || preview.error.code !== 'invalid_file') throw new Error(`expected problems, got ${JSON.stringify(preview)}`)
  return preview.error.problems
}

describe('each documented column and value lands in the contact', () => {
  test('the documented labels, in any case and with spaces around them, are read as their values', async () => {
    const deps = testDeps(handle)
    const lib = await givenPupils(deps)
    const csv = [
      'username,role,type,address,primary,addressee,bcc,usage,scenarios',
      ' ana ,Guardian,Social media,@silva.family,,Mrs Silva,School default,Record keeping only,',
      'ana,OTHER, Phone ,+61 2 9999 0000,,,YES,Any scenario,',
      'ben,patron,email,Ben@School.example,Y,, no ,any,',
    ].join('\n')

    expect(await importFile(deps, lib, csv)).toMatchObject({ ok: true, value: { added: 3 } })

    expect(await storedContacts(deps, lib)).toEqual([
      {
        username: 'ana',
        role: 'guardian',
        type: 'social',
        address: '@silva.family',
        addressKey: '@silva.family',
        isPrimary: false,
        addressee: 'Mrs Silva',
        bcc: 'default',
        usage: 'none',
        scenarios: [],
      },
      {
        username: 'ana',
        role: 'other',
        type: 'phone',
        address: '+61 2 9999 0000',
        addressKey: '+61299990000',
        isPrimary: false,
        addressee: '',
        bcc: 'yes',
        usage: 'any',
        scenarios: [],
      },
      {
        username: 'ben',
        role: 'patron',
        type: 'email',
        address: 'Ben@School.example',
        addressKey: 'ben@school.example',
        isPrimary: true,
        addressee: '',
        bcc: 'no',
        usage: 'any',
        scenarios: [],
      },
    ])
  })

  test('columns a file leaves out take their defaults: an email, not primary, school default BCC, any scenario', async () => {
    const deps = testDeps(handle)
    const lib = await givenPupils(deps)
    expect(await importFile(deps, lib, 'username,role,address\nana,guardian,mum@example.org\n')).toMatchObject({ ok: true })
    expect(await storedContacts(deps, lib)).toEqual([
      {
        username: 'ana',
        role: 'guardian',
        type: 'email',
        address: 'mum@example.org',
        addressKey: 'mum@example.org',
        isPrimary: false,
        addressee: '',
        bcc: 'default',
        usage: 'any',
        scenarios: [],
      },
    ])
  })

  test('a row that leaves out its empty trailing fields takes the defaults', async () => {
    const deps = testDeps(handle)
    const lib = await givenPupils(deps)
    const csv = 'username,role,address,type,primary,addressee,bcc,usage,scenarios\nana,guardian,mum@example.org\n'
    expect(await importFile(deps, lib, csv)).toMatchObject({ ok: true, value: { added: 1 } })
    expect(await storedContacts(deps, lib)).toMatchObject([{ type: 'email', isPrimary: false, addressee: '', bcc: 'default', usage: 'any', scenarios: [] }])
  })

  test('empty cells take the same defaults as missing columns', async () => {
    const deps = testDeps(handle)
    const lib = await givenPupils(deps)
    const csv = 'username,role,type,address,primary,addressee,bcc,usage,scenarios\nana,guardian, ,mum@example.org, ,  , , ,\n'
    expect(await importFile(deps, lib, csv)).toMatchObject({ ok: true })
    expect(await storedContacts(deps, lib)).toMatchObject([{ type: 'email', isPrimary: false, addressee: '', bcc: 'default', usage: 'any', scenarios: [] }])
  })

  test.each([
    ['y', true],
    ['Yes', true],
    ['TRUE', true],
    ['1', true],
    ['n', false],
    ['no', false],
    ['False', false],
    ['0', false],
    [' N ', false],
  ])('primary "%s" is read as %s', async (cell, isPrimary) => {
    const deps = testDeps(handle)
    const lib = await givenPupils(deps)
    expect(await importFile(deps, lib, `username,role,address,primary\nana,guardian,mum@example.org,${cell}\n`)).toMatchObject({ ok: true })
    expect(await storedContacts(deps, lib)).toMatchObject([{ address: 'mum@example.org', isPrimary }])
  })
})

describe('custom usage: the scenarios a contact receives', () => {
  test('named scenarios, in any case and order, land in contact_scenarios', async () => {
    const deps = testDeps(handle)
    const lib = await givenPupils(deps)
    const csv = 'username,role,address,usage,scenarios\nana,guardian,mum@example.org,Custom, Circulation.Recall ;circulation.OVERDUE;;\n'
    expect(await importFile(deps, lib, csv)).toMatchObject({ ok: true, value: { added: 1 } })
    expect(await storedContacts(deps, lib)).toMatchObject([
      { address: 'mum@example.org', usage: 'custom', scenarios: ['circulation.overdue', 'circulation.recall'] },
    ])
  })

  test('an empty scenarios cell means every scenario', async () => {
    const deps = testDeps(handle)
    const lib = await givenPupils(deps)
    const csv = 'username,role,address,usage,scenarios\nana,guardian,mum@example.org,custom,\nben,guardian,dad@example.org,custom,  \n'
    expect(await importFile(deps, lib, csv)).toMatchObject({ ok: true, value: { added: 2 } })
    const every = [...contactScenarioNames].sort()
    expect(await storedContacts(deps, lib)).toMatchObject([
      { usage: 'custom', scenarios: every },
      { usage: 'custom', scenarios: every },
    ])
  })

  test('scenarios given to a contact that is not custom are ignored', async () => {
    const deps = testDeps(handle)
    const lib = await givenPupils(deps)
    const csv = 'username,role,address,usage,scenarios\nana,guardian,mum@example.org,any,circulation.recall\nben,guardian,dad@example.org,none,birthday\n'
    expect(await importFile(deps, lib, csv)).toMatchObject({ ok: true, value: { added: 2 } })
    expect(await storedContacts(deps, lib)).toMatchObject([
      { usage: 'any', scenarios: [] },
      { usage: 'none', scenarios: [] },
    ])
  })

  test('the same scenarios listed in another order are the same contact: a second import leaves it unchanged', async () => {
    const deps = testDeps(handle)
    const lib = await givenPupils(deps)
    const header = 'username,role,address,usage,scenarios\n'
    await importFile(deps, lib, `${header}ana,guardian,mum@example.org,custom,circulation.recall;circulation.overdue\n`)
    const again = await importFile(deps, lib, `${header}ana,guardian,mum@example.org,custom,Circulation.Overdue;circulation.recall;circulation.recall\n`, {
      mode: 'replace-all',
    })
    expect(again).toMatchObject({ ok: true, value: { added: 0, updated: 0, deleted: 0, unchanged: 1 } })
    expect(await storedContacts(deps, lib)).toMatchObject([{ scenarios: ['circulation.overdue', 'circulation.recall'] }])
  })

  test('a list of separators alone names no scenario, and is refused on its column', async () => {
    const deps = testDeps(handle)
    const lib = await givenPupils(deps)
    expect(await problemsOf(deps, lib, 'username,role,address,usage,scenarios\nana,guardian,mum@example.org,custom, ; ;\n')).toEqual([
      { line: 2, column: 'scenarios', message: 'custom usage needs at least one matching scenario' },
    ])
  })
})

describe('a value the documentation does not list is an error on its line and column', () => {
  test('an unknown type, primary, role, BCC or usage, each on its own column', async () => {
    const deps = testDeps(handle)
    const lib = await givenPupils(deps)
    const csv = [
      'username,role,type,address,primary,bcc,usage,scenarios',
      'ana,guardian,fax,02 9999 0000,,,,',
      'ana,guardian,email,mum@example.org,maybe,,,',
      'ana,  ,email,dad@example.org,,,,',
      'ben,parent,fax,ben@example.org,perhaps,sometimes,often,',
      'ana,guardian,email,gran@example.org,,,custom,circulation.recall;Birthday;fines',
    ].join('\n')
    expect(await problemsOf(deps, lib, csv)).toEqual([
      { line: 2, column: 'type', message: 'unknown type "fax" (email, phone or social)' },
      { line: 3, column: 'primary', message: '"maybe" is not yes or no' },
      { line: 4, column: 'role', message: 'role is empty (patron, guardian or other)' },
      { line: 5, column: 'role', message: 'unknown role "parent" (patron, guardian or other)' },
      { line: 5, column: 'type', message: 'unknown type "fax" (email, phone or social)' },
      { line: 5, column: 'primary', message: '"perhaps" is not yes or no' },
      { line: 5, column: 'bcc', message: 'unknown BCC preference "sometimes" (yes, no or default)' },
      { line: 5, column: 'usage', message: 'unknown usage "often" (any, none or custom)' },
      { line: 6, column: 'scenarios', message: 'unknown scenario "Birthday"' },
      { line: 6, column: 'scenarios', message: 'unknown scenario "fines"' },
    ])
    expect(await storedContacts(deps, lib)).toEqual([])
  })

  test('an empty or unknown username is an error on the username column; only unknown ones count as patrons not found', async () => {
    const deps = testDeps(handle)
    const lib = await givenPupils(deps)
    const preview = await previewContactsImport(deps, {
      libraryId: lib.id,
      mode: 'add',
      levels: [],
      keepCustom: false,
      actor: admin,
      file: csvFile('username,role,address\n  ,guardian,mum@example.org\nzed,guardian,zed@example.org\nZED,other,z@example.org\n'),
    })
    expect(preview).toEqual({
      ok: false,
      error: {
        code: 'invalid_file',
        problemCount: 3,
        warnings: [],
        patronsNotFound: 1,
        problems: [
          { line: 2, column: 'username', message: 'username is empty' },
          { line: 3, column: 'username', message: 'no patron with username "zed" in this library' },
          { line: 4, column: 'username', message: 'no patron with username "ZED" in this library' },
        ],
      },
    })
  })

  test('an address or addressee the contact rules refuse is named on its column, in lower case', async () => {
    const deps = testDeps(handle)
    const lib = await givenPupils(deps)
    const csv = `username,role,type,address,addressee\nana,guardian,phone,call 02 9999 0000,\nben,guardian,social,  ,\nben,guardian,email,dad@example.org,${'x'.repeat(201)}\n`
    expect(await problemsOf(deps, lib, csv)).toEqual([
      { line: 2, column: 'address', message: 'address "call 02 9999 0000" is not a phone number' },
      { line: 3, column: 'address', message: 'address is required' },
      { line: 4, column: 'addressee', message: 'addressee is longer than 200 characters' },
    ])
  })
})

describe('the header', () => {
  test('a column named twice, in another case, is an error on line 1', async () => {
    const deps = testDeps(handle)
    const lib = await givenPupils(deps)
    expect(await problemsOf(deps, lib, 'username,role,address, ADDRESS \nana,guardian,mum@example.org,dad@example.org\n')).toEqual([
      { line: 1, column: 'ADDRESS', message: 'column address appears twice', severity: 'error' },
    ])
    expect(await storedContacts(deps, lib)).toEqual([])
  })

  test('headers are matched without regard to case, spaces, underscores or hyphens; a blank header cell is no column', async () => {
    const deps = testDeps(handle)
    const lib = await givenPupils(deps)
    const csv = ' User Name ,ROLE,Address,Addressee ,B-C-C,Usage_,  ,Sce - nar_ios\nana,guardian,mum@example.org,Mrs Silva,yes,custom,,circulation.recall\n'
    const preview = await previewContactsImport(deps, { libraryId: lib.id, mode: 'add', levels: [], keepCustom: false, actor: admin, file: csvFile(csv) })
    expect(preview).toMatchObject({ ok: true, value: { warnings: [] } })
    await applyContactsImport(deps, { libraryId: lib.id, batchId: preview.ok ? preview.value.batchId : 0, actor: admin })
    expect(await storedContacts(deps, lib)).toMatchObject([
      { username: 'ana', addressee: 'Mrs Silva', bcc: 'yes', usage: 'custom', scenarios: ['circulation.recall'] },
    ])
  })

  test('a missing mandatory column is named, each of them, on line 1', async () => {
    const deps = testDeps(handle)
    const lib = await givenPupils(deps)
    expect(await problemsOf(deps, lib, 'type,primary\nemail,no\n')).toEqual([
      { line: 1, column: 'username', message: 'mandatory column username is missing', severity: 'error' },
      { line: 1, column: 'role', message: 'mandatory column role is missing', severity: 'error' },
      { line: 1, column: 'address', message: 'mandatory column address is missing', severity: 'error' },
    ])
  })
})
