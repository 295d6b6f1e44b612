import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import type { AppDeps } from '../../../src/domain/deps.ts'
import { releaseImport } from '../../../src/domain/imports/release-import.ts'
import { type GivenLibrary, givenLibrary, staffActor, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'
import { csvFile } from '../../support/files.ts'
import { applyContactsImport, previewContactsImport, previewPatronsImport } from '../../support/imports.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

const admin = staffActor('admin', 'slack:UADMIN')

async function givenPupils(deps: AppDeps) {
  const lib = await givenLibrary(deps)
  const ana = await lib.patron({ username: 'ana' })
  const ben = await lib.patron({ username: 'ben' })
  await lib.contact(ana, { address: 'old-ana@example.org' })
  await lib.contact(ben, { address: 'old-ben@example.org' })
  return { lib, ana, ben }
}

const replaceAll = (deps: AppDeps, lib: GivenLibrary, content: string | Uint8Array) =>
  previewContactsImport(deps, { libraryId: lib.id, mode: 'replace-all', levels: [], keepCustom: false, actor: admin, file: csvFile(content) })

const allAddresses = async (deps: AppDeps, lib: GivenLibrary) =>
  (await deps.db.selectFrom('contacts').where('library_id', '=', lib.id).select('address').orderBy('address').execute()).map((c) => c.address)

describe('a file with bytes no school meant to send is refused, and nothing changes', () => {
  test('a NUL byte in one cell is an error on its line and column; replace-all deletes nothing', async () => {
    const deps = testDeps(handle)
    const { lib } = await givenPupils(deps)
    const result = await replaceAll(
      deps,
      lib,
      'username,role,address,addressee\nana,guardian,mum@example.org,Guar\u0000dian\nben,guardian,dad@example.org,Dad\n',
    )
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'invalid_file', problemCount: 1, problems: [{ line: 2, column: 'addressee', message: expect.stringContaining('NUL character') }] },
    })
    expect(await allAddresses(deps, lib)).toEqual(['old-ana@example.org', 'old-ben@example.org'])
  })

  test('a row of NUL bytes is one error on its line', async () => {
    const deps = testDeps(handle)
    const { lib } = await givenPupils(deps)
    const result = await replaceAll(deps, lib, 'username,role,address\n\u0000\u0000\u0000,\u0000,\u0000\nben,guardian,dad@example.org\n')
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_file', problemCount: 1, problems: [{ line: 2, column: 'username' }] } })
  })

  test('a NUL byte in the header is an error on line 1, and no row is read as if the header were fine', async () => {
    const deps = testDeps(handle)
    const { lib } = await givenPupils(deps)
    const result = await replaceAll(deps, lib, 'username,ro\u0000le,address\nben,guardian,dad@example.org\n')
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_file', problems: [{ line: 1, column: 'field 2' }] } })
    expect(await allAddresses(deps, lib)).toEqual(['old-ana@example.org', 'old-ben@example.org'])
  })

  test('a NUL byte in a patrons file is an error on its line and column', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    const result = await previewPatronsImport(deps, {
      libraryId: lib.id,
      actor: admin,
      file: csvFile('username,first_name\nzed,Ze\u0000d\n', { name: 'patrons.csv' }),
    })
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_file', problems: [{ line: 2, column: 'first_name' }] } })
  })

  test('a 5 MB cell is refused with a short message that does not quote it whole', async () => {
    const deps = testDeps(handle)
    const { lib } = await givenPupils(deps)
    const huge = 'x'.repeat(5 * 1024 * 1024)
    const result = await replaceAll(deps, lib, `username,role,address\nana,${huge},mum@example.org\nben,guardian,${huge}\n`)
    expect(result.ok).toBe(false)
    if (result.ok || result.error.code !== 'invalid_file') throw new Error('expected invalid_file')
    expect(result.error.problems.map((p) => [p.line, p.column])).toEqual([
      [2, 'role'],
      [3, 'address'],
    ])
    for (const problem of result.error.problems) expect(problem.message.length).toBeLessThan(200)
    expect(await allAddresses(deps, lib)).toEqual(['old-ana@example.org', 'old-ben@example.org'])
  })

  test('a file cut in the middle of a row names that row, and changes nothing', async () => {
    const deps = testDeps(handle)
    const { lib } = await givenPupils(deps)
    const result = await replaceAll(deps, lib, 'username,role,address,addressee\nana,guardian,mum@example.org,Mum\nben,guard')
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_file', problems: [{ line: 3 }] } })
    expect(await allAddresses(deps, lib)).toEqual(['old-ana@example.org', 'old-ben@example.org'])
  })

  test('a file cut inside a quoted cell names the row where the quote opens', async () => {
    const deps = testDeps(handle)
    const { lib } = await givenPupils(deps)
    const result = await replaceAll(deps, lib, 'username,role,address,addressee\nana,guardian,mum@example.org,"Mum\nben,guardian,dad@example.org,Dad\n')
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_file', problems: [{ line: 2 }] } })
  })
})

test('every row read is staged, and the file applies whole', async () => {
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)
  const usernames: string[] = []
  for (let i = 0; i < 30; i++) usernames.push((await lib.patron({ username: `p${i}` })).username)
  const rows = usernames.flatMap((u) => [`${u},guardian,${u}-a@example.org`, `${u},guardian,${u}-b@example.org`])
  const preview = await replaceAll(deps, lib, `username,role,address\n${rows.join('\n')}\n`)
  expect(preview).toMatchObject({ ok: true, value: { rows: 60 } })
  if (!preview.ok) return
  const applied = await applyContactsImport(deps, { libraryId: lib.id, batchId: preview.value.batchId, actor: admin })
  expect(applied).toMatchObject({ ok: true, value: { added: 60 } })
  expect((await allAddresses(deps, lib)).length).toBe(60)
})

describe.runIf(process.env.TEST_DB === 'server')('an apply that is alive', () => {
  test('keeps its library: another import is told it runs, and it cannot be released', async () => {
    const deps = testDeps(handle)
    const { lib } = await givenPupils(deps)
    await sql`create function slow_contact_${sql.raw(String(lib.id))}() returns trigger language plpgsql as $$ begin perform pg_sleep(0.3); return new; end $$`.execute(
      deps.db,
    )
    await sql`create trigger slow_${sql.raw(String(lib.id))} before insert on contacts for each row when (new.library_id = ${sql.raw(String(lib.id))}) execute function slow_contact_${sql.raw(String(lib.id))}()`.execute(
      deps.db,
    )
    const preview = await replaceAll(
      deps,
      lib,
      'username,role,address\nana,guardian,a1@example.org\nana,guardian,a2@example.org\nben,guardian,b1@example.org\n',
    )
    if (!preview.ok) throw new Error('expected a dry run')
    const applying = applyContactsImport(deps, { libraryId: lib.id, batchId: preview.value.batchId, actor: admin })
    await new Promise((resolve) => setTimeout(resolve, 300))

    const second = await replaceAll(deps, lib, 'username,role,address\nben,guardian,b2@example.org\n')
    expect(second).toMatchObject({ ok: false, error: { code: 'batch_running', running: { batchId: preview.value.batchId, phase: 'applying' } } })
    expect(await releaseImport(deps, { libraryId: lib.id, actor: admin, force: true })).toMatchObject({
      ok: false,
      error: { code: 'batch_alive', phase: 'applying' },
    })

    expect(await applying).toMatchObject({ ok: true, value: { added: 3 } })
    expect(await allAddresses(deps, lib)).toEqual(['a1@example.org', 'a2@example.org', 'b1@example.org'])
  })
})
