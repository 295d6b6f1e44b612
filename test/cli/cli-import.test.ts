import { writeFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type GivenLibrary, givenLibrary } from '../support/builders.ts'
import { testDatabaseKind } from '../support/database.ts'
import { type Deployment, startDeployment } from './deployment.ts'

let deployment: Deployment
beforeAll(async () => {
  deployment = await startDeployment()
})
afterAll(async () => {
  await deployment?.stop()
})

let fileCounter = 0
/** A CSV file in the tool's working directory, as an IT admin saves it from the student system. */
async function givenCsv(content: string): Promise<string> {
  const name = `export-${++fileCounter}.csv`
  await writeFile(`${deployment.cwd}/${name}`, content)
  return name
}

/** Two Year 7 pupils and a Year 8 pupil, each with a guardian; ana also has a contact staff added. */
async function givenSchool() {
  const lib = await givenLibrary(deployment.deps)
  const ana = await lib.patron({ username: 'ana', level: 'Year 7' })
  const ben = await lib.patron({ username: 'ben', level: 'Year 7' })
  const cai = await lib.patron({ username: 'cai', level: 'Year 8' })
  for (const pupil of [ana, ben, cai]) await lib.contact(pupil, { address: `old-${pupil.username}@example.org`, source: 'import' })
  await lib.contact(ana, { role: 'other', address: 'teacher@school.example', source: 'staff' })
  return { lib, ana, ben, cai }
}

/** Every contact of the library as `username address`, sorted: the whole before and after. */
async function contactsOf(lib: GivenLibrary): Promise<string[]> {
  const rows = await deployment.deps.db
    .selectFrom('contacts as c')
    .innerJoin('patrons as p', 'p.id', 'c.patron_id')
    .where('c.library_id', '=', lib.id)
    .select(['p.username', 'c.address', 'c.is_primary'])
    .execute()
  return rows.map((row) => `${row.username} ${row.address}${row.is_primary ? ' (primary)' : ''}`).sort()
}

const newContacts = `Username,Role,Address,Primary
ana,guardian,new-ana@example.org,yes
ana,patron,ana@school.example,no
ben,guardian,new-ben@example.org,yes
`

describe(`import from the command line on the ${testDatabaseKind} database${testDatabaseKind === 'embedded' ? ', while the service runs' : ''}`, () => {
  test('contacts in add mode join the ones each patron has, and the counts are printed', async () => {
    const { lib } = await givenSchool()
    const file = await givenCsv(newContacts)

    const imported = await deployment.cli('import', 'contacts', file, '--library', String(lib.id), '--mode', 'add')

    expect(imported.exitCode).toBe(0)
    expect(imported.stdout).toMatch(/contacts added\s+3\n/)
    expect(await contactsOf(lib)).toEqual([
      'ana ana@school.example',
      'ana new-ana@example.org (primary)',
      'ana old-ana@example.org',
      'ana teacher@school.example',
      'ben new-ben@example.org (primary)',
      'ben old-ben@example.org',
      'cai old-cai@example.org',
    ])
    expect(await lib.auditActions()).toEqual([expect.objectContaining({ action: 'contacts.imported', actor: 'cli' })])
  })

  test('replace-all leaves patrons absent from the file with no contacts, and --keep-custom keeps what staff added', async () => {
    const { lib } = await givenSchool()
    const file = await givenCsv(newContacts)

    const imported = await deployment.cli('import', 'contacts', file, '--library', String(lib.id), '--mode', 'replace-all', '--keep-custom')

    expect(imported.exitCode).toBe(0)
    expect(imported.stdout).toMatch(/contacts deleted\s+3\n/)
    expect(await contactsOf(lib)).toEqual([
      'ana ana@school.example',
      'ana new-ana@example.org (primary)',
      'ana teacher@school.example',
      'ben new-ben@example.org (primary)',
    ])
  })

  test('a dry run prints what would change, and changes nothing', async () => {
    const { lib } = await givenSchool()
    const before = await contactsOf(lib)
    const file = await givenCsv(newContacts)

    const dryRun = await deployment.cli('import', 'contacts', file, '--library', String(lib.id), '--mode', 'replace-all', '--dry-run')

    expect(dryRun.exitCode).toBe(0)
    expect(dryRun.stdout).toContain('nothing changed')
    expect(dryRun.stdout).toMatch(/contacts to add\s+3\n/)
    expect(dryRun.stdout).toMatch(/contacts to delete\s+4\n/)
    expect(await contactsOf(lib)).toEqual(before)
    const batches = await deployment.deps.db.selectFrom('batches').where('library_id', '=', lib.id).select('status').execute()
    // A dry run leaves nothing behind, and no "cancelled" either: nobody cancelled anything.
    expect(batches).toEqual([])
  })

  test('a file with errors is refused with exit code 2, each error on its line and column, and nothing changes', async () => {
    const { lib } = await givenSchool()
    const before = await contactsOf(lib)
    const file = await givenCsv(`username,role,address,colour
ana,guardian,new-ana@example.org,red
ben,guardian,not-an-address,blue
zoe,guardian,zoe@example.org,green
`)

    const refused = await deployment.cli('import', 'contacts', file, '--library', String(lib.id), '--mode', 'replace-all')

    expect(refused.exitCode).toBe(2)
    expect(refused.stdout).toBe('')
    expect(refused.stderr).toContain('the file has 2 errors, so nothing was imported')
    expect(refused.stderr).toMatch(/line 3, column address: .*not-an-address/)
    expect(refused.stderr).toContain('line 4, column username: no patron with username "zoe"')
    expect(refused.stderr).toContain('1 username names no patron of the library: import the patrons first')
    expect(refused.stderr).toContain('\nlibrary-comms: warning: line 1, column colour: unknown column "colour" is ignored')
    expect(await contactsOf(lib)).toEqual(before)
  })

  test('a patrons file creates and updates patrons, and username,enabled deactivates them', async () => {
    const lib = await givenLibrary(deployment.deps)
    await lib.patron({ username: 'ana', firstName: 'Ana', level: 'Year 7' })
    const roster = await givenCsv('username,first_name,last_name,academic_level\nana,Ana,Silva,Year 8\nben,Ben,Okafor,Year 7\n')
    const leavers = await givenCsv('username,enabled\nben,FALSE\nana,yes\n')

    const imported = await deployment.cli('import', 'patrons', roster, '--library', String(lib.id))
    const deactivated = await deployment.cli('import', 'patrons', leavers, '--library', String(lib.id))

    expect(imported.exitCode).toBe(0)
    expect(imported.stdout).toMatch(/patrons created\s+1\n/)
    expect(imported.stdout).toMatch(/patrons updated\s+1\n/)
    expect(deactivated.exitCode).toBe(0)
    const patrons = await deployment.deps.db
      .selectFrom('patrons as p')
      .leftJoin('academic_levels as l', 'l.id', 'p.academic_level_id')
      .where('p.library_id', '=', lib.id)
      .select(['p.username', 'p.last_name', 'l.name as level', 'p.is_enabled'])
      .orderBy('p.username')
      .execute()
    expect(patrons).toEqual([
      { username: 'ana', last_name: 'Silva', level: 'Year 8', is_enabled: true },
      { username: 'ben', last_name: 'Okafor', level: 'Year 7', is_enabled: false },
    ])
  })
})
