import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { createApiKey } from '../../../src/domain/api-keys/create-api-key.ts'
import type { AppDeps } from '../../../src/domain/deps.ts'
import { cliActor } from '../../../src/domain/staff/actors.ts'
import type { ApiEnv } from '../../../src/http/api/authenticate.ts'
import { importRoutes } from '../../../src/http/api/imports.ts'
import { testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'
import { type GivenApiLibrary, givenApiLibrary, problemOf } from './given-api.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

type Caller = { app: { request: Hono['request'] }; key: string }

/** Sends `csv` as the library system would: `curl --data-binary @file -H 'Content-Type: text/csv'`. */
function upload(caller: Caller, path: string, csv: string, headers: Record<string, string> = {}) {
  return caller.app.request(path, {
    method: 'POST',
    headers: { authorization: `Bearer ${caller.key}`, 'content-type': 'text/csv', ...headers },
    body: csv,
  })
}

/** The student system's sync, with a key the IT admin created with the admin role. */
async function asAdmin(deps: AppDeps, lib: GivenApiLibrary): Promise<Caller> {
  const created = await createApiKey(deps, { libraryId: lib.id, name: 'SIS nightly', role: 'admin', actor: cliActor })
  if (!created.ok) throw new Error(`no API key: ${created.error.code}`)
  return { app: lib.app, key: created.value.key }
}

/** A small school: two Year 7 pupils, two Year 8; Ana's teacher was added by staff in Slack. */
async function givenSchool(deps: AppDeps) {
  const lib = await givenApiLibrary(deps)
  for (const [username, level] of [
    ['ana', 'Year 7'],
    ['ben', 'Year 7'],
    ['cai', 'Year 8'],
    ['dee', 'Year 8'],
  ]) {
    const pupil = await lib.patron({ username, level })
    await lib.contact(pupil, { role: 'guardian', address: `old-${username}@example.org`, source: 'import' })
    if (username === 'ana') await lib.contact(pupil, { role: 'other', address: 'teacher@school.example', source: 'staff' })
  }
  return lib
}

/** Every contact of the library as `username address`, sorted. */
async function contactsOf(lib: { id: number }): Promise<string[]> {
  const rows = await handle.db
    .selectFrom('contacts as c')
    .innerJoin('patrons as p', 'p.id', 'c.patron_id')
    .where('c.library_id', '=', lib.id)
    .select(['p.username', 'c.address'])
    .execute()
  return rows.map((row) => `${row.username} ${row.address}`).sort()
}

/** Batches still waiting to be applied, and rows still staged for any of the library's batches. */
async function leftoversOf(lib: { id: number }) {
  const batches = await handle.db.selectFrom('batches').where('library_id', '=', lib.id).select(['id', 'status']).execute()
  const ids = [0, ...batches.map((batch) => batch.id)]
  const staged = await handle.db.selectFrom('import_contact_rows').where('batch_id', 'in', ids).select('line').execute()
  const stagedPatrons = await handle.db.selectFrom('import_patron_rows').where('batch_id', 'in', ids).select('line').execute()
  return {
    waiting: batches.filter((batch) => ['staging', 'staged', 'applying'].includes(batch.status)).length,
    stagedRows: staged.length + stagedPatrons.length,
  }
}

const before = ['ana old-ana@example.org', 'ana teacher@school.example', 'ben old-ben@example.org', 'cai old-cai@example.org', 'dee old-dee@example.org']

const file = 'username,role,address\nana,guardian,new-ana@example.org\ncai,guardian,new-cai@example.org\ncai,patron,cai@school.example\n'

describe('a contacts import through the API', () => {
  test("add: the file's contacts are added to their patrons, audited as the key with the file's name", async () => {
    const lib = await givenSchool(testDeps(handle))

    const response = await upload(lib, '/api/v1/imports/contacts?mode=add', file, { 'content-disposition': 'attachment; filename="sis-export.csv"' })

    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({
      dryRun: false,
      fileName: 'sis-export.csv',
      added: 3,
      deleted: 0,
      warnings: [],
      summary: { rows: 3, patronsInFile: 2, contactsToAdd: 3, contactsToDelete: 0 },
    })
    expect(await contactsOf(lib)).toEqual([...before, 'ana new-ana@example.org', 'cai cai@school.example', 'cai new-cai@example.org'].sort())
    const audit = (await lib.auditActions()).find((entry) => entry.action === 'contacts.imported')
    expect(audit).toMatchObject({ actor: lib.actor, details: { fileName: 'sis-export.csv', mode: 'add', added: 3 } })
    expect(await leftoversOf(lib)).toEqual({ waiting: 0, stagedRows: 0 })
  })

  test('a dry run says what would happen, changes nothing and leaves nothing staged', async () => {
    const lib = await givenSchool(testDeps(handle))

    const response = await upload(lib, '/api/v1/imports/contacts?mode=add&dryRun=true', `${file}dee,guardian,new-dee@example.org\n`)

    expect(response.status).toBe(200)
    const preview = await response.json()
    expect(preview).toMatchObject({ dryRun: true, fileName: 'contacts.csv', batchId: expect.any(Number), summary: { rows: 4, contactsToAdd: 4 } })
    expect(preview.added).toBeUndefined()
    expect(preview.checksum).toMatch(/^[0-9a-f]{64}$/)
    expect(await contactsOf(lib)).toEqual(before)
    expect(await leftoversOf(lib)).toEqual({ waiting: 0, stagedRows: 0 })
  })

  test('replace modes need an admin key: a staff key gets 403, and nothing changes', async () => {
    const lib = await givenSchool(testDeps(handle))

    for (const query of ['mode=replace-patrons', 'mode=replace-levels&levels=Year 7', 'mode=replace-all&keepCustom=true', 'mode=replace-all&dryRun=true']) {
      const problem = await problemOf(await upload(lib, `/api/v1/imports/contacts?${query}`, file), 403)
      expect(problem).toMatchObject({ type: 'urn:library-comms:problem:not-allowed', detail: 'This needs the admin role; this key has the staff role' })
    }
    expect(await contactsOf(lib)).toEqual(before)
    expect(await leftoversOf(lib)).toEqual({ waiting: 0, stagedRows: 0 })
  })

  test('replace patrons in file, keeping custom contacts: the teacher added in Slack stays', async () => {
    const deps = testDeps(handle)
    const lib = await givenSchool(deps)

    const response = await upload(await asAdmin(deps, lib), '/api/v1/imports/contacts?mode=replace-patrons&keepCustom=true', file)

    expect(await response.json()).toMatchObject({ added: 3, deleted: 2, summary: { contactsKept: 1 } })
    expect(await contactsOf(lib)).toEqual([
      'ana new-ana@example.org',
      'ana teacher@school.example',
      'ben old-ben@example.org',
      'cai cai@school.example',
      'cai new-cai@example.org',
      'dee old-dee@example.org',
    ])
  })

  test('replace academic levels: a patron in the file but not in the chosen levels gets the contacts added', async () => {
    const deps = testDeps(handle)
    const lib = await givenSchool(deps)

    const response = await upload(await asAdmin(deps, lib), '/api/v1/imports/contacts?mode=replace-levels&levels=Year 7', file)

    expect(await response.json()).toMatchObject({ added: 3, deleted: 2 })
    expect(await contactsOf(lib)).toEqual([
      'ana new-ana@example.org',
      'ben old-ben@example.org',
      'cai cai@school.example',
      'cai new-cai@example.org',
      'cai old-cai@example.org',
      'dee old-dee@example.org',
    ])
  })

  test('replace all: patrons absent from the file end with no contacts', async () => {
    const deps = testDeps(handle)
    const lib = await givenSchool(deps)

    const response = await upload(await asAdmin(deps, lib), '/api/v1/imports/contacts?mode=replace-all', file)

    expect(await response.json()).toMatchObject({ added: 3, deleted: 5 })
    expect(await contactsOf(lib)).toEqual(['ana new-ana@example.org', 'cai cai@school.example', 'cai new-cai@example.org'])
  })

  test('a level the library does not have is a 422 naming it, and nothing changes', async () => {
    const deps = testDeps(handle)
    const lib = await givenSchool(deps)

    const response = await upload(await asAdmin(deps, lib), '/api/v1/imports/contacts?mode=replace-levels&levels=Year 7&levels=Year 9', file)

    const problem = await problemOf(response, 422)
    expect(problem).toMatchObject({
      type: 'urn:library-comms:problem:invalid-levels',
      errors: [{ parameter: 'levels', detail: 'no academic level "Year 9" in this library' }],
    })
    expect(await contactsOf(lib)).toEqual(before)
  })
})

describe('a contacts file the API refuses', () => {
  test('a file with errors is a 422 naming each line and column, and nothing changes', async () => {
    const lib = await givenSchool(testDeps(handle))
    const bad =
      'username,role,address,colour\nana,guardian,new-ana@example.org,red\nzed,guardian,z@example.org,\nben,aunt,b@example.org,\ncai,guardian,not-an-address,\n'

    const problem = await problemOf(await upload(lib, '/api/v1/imports/contacts?mode=add', bad), 422)

    expect(problem).toMatchObject({
      type: 'urn:library-comms:problem:invalid-file',
      detail: 'The file has 3 errors; nothing was changed',
      errorCount: 3,
      warnings: [{ line: 1, column: 'colour', detail: expect.any(String) }],
      patronsNotFound: 1,
    })
    expect(problem.errors).toEqual([
      { line: 3, column: 'username', detail: 'no patron with username "zed" in this library' },
      { line: 4, column: 'role', detail: expect.stringContaining('aunt') },
      { line: 5, column: 'address', detail: expect.stringContaining('not-an-address') },
    ])
    expect(await contactsOf(lib)).toEqual(before)
    expect(await leftoversOf(lib)).toEqual({ waiting: 0, stagedRows: 0 })
  })

  test('of a file with 150 errors the first 100 are listed and all are counted', async () => {
    const lib = await givenSchool(testDeps(handle))
    const ghosts = Array.from({ length: 150 }, (_, i) => `ghost${i},guardian,g${i}@example.org`).join('\n')

    const problem = await problemOf(await upload(lib, '/api/v1/imports/contacts?mode=add', `username,role,address\n${ghosts}\n`), 422)

    expect(problem).toMatchObject({ errorCount: 150 })
    expect(problem.errors).toHaveLength(100)
    expect(problem.errors?.[99]).toMatchObject({ line: 101, column: 'username' })
  })

  test('an empty body is a 422 that says the file is empty', async () => {
    const lib = await givenSchool(testDeps(handle))

    const problem = await problemOf(await upload(lib, '/api/v1/imports/contacts?mode=add', ''), 422)

    expect(problem).toMatchObject({ type: 'urn:library-comms:problem:unreadable-file', detail: expect.stringContaining('empty') })
    expect(await leftoversOf(lib)).toEqual({ waiting: 0, stagedRows: 0 })
  })

  test('a file sent as JSON is a 415, and nothing changes', async () => {
    const lib = await givenSchool(testDeps(handle))

    const problem = await problemOf(await upload(lib, '/api/v1/imports/contacts?mode=add', file, { 'content-type': 'application/json' }), 415)

    expect(problem.detail).toBe('Send the file as text/csv')
    expect(await contactsOf(lib)).toEqual(before)
    expect(await handle.db.selectFrom('batches').where('library_id', '=', lib.id).select('id').execute()).toEqual([])
  })

  test.each([
    ['mode=append', [{ parameter: 'mode', detail: 'Give one of add, replace-patrons, replace-levels, replace-all' }]],
    ['', [{ parameter: 'mode', detail: 'Required' }]],
    ['mode=add&dryrun=true', [{ parameter: 'dryrun', detail: '"dryrun" is not a known parameter' }]],
    ['mode=add&dryRun=yes', [{ parameter: 'dryRun', detail: 'Give true or false' }]],
    ['mode=replace-all&levels=Year 7', [{ parameter: 'levels', detail: 'levels goes only with mode=replace-levels' }]],
    ['mode=add&keepCustom=true', [{ parameter: 'keepCustom', detail: 'keepCustom goes only with the replace modes; add keeps every contact' }]],
  ])('the query "%s" is a 422 naming the parameter, and nothing changes', async (query, errors) => {
    const lib = await givenSchool(testDeps(handle))

    const problem = await problemOf(await upload(lib, `/api/v1/imports/contacts?${query}`, file), 422)

    expect(problem).toMatchObject({ type: 'urn:library-comms:problem:invalid-query', errors })
    expect(await contactsOf(lib)).toEqual(before)
  })
})

describe('a patrons import through the API', () => {
  test('patrons are created and updated by username', async () => {
    const lib = await givenApiLibrary(testDeps(handle))
    await lib.patron({ username: 'ana', firstName: 'Ana', lastName: 'Old' })
    const roster = 'username,first_name,last_name,academic_level,groups\nana,Ana,Silva,Year 7,Chess\nben,Ben,Jones,Year 8,\n'

    const response = await upload(lib, '/api/v1/imports/patrons', roster, { 'content-type': 'application/csv; charset=utf-8' })

    expect(await response.json()).toMatchObject({ dryRun: false, fileName: 'patrons.csv', created: 1, updated: 1, summary: { toCreate: 1, toUpdate: 1 } })
    const patron = await lib.send('GET', '/api/v1/patrons/ana')
    expect(await patron.json()).toMatchObject({ lastName: 'Silva', academicLevel: 'Year 7', groups: ['Chess'] })
    expect(await (await lib.send('GET', '/api/v1/patrons/ben')).json()).toMatchObject({ firstName: 'Ben', academicLevel: 'Year 8' })
  })

  test('a dry run creates nobody and leaves nothing staged', async () => {
    const lib = await givenApiLibrary(testDeps(handle))

    const response = await upload(lib, '/api/v1/imports/patrons?dryRun=true', 'username,first_name\nana,Ana\n', { 'content-type': 'text/plain' })

    expect(await response.json()).toMatchObject({ dryRun: true, summary: { rows: 1, toCreate: 1 } })
    await problemOf(await lib.send('GET', '/api/v1/patrons/ana'), 404)
    expect(await leftoversOf(lib)).toEqual({ waiting: 0, stagedRows: 0 })
  })

  test('bulk deactivation needs an admin: the key gets 403 and everyone stays enabled', async () => {
    const lib = await givenApiLibrary(testDeps(handle))
    await lib.patron({ username: 'leaver' })

    const problem = await problemOf(await upload(lib, '/api/v1/imports/patrons', 'username,enabled\nleaver,FALSE\n'), 403)

    expect(problem.detail).toBe('The file deactivates 1 patron, which needs the admin role; this key has the staff role. Nothing was changed')
    expect(problem).toMatchObject({ errors: [{ line: 2, column: 'enabled', detail: 'this row deactivates "leaver", which takes the admin role' }] })
    expect(await (await lib.send('GET', '/api/v1/patrons/leaver')).json()).toMatchObject({ enabled: true })
    expect(await leftoversOf(lib)).toEqual({ waiting: 0, stagedRows: 0 })
  })
})

test('a body over the size cap is a 413 as it streams, and nothing changes', async () => {
  const deps = testDeps(handle)
  const lib = await givenSchool(deps)
  const app = new Hono<ApiEnv>()
  app.use('*', async (c, next) => {
    c.set('caller', { libraryId: lib.id, actor: { ref: { kind: 'api_key', keyId: 1 }, role: 'admin' } })
    await next()
  })
  app.route('/api/v1', importRoutes(deps, { maxImportBytes: 1000 }))
  const big = `username,role,address\n${'ana,guardian,someone@example.org\n'.repeat(100)}`
  const response = await upload({ app, key: 'unused' }, '/api/v1/imports/contacts?mode=replace-all', big)
  const problem = await problemOf(response, 413)
  expect(problem.detail).toContain('larger than 1000 bytes')
  expect(response.headers.get('connection')).toBe('close')
  expect(await contactsOf(lib)).toEqual(before)
  expect(await leftoversOf(lib)).toEqual({ waiting: 0, stagedRows: 0 })
})
