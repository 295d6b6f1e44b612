import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import type { AppDeps } from '../../../src/domain/deps.ts'
import { cancelImport } from '../../../src/domain/imports/cancel-import.ts'
import type { ContactsImportRequest } from '../../../src/domain/imports/contacts-import.ts'
import { fixedClock, type GivenLibrary, type GivenPatron, givenLibrary, staffActor, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'
import { csvFile } from '../../support/files.ts'
import { applyContactsImport, dryRunContacts, importContactsAtOnce, previewContactsImport } from '../../support/imports.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

const admin = staffActor('admin', 'slack:UADMIN')

async function importContacts(
  deps: AppDeps,
  lib: GivenLibrary,
  csv: string | Uint8Array,
  options: Partial<Omit<ContactsImportRequest, 'file' | 'kind'>> = {},
  stream: { chunkBytes?: number } = {},
) {
  const dryRun = await dryRunContacts(deps, { libraryId: lib.id, actor: admin, ...options, file: csvFile(csv, stream) })
  if (!dryRun.ok) return { preview: dryRun, applied: undefined }
  return { preview: dryRun, applied: await dryRun.confirm() }
}

/** A small school: two Year 7 pupils, one Year 8 pupil, one pupil absent from every file. */
async function givenSchool(deps: AppDeps) {
  const lib = await givenLibrary(deps)
  const ana = await lib.patron({ username: 'ana', level: 'Year 7' })
  const ben = await lib.patron({ username: 'ben', level: 'Year 7' })
  const cai = await lib.patron({ username: 'cai', level: 'Year 8' })
  const dee = await lib.patron({ username: 'dee', level: 'Year 8' })
  for (const pupil of [ana, ben, cai, dee]) {
    await lib.contact(pupil, { role: 'guardian', address: `old-${pupil.username}@example.org`, source: 'import' })
  }
  await lib.contact(ana, { role: 'other', address: 'teacher@school.example', source: 'staff' })
  return { lib, ana, ben, cai, dee }
}

const addresses = async (lib: GivenLibrary, pupil: GivenPatron) => (await lib.contactsOf(pupil)).map((c) => c.address).sort()
const contactIds = async (deps: AppDeps, lib: GivenLibrary) =>
  (await deps.db.selectFrom('contacts').where('library_id', '=', lib.id).select(['id', 'address']).orderBy('id').execute()).map((c) => `${c.id} ${c.address}`)

const file = `username,role,address
ana,guardian,new-ana@example.org
cai,guardian,new-cai@example.org
cai,patron,cai@school.example
`

describe('the four modes of seed 000', () => {
  test('add: every contact in the file is added to its patron', async () => {
    const deps = testDeps(handle)
    const { lib, ana, ben, cai } = await givenSchool(deps)
    const { preview, applied } = await importContacts(deps, lib, file, { mode: 'add' })
    expect(preview.ok && preview.value.summary).toMatchObject({ rows: 3, patronsInFile: 2, contactsToAdd: 3, contactsToDelete: 0 })
    expect(applied).toMatchObject({ ok: true, value: { added: 3, deleted: 0 } })
    expect(await addresses(lib, ana)).toEqual(['new-ana@example.org', 'old-ana@example.org', 'teacher@school.example'])
    expect(await addresses(lib, ben)).toEqual(['old-ben@example.org'])
    expect(await addresses(lib, cai)).toEqual(['cai@school.example', 'new-cai@example.org', 'old-cai@example.org'])
  })

  test('replace patrons in file: their contacts are replaced, others untouched', async () => {
    const deps = testDeps(handle)
    const { lib, ana, ben, cai } = await givenSchool(deps)
    const { applied } = await importContacts(deps, lib, file, { mode: 'replace-patrons' })
    expect(applied).toMatchObject({ ok: true, value: { added: 3, deleted: 3 } })
    expect(await addresses(lib, ana)).toEqual(['new-ana@example.org'])
    expect(await addresses(lib, ben)).toEqual(['old-ben@example.org'])
    expect(await addresses(lib, cai)).toEqual(['cai@school.example', 'new-cai@example.org'])
  })

  test('replace patrons in file, keeping custom contacts', async () => {
    const deps = testDeps(handle)
    const { lib, ana } = await givenSchool(deps)
    const { preview } = await importContacts(deps, lib, file, { mode: 'replace-patrons', keepCustom: true })
    expect(preview.ok && preview.value.summary).toMatchObject({ contactsToDelete: 2, contactsKept: 1 })
    expect(await addresses(lib, ana)).toEqual(['new-ana@example.org', 'teacher@school.example'])
  })

  test('replace academic levels: a patron in the file but not in the chosen levels gets the contacts added', async () => {
    const deps = testDeps(handle)
    const { lib, ana, ben, cai } = await givenSchool(deps)
    const { applied } = await importContacts(deps, lib, file, { mode: 'replace-levels', levels: ['Year 7'] })
    expect(applied).toMatchObject({ ok: true, value: { added: 3, deleted: 2 } })
    expect(await addresses(lib, ana)).toEqual(['new-ana@example.org'])
    expect(await addresses(lib, ben)).toEqual(['old-ben@example.org'])
    expect(await addresses(lib, cai)).toEqual(['cai@school.example', 'new-cai@example.org', 'old-cai@example.org'])
  })

  test('replace academic levels matches the levels as staff type them, in any case', async () => {
    const deps = testDeps(handle)
    const { lib, ana, ben } = await givenSchool(deps)
    const { applied } = await importContacts(deps, lib, file, { mode: 'replace-levels', levels: ['  year 7 ', 'YEAR 7'] })
    expect(applied).toMatchObject({ ok: true, value: { added: 3, deleted: 2 } })
    expect(await addresses(lib, ana)).toEqual(['new-ana@example.org'])
    expect(await addresses(lib, ben)).toEqual(['old-ben@example.org'])
    const batch = await deps.db.selectFrom('batches').where('library_id', '=', lib.id).select('levels').executeTakeFirstOrThrow()
    expect(batch.levels).toEqual(['Year 7'])
    const unknown = await previewContactsImport(deps, {
      libraryId: lib.id,
      mode: 'replace-levels',
      levels: ['year 7', 'Year 12'],
      keepCustom: false,
      actor: admin,
      file: csvFile(file),
    })
    expect(unknown).toEqual({ ok: false, error: { code: 'invalid_levels', levels: ['Year 12'] } })
  })

  test('replace academic levels, keeping custom contacts: only the chosen level’s patrons in the file are replaced', async () => {
    const deps = testDeps(handle)
    const { lib, ana, ben, cai, dee } = await givenSchool(deps)
    const csv = 'username,role,address\nana,other,Teacher@School.example\nana,guardian,new-ana@example.org\ncai,guardian,new-cai@example.org\n'
    const { preview, applied } = await importContacts(deps, lib, csv, { mode: 'replace-levels', levels: ['Year 7'], keepCustom: true })
    expect(preview.ok && preview.value.summary).toEqual({
      rows: 3,
      patronsInFile: 2,
      patronsNotFound: 0,
      patronsTouched: 2,
      contactsToAdd: 2,
      contactsToUpdate: 0,
      contactsToDelete: 1,
      contactsUnchanged: 0,
      contactsKept: 1,
      duplicatesSkipped: 1,
    })
    expect(applied).toMatchObject({ ok: true, value: { added: 2, deleted: 1 } })
    const rows = async (pupil: GivenPatron) => (await lib.contactsOf(pupil)).map((c) => `${c.role} ${c.address} (${c.source})`).sort()
    expect(await rows(ana)).toEqual(['guardian new-ana@example.org (import)', 'other teacher@school.example (staff)'])
    expect(await rows(ben)).toEqual(['guardian old-ben@example.org (import)'])
    expect(await rows(cai)).toEqual(['guardian new-cai@example.org (import)', 'guardian old-cai@example.org (import)'])
    expect(await rows(dee)).toEqual(['guardian old-dee@example.org (import)'])
  })

  test('replace all: patrons absent from the file end with no contacts', async () => {
    const deps = testDeps(handle)
    const { lib, ana, ben, dee } = await givenSchool(deps)
    const { applied } = await importContacts(deps, lib, file, { mode: 'replace-all' })
    expect(applied).toMatchObject({ ok: true, value: { added: 3, deleted: 5 } })
    expect(await addresses(lib, ana)).toEqual(['new-ana@example.org'])
    expect(await addresses(lib, ben)).toEqual([])
    expect(await addresses(lib, dee)).toEqual([])
  })

  test('replace all keeping custom contacts does not add an exact duplicate of a kept one', async () => {
    const deps = testDeps(handle)
    const { lib, ana, ben } = await givenSchool(deps)
    const csv = `username,role,address\nana,other,Teacher@School.example\nana,guardian,new-ana@example.org\n`
    const { preview, applied } = await importContacts(deps, lib, csv, { mode: 'replace-all', keepCustom: true })
    expect(preview.ok && preview.value.summary).toMatchObject({ contactsKept: 1, duplicatesSkipped: 1, contactsToAdd: 1 })
    expect(applied?.ok).toBe(true)
    expect(await addresses(lib, ana)).toEqual(['new-ana@example.org', 'teacher@school.example'])
    expect(await addresses(lib, ben)).toEqual([])
  })
})

describe('a replace shows and makes only real changes', () => {
  test('the same file imported twice changes nothing the second time, and every contact keeps its id', async () => {
    const deps = testDeps(handle)
    const { lib } = await givenSchool(deps)
    const csv = [
      'username,role,address,addressee,primary,bcc,usage,scenarios',
      'ana,guardian,Mum@Example.org,Mrs Silva,yes,yes,any,',
      'ana,other,coach@school.example,,no,default,custom,circulation.recall;circulation.overdue',
      'ben,guardian,dad@example.org,,no,no,none,',
    ].join('\n')
    const first = await importContacts(deps, lib, csv, { mode: 'replace-all' })
    expect(first.applied).toMatchObject({ ok: true, value: { added: 3 } })
    const ids = await contactIds(deps, lib)

    const again = await importContacts(deps, lib, csv, { mode: 'replace-all' })

    expect(again.preview.ok && again.preview.value.summary).toMatchObject({
      rows: 3,
      patronsTouched: 0,
      contactsToAdd: 0,
      contactsToUpdate: 0,
      contactsToDelete: 0,
      contactsUnchanged: 3,
    })
    expect(again.applied).toMatchObject({ ok: true, value: { added: 0, updated: 0, deleted: 0, unchanged: 3 } })
    expect(await contactIds(deps, lib)).toEqual(ids)
  })

  test('a contact the file gives other details changes in place; one it drops goes; only those are counted', async () => {
    const deps = testDeps(handle)
    const { lib, ana, ben } = await givenSchool(deps)
    const [anaGuardian] = await lib.contactsOf(ana)
    const csv = 'username,role,address,addressee,primary\nana,guardian,OLD-ANA@example.org,Mrs Silva,yes\nben,guardian,old-ben@example.org,,no\n'

    const { preview, applied } = await importContacts(deps, lib, csv, { mode: 'replace-patrons' })

    expect(preview.ok && preview.value.summary).toMatchObject({
      patronsTouched: 1,
      contactsToAdd: 0,
      contactsToUpdate: 1,
      contactsToDelete: 1,
      contactsUnchanged: 1,
    })
    expect(applied).toMatchObject({ ok: true, value: { added: 0, updated: 1, deleted: 1, unchanged: 1 } })
    const anas = await deps.db.selectFrom('contacts').where('patron_id', '=', ana.id).select(['id', 'address', 'addressee', 'is_primary']).execute()
    expect(anas).toEqual([{ id: anaGuardian.id, address: 'OLD-ANA@example.org', addressee: 'Mrs Silva', is_primary: true }])
    expect(await addresses(lib, ben)).toEqual(['old-ben@example.org'])
  })

  test('a primary moved from one contact to another in the file lands', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    const pupil = await lib.patron({ username: 'zoe' })
    await lib.contact(pupil, { address: 'a@example.org', isPrimary: true })
    await lib.contact(pupil, { address: 'b@example.org' })
    const { applied } = await importContacts(deps, lib, 'username,role,address,primary\nzoe,guardian,a@example.org,no\nzoe,guardian,b@example.org,yes\n', {
      mode: 'replace-patrons',
    })
    expect(applied).toMatchObject({ ok: true, value: { updated: 2 } })
    expect((await lib.contactsOf(pupil)).map((c) => [c.address, c.isPrimary])).toEqual([
      ['a@example.org', false],
      ['b@example.org', true],
    ])
  })
})

describe('a patron holds an address once', () => {
  test('an add import run twice adds nothing the second time, and says how many rows it skipped', async () => {
    const deps = testDeps(handle)
    const { lib, ana } = await givenSchool(deps)
    await importContacts(deps, lib, file, { mode: 'add' })
    const before = await contactIds(deps, lib)

    const again = await importContacts(deps, lib, file, { mode: 'add' })

    expect(again.preview.ok && again.preview.value.summary).toMatchObject({ rows: 3, contactsToAdd: 0, duplicatesSkipped: 3 })
    expect(again.applied).toMatchObject({ ok: true, value: { added: 0, skipped: 3 } })
    expect(await contactIds(deps, lib)).toEqual(before)
    expect(await addresses(lib, ana)).toEqual(['new-ana@example.org', 'old-ana@example.org', 'teacher@school.example'])
  })

  test('an add import skips a row whose address the patron has in another case', async () => {
    const deps = testDeps(handle)
    const { lib, ana } = await givenSchool(deps)
    const { preview } = await importContacts(deps, lib, 'username,role,address\nana,guardian,OLD-Ana@Example.org\n', { mode: 'add' })
    expect(preview.ok && preview.value.summary).toMatchObject({ contactsToAdd: 0, duplicatesSkipped: 1 })
    expect(await addresses(lib, ana)).toEqual(['old-ana@example.org', 'teacher@school.example'])
  })

  test('two rows of one file giving a patron the same address are an error on the second', async () => {
    const deps = testDeps(handle)
    const { lib, ana } = await givenSchool(deps)
    const csv = 'username,role,address\nana,guardian,mum@example.org\nben,guardian,mum@example.org\nana,other,MUM@example.org\n'
    const { preview } = await importContacts(deps, lib, csv, { mode: 'add' })
    expect(preview).toMatchObject({
      ok: false,
      error: {
        code: 'invalid_file',
        problemCount: 1,
        problems: [{ line: 4, column: 'address', message: '"ana" already has this address on line 2: a patron holds an address once' }],
      },
    })
    expect(await addresses(lib, ana)).toEqual(['old-ana@example.org', 'teacher@school.example'])
  })
})

describe('bad input changes nothing', () => {
  test('each problem names its line and column, and the database is unchanged', async () => {
    const deps = testDeps(handle)
    const { lib, ana } = await givenSchool(deps)
    const csv = [
      'Username,Role,Address,Primary,BCC,Usage,Scenarios,Shoe Size',
      'ana,guardian,not-an-email,,,,,',
      'zed,guardian,zed@example.org,,,,,',
      'ana,parent,p@example.org,,,,,',
      'ana,guardian,g@example.org,,maybe,,,',
      'ana,guardian,h@example.org,,,sometimes,,',
      'ana,guardian,i@example.org,,,custom,circulation.overdue;birthday,',
      'ana,patron,ana@school.example,yes,,,,',
      'ana,guardian,j@example.org,yes,,,,',
    ].join('\n')
    const before = await addresses(lib, ana)
    const preview = await previewContactsImport(deps, {
      libraryId: lib.id,
      mode: 'replace-all',
      levels: [],
      keepCustom: false,
      actor: admin,
      file: csvFile(csv),
    })
    expect(preview).toEqual({
      ok: false,
      error: {
        code: 'invalid_file',
        problemCount: 7,
        patronsNotFound: 1,
        warnings: [{ line: 1, column: 'Shoe Size', message: 'unknown column "Shoe Size" is ignored', severity: 'warning' }],
        problems: [
          { line: 2, column: 'address', message: 'address "not-an-email" is not an email address' },
          { line: 3, column: 'username', message: 'no patron with username "zed" in this library' },
          { line: 4, column: 'role', message: 'unknown role "parent" (patron, guardian or other)' },
          { line: 5, column: 'bcc', message: 'unknown BCC preference "maybe" (yes, no or default)' },
          { line: 6, column: 'usage', message: 'unknown usage "sometimes" (any, none or custom)' },
          { line: 7, column: 'scenarios', message: 'unknown scenario "birthday"' },
          { line: 9, column: 'primary', message: 'a second primary contact for ana (the first is on line 8)' },
        ],
      },
    })
    expect(await addresses(lib, ana)).toEqual(before)
    expect(await lib.auditActions()).toEqual([])
  })

  test('a row that cannot be read is named by its line, however far into the file', async () => {
    const deps = testDeps(handle)
    const { lib, ana } = await givenSchool(deps)
    // Far enough in to span many chunks of the stream, and so many batches of records.
    const good = (from: number) => Array.from({ length: 5000 }, (_, i) => `ana,other,x${from + i}@example.org\n`).join('')
    const csv = `username,role,address\n${good(0)}ana,guardian,y@example.org,surplus\n${good(5000)}ana,guardian,"z@example.org\n`
    const before = await addresses(lib, ana)
    const preview = await previewContactsImport(deps, {
      libraryId: lib.id,
      mode: 'add',
      levels: [],
      keepCustom: false,
      actor: admin,
      file: csvFile(csv, { chunkBytes: 4096 }),
    })
    expect(!preview.ok && preview.error.code === 'invalid_file' && preview.error.problems).toEqual([
      { line: 5002, column: '(row)', message: 'this row has 4 fields and the header has 3 fields: a field that holds a comma must be in double quotes' },
      { line: 10003, column: '(row)', message: 'a quoted field is never closed (a " is missing), so the rest of the file runs into this field' },
    ])
    expect(await addresses(lib, ana)).toEqual(before)
  })

  test('a file cut short after its header is refused, and replace-all deletes nothing', async () => {
    const deps = testDeps(handle)
    const { lib, ana } = await givenSchool(deps)
    const before = await addresses(lib, ana)
    const staged = await importContactsAtOnce(deps, {
      libraryId: lib.id,
      mode: 'replace-all',
      levels: [],
      keepCustom: false,
      actor: admin,
      file: csvFile('username,role,address\r\n\r\n'),
    })
    expect(staged).toEqual({ ok: false, error: { code: 'unreadable_file', message: expect.stringContaining('a header but no rows') } })
    expect(await addresses(lib, ana)).toEqual(before)
  })

  test.runIf(process.env.TEST_DB === 'server')('a Cancel while Confirm applies the batch is told so, and changes nothing', async () => {
    const deps = testDeps(handle)
    const { lib } = await givenSchool(deps)
    const preview = await previewContactsImport(deps, {
      libraryId: lib.id,
      mode: 'replace-all',
      levels: [],
      keepCustom: false,
      actor: admin,
      file: csvFile(file),
    })
    const batchId = preview.ok ? preview.value.batchId : 0
    // As an apply holds it: its transaction has the batch's row.
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    let locked!: () => void
    const isLocked = new Promise<void>((resolve) => (locked = resolve))
    const applying = deps.db.transaction().execute(async (tx) => {
      await tx.selectFrom('batches').where('id', '=', batchId).select('id').forUpdate().execute()
      locked()
      await held
    })
    await isLocked
    expect(await cancelImport(deps, { libraryId: lib.id, batchId, actor: admin })).toEqual({
      ok: false,
      error: { code: 'batch_not_ready', batchId, status: 'applying' },
    })
    release()
    await applying
    const batch = await deps.db.selectFrom('batches').where('id', '=', batchId).select('status').executeTakeFirstOrThrow()
    expect(batch.status).toBe('staged')
    const staged = await deps.db
      .selectFrom('import_contact_rows')
      .where('batch_id', '=', batchId)
      .select((eb) => eb.fn.countAll<number>().as('rows'))
      .executeTakeFirstOrThrow()
    expect(Number(staged.rows)).toBe(3)
  })

  test('an import whose process died is given up by the next one, its staged rows with it', async () => {
    const deps = testDeps(handle)
    const { lib } = await givenSchool(deps)
    const preview = await previewContactsImport(deps, { libraryId: lib.id, mode: 'add', levels: [], keepCustom: false, actor: admin, file: csvFile(file) })
    const batchId = preview.ok ? preview.value.batchId : 0
    // As a process leaves it that dies while reading: staging, its heart stopped an hour ago.
    await deps.db
      .updateTable('batches')
      .set({ status: 'staging', heartbeat_at: new Date(deps.clock.now().getTime() - 3_600_000) })
      .where('id', '=', batchId)
      .execute()

    const next = await previewContactsImport(deps, { libraryId: lib.id, mode: 'add', levels: [], keepCustom: false, actor: admin, file: csvFile(file) })

    expect(next.ok).toBe(true)
    const dead = await deps.db.selectFrom('batches').where('id', '=', batchId).select('status').executeTakeFirstOrThrow()
    expect(dead.status).toBe('failed')
    const left = await deps.db.selectFrom('import_contact_rows').where('batch_id', '=', batchId).select('line').execute()
    expect(left).toEqual([])
  })

  test('cancelling a replace takes an admin, as confirming it does', async () => {
    const deps = testDeps(handle)
    const { lib } = await givenSchool(deps)
    const preview = await previewContactsImport(deps, {
      libraryId: lib.id,
      mode: 'replace-patrons',
      levels: [],
      keepCustom: false,
      actor: admin,
      file: csvFile(file),
    })
    const batchId = preview.ok ? preview.value.batchId : 0
    expect(await cancelImport(deps, { libraryId: lib.id, batchId, actor: staffActor('staff') })).toEqual({
      ok: false,
      error: { code: 'not_allowed', permission: 'replaceContacts', needed: 'admin', role: 'staff' },
    })
    expect(await cancelImport(deps, { libraryId: lib.id, batchId, actor: admin })).toEqual({ ok: true, value: { batchId } })
  })

  test('a missing mandatory column is named on line 1', async () => {
    const deps = testDeps(handle)
    const { lib } = await givenSchool(deps)
    const preview = await previewContactsImport(deps, {
      libraryId: lib.id,
      mode: 'add',
      levels: [],
      keepCustom: false,
      actor: admin,
      file: csvFile('username,address\nana,a@example.org\n'),
    })
    expect(!preview.ok && preview.error.code === 'invalid_file' && preview.error.problems).toEqual([
      { line: 1, column: 'role', message: 'mandatory column role is missing', severity: 'error' },
    ])
  })

  test('a primary beside an existing primary that the import keeps is refused', async () => {
    const deps = testDeps(handle)
    const { lib, ana } = await givenSchool(deps)
    await lib.contact(ana, { role: 'patron', address: 'ana@school.example', isPrimary: true, source: 'staff' })
    const csv = 'username,role,address,primary\nana,guardian,mum@example.org,yes\n'
    const added = await previewContactsImport(deps, { libraryId: lib.id, mode: 'add', levels: [], keepCustom: false, actor: admin, file: csvFile(csv) })
    expect(!added.ok && added.error.code === 'invalid_file' && added.error.problems).toEqual([
      { line: 2, column: 'primary', message: 'the patron already has a primary contact that this import keeps' },
    ])
    const replaced = await previewContactsImport(deps, {
      libraryId: lib.id,
      mode: 'replace-patrons',
      levels: [],
      keepCustom: false,
      actor: admin,
      file: csvFile(csv),
    })
    expect(replaced.ok).toBe(true)
  })

  test('a file applied at once and refused by the database still names the columns it ignored', async () => {
    const deps = testDeps(handle)
    const { lib, ana } = await givenSchool(deps)
    await lib.contact(ana, { role: 'patron', address: 'ana@school.example', isPrimary: true, source: 'staff' })
    const applied = await importContactsAtOnce(deps, {
      libraryId: lib.id,
      mode: 'add',
      levels: [],
      keepCustom: false,
      actor: admin,
      file: csvFile('username,role,address,primary,colour\nana,guardian,mum@example.org,yes,red\n'),
    })
    expect(applied).toEqual({
      ok: false,
      error: {
        code: 'invalid_file',
        problemCount: 1,
        problems: [{ line: 2, column: 'primary', message: 'the patron already has a primary contact that this import keeps' }],
        warnings: [{ line: 1, column: 'colour', message: 'unknown column "colour" is ignored', severity: 'warning' }],
      },
    })
  })

  test('a database error mid-way leaves the contacts exactly as before', async () => {
    const deps = testDeps(handle)
    const { lib, ana, ben } = await givenSchool(deps)
    const before = [await addresses(lib, ana), await addresses(lib, ben)]
    // The deletes have run when the insert of the poisoned row fails.
    await sql`create or replace function refuse_poison() returns trigger language plpgsql as $$
      begin if new.address = 'poison@example.org' then raise exception 'disk full'; end if; return new; end $$`.execute(deps.db)
    await sql`create trigger refuse_poison before insert on contacts for each row execute function refuse_poison()`.execute(deps.db)
    try {
      const preview = await previewContactsImport(deps, {
        libraryId: lib.id,
        mode: 'replace-all',
        levels: [],
        keepCustom: false,
        actor: admin,
        file: csvFile('username,role,address\nana,guardian,fine@example.org\nben,guardian,poison@example.org\n'),
      })
      await expect(applyContactsImport(deps, { libraryId: lib.id, batchId: preview.ok ? preview.value.batchId : 0, actor: admin })).rejects.toThrow(/disk full/)
    } finally {
      await sql`drop trigger refuse_poison on contacts`.execute(deps.db)
    }
    expect([await addresses(lib, ana), await addresses(lib, ben)]).toEqual(before)
    expect((await lib.auditActions()).map((a) => a.action)).toEqual([])
    const batch = await deps.db.selectFrom('batches').where('library_id', '=', lib.id).select('status').executeTakeFirstOrThrow()
    expect(batch.status).toBe('failed')
  })

  test('replace modes need an admin; staff may add', async () => {
    const deps = testDeps(handle)
    const { lib } = await givenSchool(deps)
    const staff = staffActor('staff')
    const replace = await previewContactsImport(deps, {
      libraryId: lib.id,
      mode: 'replace-all',
      levels: [],
      keepCustom: false,
      actor: staff,
      file: csvFile(file),
    })
    expect(replace).toEqual({ ok: false, error: { code: 'not_allowed', permission: 'replaceContacts', needed: 'admin', role: 'staff' } })
    const add = await previewContactsImport(deps, { libraryId: lib.id, mode: 'add', levels: [], keepCustom: false, actor: staff, file: csvFile(file) })
    expect(add.ok).toBe(true)
  })

  test('two imports for one library never run at once', async () => {
    const deps = testDeps(handle)
    const { lib } = await givenSchool(deps)
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const slow = csvFile(file)
    const slowBytes = slow.bytes
    const first = previewContactsImport(deps, {
      libraryId: lib.id,
      mode: 'add',
      levels: [],
      keepCustom: false,
      actor: admin,
      file: {
        name: 'slow.csv',
        bytes: (async function* () {
          await gate
          yield* slowBytes
        })(),
      },
    })
    await new Promise((resolve) => setTimeout(resolve, 50))
    const second = await previewContactsImport(deps, { libraryId: lib.id, mode: 'add', levels: [], keepCustom: false, actor: admin, file: csvFile(file) })
    expect(!second.ok && second.error.code).toBe('batch_running')
    release()
    expect((await first).ok).toBe(true)
  })
})

describe('files as spreadsheets save them', () => {
  test('a UTF-8 BOM, CRLF line ends, quoted fields with commas and line breaks, and blank trailing lines', async () => {
    const deps = testDeps(handle)
    const { lib, ana } = await givenSchool(deps)
    const csv = '\uFEFFUSERNAME , Role,Address,Addressee\r\nana,guardian,mum@example.org,"Silva, Maria\r\n(mother)"\r\n\r\n\r\n'
    const { applied } = await importContacts(deps, lib, csv, { mode: 'replace-patrons' })
    expect(applied?.ok).toBe(true)
    const rows = await deps.db.selectFrom('contacts').where('patron_id', '=', ana.id).select(['address', 'addressee']).execute()
    expect(rows).toEqual([{ address: 'mum@example.org', addressee: 'Silva, Maria\r\n(mother)' }])
  })

  test('a Windows-1252 file is read as such, accents intact', async () => {
    const deps = testDeps(handle)
    const { lib, ana } = await givenSchool(deps)
    const ascii = `username,role,address,addressee\r\n${Array.from({ length: 3000 }, (_, i) => `ana,other,x${i}@example.org,Plain\r\n`).join('')}`
    const accented = Buffer.concat([Buffer.from(ascii), Buffer.from('ana,guardian,j@example.org,Mme H\xe9l\xe8ne M\xfcller\r\n', 'latin1')])
    const preview = await previewContactsImport(deps, {
      libraryId: lib.id,
      mode: 'add',
      levels: [],
      keepCustom: false,
      actor: admin,
      file: csvFile(new Uint8Array(accented), { chunkBytes: 4096 }),
    })
    expect(preview.ok).toBe(true)
    await applyContactsImport(deps, { libraryId: lib.id, batchId: preview.ok ? preview.value.batchId : 0, actor: admin })
    const row = await deps.db
      .selectFrom('contacts')
      .where('patron_id', '=', ana.id)
      .where('address', '=', 'j@example.org')
      .select('addressee')
      .executeTakeFirst()
    expect(row?.addressee).toBe('Mme Hélène Müller')
  })

  test('a Windows-1252 file whose first accent ends a chunk of the stream is still read as such', async () => {
    const deps = testDeps(handle)
    const { lib, ana } = await givenSchool(deps)
    const before = 'username,role,address,addressee\nana,guardian,j@example.org,H'
    const bytes = Buffer.concat([Buffer.from(before), Buffer.from('\xe9l\xe8ne\n', 'latin1')])
    // The first chunk ends with the é: a lone byte that could yet start a UTF-8 character.
    const { applied } = await importContacts(deps, lib, new Uint8Array(bytes), { mode: 'add' }, { chunkBytes: before.length + 1 })
    expect(applied?.ok).toBe(true)
    const row = await deps.db
      .selectFrom('contacts')
      .where('patron_id', '=', ana.id)
      .where('address', '=', 'j@example.org')
      .select('addressee')
      .executeTakeFirst()
    expect(row?.addressee).toBe('Hélène')
  })

  test('a UTF-8 file cut off inside its last character is refused as cut short', async () => {
    const deps = testDeps(handle)
    const { lib } = await givenSchool(deps)
    const bytes = Buffer.concat([
      Buffer.from('username,role,address,addressee\nana,guardian,a@example.org,Zoë\nana,guardian,b@example.org,Zo'),
      Buffer.from([0xc3]),
    ])
    const preview = await previewContactsImport(deps, {
      libraryId: lib.id,
      mode: 'add',
      levels: [],
      keepCustom: false,
      actor: admin,
      file: csvFile(new Uint8Array(bytes)),
    })
    expect(preview).toEqual({ ok: false, error: { code: 'unreadable_file', message: expect.stringContaining('cut short') } })
  })

  test('a file that switches encoding part-way is refused, not garbled', async () => {
    const deps = testDeps(handle)
    const { lib } = await givenSchool(deps)
    const bytes = Buffer.concat([
      Buffer.from('username,role,address,addressee\nana,guardian,a@example.org,Zoë\n'),
      Buffer.from('ana,guardian,b@example.org,Zo\xeb\n', 'latin1'),
    ])
    const preview = await previewContactsImport(deps, {
      libraryId: lib.id,
      mode: 'add',
      levels: [],
      keepCustom: false,
      actor: admin,
      file: csvFile(new Uint8Array(bytes)),
    })
    expect(preview.ok).toBe(false)
    expect(!preview.ok && preview.error.code).toBe('unreadable_file')
  })
})

test('each value of a row is staged in its own column, by name', async () => {
  const deps = testDeps(handle)
  const { lib, ana } = await givenSchool(deps)
  const csv =
    'username,role,type,address,primary,addressee,bcc,usage,scenarios\nANA,other,email,Coach@School.example,yes,Coach Kim,no,custom,circulation.recall;circulation.overdue\n'
  const preview = await previewContactsImport(deps, { libraryId: lib.id, mode: 'add', levels: [], keepCustom: false, actor: admin, file: csvFile(csv) })
  if (!preview.ok) throw new Error(preview.error.code)
  const staged = await deps.db.selectFrom('import_contact_rows').where('batch_id', '=', preview.value.batchId).selectAll().execute()
  expect(staged).toEqual([
    {
      batch_id: preview.value.batchId,
      line: 2,
      username: 'ANA',
      role: 'other',
      type: 'email',
      address: 'Coach@School.example',
      address_key: 'coach@school.example',
      is_primary: true,
      addressee: 'Coach Kim',
      bcc: 'no',
      usage: 'custom',
      scenarios: 'circulation.overdue;circulation.recall',
      patron_id: ana.id,
    },
  ])
})

test('a dry run left unconfirmed for a day expires: Confirm then says so, and changes nothing', async () => {
  const clock = fixedClock('2026-03-10T09:00:00Z')
  const deps = testDeps(handle, { clock })
  const { lib, ana } = await givenSchool(deps)
  const before = await addresses(lib, ana)
  const preview = await previewContactsImport(deps, {
    libraryId: lib.id,
    mode: 'replace-all',
    levels: [],
    keepCustom: false,
    actor: admin,
    file: csvFile(file),
  })
  if (!preview.ok) throw new Error(preview.error.code)
  clock.set('2026-03-11T09:00:01Z')
  expect(await applyContactsImport(deps, { libraryId: lib.id, batchId: preview.value.batchId, actor: admin })).toEqual({
    ok: false,
    error: { code: 'batch_not_ready', batchId: preview.value.batchId, status: 'expired' },
  })
  expect(await addresses(lib, ana)).toEqual(before)
})
