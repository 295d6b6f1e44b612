import { spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { sql } from 'kysely'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { givenLibrary } from '../support/builders.ts'
import { testDatabaseKind } from '../support/database.ts'
import { type Deployment, startDeployment } from './deployment.ts'
import { cliScript, projectNode } from './run-cli.ts'

let deployment: Deployment
beforeAll(async () => (deployment = await startDeployment()))
afterAll(async () => deployment?.stop())

test(`an import killed while it applies changes nothing and blocks nothing (${testDatabaseKind} database)`, { timeout: 90_000 }, async () => {
  const { deps, cwd, env } = deployment
  const lib = await givenLibrary(deps)
  const pupils = await Promise.all(Array.from({ length: 20 }, (_, i) => lib.patron({ username: `pupil${i}` })))
  for (const pupil of pupils) await lib.contact(pupil, { address: `old-${pupil.username}@example.org` })
  // Each new contact takes a moment to write, so the apply is still running when it is killed.
  await sql`create function slow_contact() returns trigger language plpgsql as $$ begin perform pg_sleep(0.25); return new; end $$`.execute(deps.db)
  await sql`create trigger slow_contact before insert on contacts for each row execute function slow_contact()`.execute(deps.db)
  await writeFile(`${cwd}/replace.csv`, `username,role,address\n${pupils.map((p) => `${p.username},guardian,new-${p.username}@example.org`).join('\n')}\n`)

  const child = spawn(projectNode, [cliScript, 'import', 'contacts', 'replace.csv', '--library', String(lib.id), '--mode', 'replace-all'], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise((resolve) => child.on('exit', resolve))
  await new Promise<void>((resolve, reject) => {
    let stderr = ''
    child.stderr.on('data', (chunk) => {
      stderr += chunk
      if (stderr.includes('applying')) resolve()
    })
    child.on('exit', () => reject(new Error(`the import ended before it applied: ${stderr}`)))
  })
  await new Promise((resolve) => setTimeout(resolve, 500))
  child.kill('SIGKILL')
  await exited
  await sql`drop trigger slow_contact on contacts`.execute(deps.db)

  // At once, not an hour later: the next import runs. The killed one changed nothing: its
  // confirmation rolled back with its apply, and it waits, unconfirmed, until it expires.
  await writeFile(`${cwd}/add.csv`, 'username,role,address\npupil0,patron,pupil0@school.example\n')
  const next = await deployment.cli('import', 'contacts', 'add.csv', '--library', String(lib.id), '--mode', 'add')
  expect(next.stderr).not.toContain('still')
  expect(next.exitCode).toBe(0)
  const batches = await deps.db.selectFrom('batches').where('library_id', '=', lib.id).select(['file_name', 'status']).orderBy('id').execute()
  expect(batches).toEqual([
    { file_name: 'replace.csv', status: 'staged' },
    { file_name: 'add.csv', status: 'applied' },
  ])
  const addresses = await deps.db.selectFrom('contacts').where('library_id', '=', lib.id).select('address').orderBy('address').execute()
  expect(addresses.map((c) => c.address)).toEqual([...pupils.map((p) => `old-${p.username}@example.org`), 'pupil0@school.example'].sort())
})

test('an admin releases a library from an import left reading, from the tool', async () => {
  const { deps } = deployment
  const lib = await givenLibrary(deps)
  const nothing = await deployment.cli('import', 'release', '--library', String(lib.id))
  expect(nothing.exitCode).toBe(2)
  expect(nothing.stderr).toContain(`no import is running in library ${lib.id}`)

  // A file being read: its heart beat a moment ago, so its process may well be alive.
  const { id } = await deps.db
    .insertInto('batches')
    .values({
      library_id: lib.id,
      kind: 'contacts',
      mode: 'add',
      levels: '{}',
      keep_custom: false,
      file_name: 'slow.csv',
      status: 'staging',
      requested_by: 'slack:U1',
      heartbeat_at: new Date(),
      confirm_permission: 'importContacts',
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  const refused = await deployment.cli('import', 'release', '--library', String(lib.id))
  expect(refused.exitCode).toBe(2)
  expect(refused.stderr).toContain(`import #${id} (asked by slack:U1) is being read by a live process`)
  expect(refused.stderr).toContain('--force')

  const forced = await deployment.cli('import', 'release', '--library', String(lib.id), '--force')
  expect(forced.exitCode).toBe(0)
  expect(forced.stdout).toContain(`released import #${id} (slow.csv, asked by slack:U1)`)
  const batch = await deps.db.selectFrom('batches').where('id', '=', id).select('status').executeTakeFirstOrThrow()
  expect(batch.status).toBe('failed')
  const audit = await deps.db.selectFrom('audit_log').where('library_id', '=', lib.id).select(['action', 'actor']).execute()
  expect(audit).toEqual([{ action: 'import.released', actor: 'cli' }])
})
