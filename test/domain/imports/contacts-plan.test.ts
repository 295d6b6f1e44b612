import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import type { AppDeps } from '../../../src/domain/deps.ts'
import type { ContactsImportRequest } from '../../../src/domain/imports/contacts-import.ts'
import { type GivenLibrary, type GivenPatron, givenLibrary, staffActor, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'
import { csvFile } from '../../support/files.ts'
import { dryRunContacts } from '../../support/imports.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

const admin = staffActor('admin', 'slack:UADMIN')

/** The dry run a librarian starts in Slack; Confirm is `confirm()`, later. */
async function dryRun(deps: AppDeps, lib: GivenLibrary, csv: string, options: Partial<Omit<ContactsImportRequest, 'file'>> = {}) {
  const dryRun = await dryRunContacts(deps, { libraryId: lib.id, actor: admin, ...options, file: csvFile(csv) })
  if (!dryRun.ok) throw new Error(`the dry run was refused: ${JSON.stringify(dryRun.error)}`)
  return { preview: dryRun.value, confirm: dryRun.confirm }
}

/** Every contact of the library with its scenarios, as `id address usage scenario;scenario`. */
async function contactsWithScenarios(deps: AppDeps, lib: GivenLibrary) {
  const { rows } = await sql<{ line: string }>`
    select c.id || ' ' || c.address || ' ' || c.usage || ' ' || coalesce(string_agg(s.scenario, ';' order by s.scenario collate "C"), '') as line
    from contacts c left join contact_scenarios s on s.contact_id = c.id
    where c.library_id = ${lib.id} group by c.id order by c.id`.execute(deps.db)
  return rows.map((row) => row.line)
}

const removePatron = (deps: AppDeps, patron: GivenPatron) => deps.db.deleteFrom('patrons').where('id', '=', patron.id).execute()

describe('Confirm checks the file again against a library that moved since the dry run', () => {
  test('a patron deleted between the dry run and Confirm is an error on their line, and nothing is applied', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    const ana = await lib.patron({ username: 'ana' })
    const ben = await lib.patron({ username: 'ben' })
    await lib.contact(ana, { address: 'old-ana@example.org' })
    const { confirm } = await dryRun(deps, lib, 'username,role,address\nana,guardian,mum@example.org\nben,guardian,dad@example.org\n', { mode: 'replace-all' })

    await removePatron(deps, ben)
    const confirmed = await confirm()

    expect(confirmed).toEqual({
      ok: false,
      error: {
        code: 'invalid_file',
        problemCount: 1,
        warnings: [],
        problems: [{ line: 3, column: 'username', message: 'no patron with username "ben" in this library' }],
      },
    })
    expect((await lib.contactsOf(ana)).map((c) => c.address)).toEqual(['old-ana@example.org'])
    expect(await lib.auditActions()).toEqual([])
  })

  test('a patron gone and a primary added meanwhile are both reported, in the order of the file', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    const ana = await lib.patron({ username: 'ana' })
    const ben = await lib.patron({ username: 'ben' })
    const { confirm } = await dryRun(deps, lib, 'username,role,address,primary\nben,guardian,dad@example.org,no\nana,guardian,mum@example.org,yes\n')

    // Staff give Ana a primary contact by hand; the add mode keeps it.
    await lib.contact(ana, { role: 'patron', address: 'ana@school.example', isPrimary: true, source: 'staff' })
    await removePatron(deps, ben)

    expect(await confirm()).toEqual({
      ok: false,
      error: {
        code: 'invalid_file',
        problemCount: 2,
        warnings: [],
        problems: [
          { line: 2, column: 'username', message: 'no patron with username "ben" in this library' },
          { line: 3, column: 'primary', message: 'the patron already has a primary contact that this import keeps' },
        ],
      },
    })
  })

  test('a primary added meanwhile before a patron gone in the file is still reported first', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    const ana = await lib.patron({ username: 'ana' })
    const ben = await lib.patron({ username: 'ben' })
    const { confirm } = await dryRun(deps, lib, 'username,role,address,primary\nana,guardian,mum@example.org,yes\nben,guardian,dad@example.org,no\n')

    await lib.contact(ana, { role: 'patron', address: 'ana@school.example', isPrimary: true, source: 'staff' })
    await removePatron(deps, ben)

    const confirmed = await confirm()
    expect(!confirmed.ok && confirmed.error.code === 'invalid_file' && confirmed.error.problems.map((p) => [p.line, p.column])).toEqual([
      [2, 'primary'],
      [3, 'username'],
    ])
  })

  test('more than a hundred problems at Confirm: the first hundred in line order are shown, and all are counted', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    const pupils: GivenPatron[] = []
    for (let i = 0; i < 120; i++) pupils.push(await lib.patron({ username: `p${String(i).padStart(3, '0')}` }))
    // Even lines lose their patron, odd ones meet a primary added by hand.
    const rows = pupils.map((pupil, i) => `${pupil.username},guardian,g${i}@example.org,${i % 2 === 0 ? 'no' : 'yes'}`)
    const { confirm } = await dryRun(deps, lib, `username,role,address,primary\n${rows.join('\n')}\n`)

    for (const [i, pupil] of pupils.entries()) {
      if (i % 2 === 0) await removePatron(deps, pupil)
      else await lib.contact(pupil, { address: `own${i}@school.example`, isPrimary: true, source: 'staff' })
    }
    const confirmed = await confirm()

    if (confirmed.ok || confirmed.error.code !== 'invalid_file') throw new Error('expected the file to be refused')
    expect(confirmed.error.problemCount).toBe(120)
    expect(confirmed.error.problems.map((p) => p.line)).toEqual(Array.from({ length: 100 }, (_, i) => i + 2))
    expect(confirmed.error.problems.slice(0, 2)).toEqual([
      { line: 2, column: 'username', message: 'no patron with username "p000" in this library' },
      { line: 3, column: 'primary', message: 'the patron already has a primary contact that this import keeps' },
    ])
  })
})

describe('a replace rewrites what it changes in place', () => {
  test('a contact whose scenarios, or usage, the file changes keeps its id and gets the file’s scenarios', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    const ana = await lib.patron({ username: 'ana' })
    const recall = await lib.contact(ana, { address: 'a@example.org', usage: 'custom', scenarios: ['circulation.recall'] })
    const toAny = await lib.contact(ana, { address: 'b@example.org', usage: 'custom', scenarios: ['circulation.overdue'] })
    const toCustom = await lib.contact(ana, { address: 'c@example.org', usage: 'any' })
    const same = await lib.contact(ana, { address: 'd@example.org', usage: 'custom', scenarios: ['reservation.ready'] })
    const csv = [
      'username,role,address,usage,scenarios',
      'ana,guardian,a@example.org,custom,circulation.overdue;circulation.escalation_1',
      'ana,guardian,b@example.org,any,',
      'ana,guardian,c@example.org,custom,reservation.ready',
      'ana,guardian,d@example.org,custom,reservation.ready',
    ].join('\n')
    const { preview, confirm } = await dryRun(deps, lib, csv, { mode: 'replace-patrons' })
    expect(preview.summary).toMatchObject({ contactsToUpdate: 3, contactsUnchanged: 1, contactsToAdd: 0, contactsToDelete: 0 })

    expect(await confirm()).toMatchObject({ ok: true, value: { updated: 3, unchanged: 1, added: 0, deleted: 0 } })

    expect(await contactsWithScenarios(deps, lib)).toEqual([
      `${recall} a@example.org custom circulation.escalation_1;circulation.overdue`,
      `${toAny} b@example.org any `,
      `${toCustom} c@example.org custom reservation.ready`,
      `${same} d@example.org custom reservation.ready`,
    ])
  })

  test('a contact the file changes only in its addressee keeps its scenarios', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    const ana = await lib.patron({ username: 'ana' })
    const id = await lib.contact(ana, { address: 'a@example.org', usage: 'custom', scenarios: ['circulation.recall', 'circulation.overdue'] })
    const { confirm } = await dryRun(
      deps,
      lib,
      'username,role,address,addressee,usage,scenarios\nana,guardian,a@example.org,Mrs Silva,custom,circulation.recall;circulation.overdue\n',
      { mode: 'replace-all' },
    )
    expect(await confirm()).toMatchObject({ ok: true, value: { updated: 1 } })
    expect(await contactsWithScenarios(deps, lib)).toEqual([`${id} a@example.org custom circulation.overdue;circulation.recall`])
  })

  test('a primary moved to an earlier contact lands, whichever contact the database updates first', async () => {
    const deps = testDeps(handle)
    const lib = await givenLibrary(deps)
    const zoe = await lib.patron({ username: 'zoe' })
    const yan = await lib.patron({ username: 'yan' })
    await lib.contact(zoe, { address: 'a@example.org' })
    await lib.contact(zoe, { address: 'b@example.org', isPrimary: true })
    await lib.contact(yan, { address: 'c@example.org', isPrimary: true })
    await lib.contact(yan, { address: 'd@example.org' })
    const csv =
      'username,role,address,primary\nzoe,guardian,b@example.org,no\nzoe,guardian,a@example.org,yes\nyan,guardian,d@example.org,yes\nyan,guardian,c@example.org,no\n'
    const { confirm } = await dryRun(deps, lib, csv, { mode: 'replace-patrons' })
    expect(await confirm()).toMatchObject({ ok: true, value: { updated: 4 } })
    expect((await lib.contactsOf(zoe)).map((c) => [c.address, c.isPrimary])).toEqual([
      ['a@example.org', true],
      ['b@example.org', false],
    ])
    expect((await lib.contactsOf(yan)).map((c) => [c.address, c.isPrimary])).toEqual([
      ['c@example.org', false],
      ['d@example.org', true],
    ])
  })
})
