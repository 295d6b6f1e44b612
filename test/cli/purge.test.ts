import { spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type GivenLibrary, givenLibrary } from '../support/builders.ts'
import { type Deployment, startDeployment } from './deployment.ts'
import { cliScript, projectNode } from './run-cli.ts'

let deployment: Deployment
beforeAll(async () => (deployment = await startDeployment()))
afterAll(async () => deployment?.stop())

async function usernamesOf(lib: GivenLibrary): Promise<string[]> {
  const rows = await deployment.deps.db.selectFrom('patrons').where('library_id', '=', lib.id).select('username').orderBy('username').execute()
  return rows.map((row) => row.username)
}

async function givenLeavers(count: number) {
  const lib = await givenLibrary(deployment.deps)
  await lib.staff('UASKER', 'admin')
  await lib.staff('UAPPROVER', 'admin')
  await lib.staff('USTAFF', 'staff')
  const usernames = Array.from({ length: count }, (_, i) => `leaver${String(i).padStart(3, '0')}`)
  for (const username of usernames) await lib.patron({ username, lastName: username, enabled: false, level: 'Year 12' })
  return { lib, usernames }
}

const requestIdIn = (stdout: string) => Number(/purge #(\d+)/.exec(stdout)?.[1])

describe('library-comms purge', () => {
  test('candidates, a request by one admin, refused to the same admin, approved by another with progress', { timeout: 90_000 }, async () => {
    const { lib } = await givenLeavers(3)
    await lib.patron({ username: 'still-here', enabled: true })
    const library = ['--library', String(lib.id)]

    const candidates = await deployment.cli('purge', 'candidates', ...library, '--page-size', '50', '--level', 'Year 12')
    const asked = await deployment.cli('purge', 'request', '--as', 'UASKER', ...library, 'leaver000', 'leaver001')
    const id = String(requestIdIn(asked.stdout))
    const own = await deployment.cli('purge', 'approve', '--as', 'UASKER', ...library, id)
    const staff = await deployment.cli('purge', 'approve', '--as', 'USTAFF', ...library, id)
    const unchanged = await usernamesOf(lib)
    const approved = await deployment.cli('purge', 'approve', '--as', 'UAPPROVER', ...library, id)

    expect(candidates.exitCode).toBe(0)
    expect(candidates.stdout).toContain('leaver002')
    expect(candidates.stdout).not.toContain('still-here')
    expect(candidates.stdout).toContain('page 1 of 1: 3 deactivated patrons')
    expect(asked.exitCode).toBe(0)
    expect(asked.stdout).toContain('of 2 patrons; nothing has changed yet')
    expect(own).toMatchObject({ exitCode: 2, stderr: expect.stringContaining('was asked by slack:UASKER: another admin must approve it') })
    expect(staff).toMatchObject({ exitCode: 2, stderr: expect.stringContaining('not allowed') })
    expect(unchanged).toEqual(['leaver000', 'leaver001', 'leaver002', 'still-here'])
    expect(approved.exitCode).toBe(0)
    expect(approved.stderr).toContain('page 1 of 1 done: 2 patrons purged so far')
    expect(approved.stdout).toContain(`purge #${id} done: 2 patrons purged`)
    expect(await usernamesOf(lib)).toEqual(['leaver002', 'still-here'])
    const audit = await deployment.deps.db
      .selectFrom('audit_log')
      .where('library_id', '=', lib.id)
      .where('action', 'in', ['purge.requested', 'purge.approved'])
      .select(['action', 'actor', 'approver', 'details'])
      .orderBy('id')
      .execute()
    expect(audit).toMatchObject([
      { action: 'purge.requested', actor: 'slack:UASKER', approver: null, details: { via: 'cli' } },
      { action: 'purge.approved', actor: 'slack:UASKER', approver: 'slack:UAPPROVER', details: { via: 'cli' } },
    ])
  })

  test('a request from a file; refusals name the patrons; reject changes nothing', { timeout: 90_000 }, async () => {
    const { lib } = await givenLeavers(2)
    const amy = await lib.patron({ username: 'amy', enabled: false })
    await lib.loan(amy, { dueDate: '2026-02-01' })
    const library = ['--library', String(lib.id)]
    await writeFile(`${deployment.cwd}/leavers.csv`, 'username\nleaver000\nleaver001\n')

    const loans = await deployment.cli('purge', 'request', '--as', 'UASKER', ...library, 'amy', 'leaver000')
    const unknown = await deployment.cli('purge', 'request', '--as', 'UASKER', ...library, 'ghost')
    const noMember = await deployment.cli('purge', 'request', ...library, 'leaver000')
    const asked = await deployment.cli('purge', 'request', '--as', 'UASKER', ...library, '--file', 'leavers.csv')
    const rejected = await deployment.cli('purge', 'reject', '--as', 'UAPPROVER', ...library, String(requestIdIn(asked.stdout)))

    expect(loans).toMatchObject({ exitCode: 2, stderr: expect.stringContaining('amy: 1 item on loan') })
    expect(unknown).toMatchObject({ exitCode: 2, stderr: expect.stringContaining('no patron has the username "ghost"') })
    expect(noMember).toMatchObject({ exitCode: 2, stderr: expect.stringContaining('--as is required') })
    expect(asked.stdout).toContain('of 2 patrons')
    expect(rejected).toMatchObject({ exitCode: 0, stdout: expect.stringContaining('rejected: nothing was changed') })
    expect(await usernamesOf(lib)).toEqual(['amy', 'leaver000', 'leaver001'])
  })

  test('a damaged or long file of unknown usernames is refused in a few lines: no database error, the first names and how many more', {
    timeout: 90_000,
  }, async () => {
    const { lib } = await givenLeavers(1)
    const library = ['--library', String(lib.id)]
    await writeFile(`${deployment.cwd}/damaged.txt`, 'leaver000\nleav\u0000er\n')
    await writeFile(`${deployment.cwd}/ghosts.txt`, Array.from({ length: 1000 }, (_, i) => `ghost${i}`).join('\n'))

    const damaged = await deployment.cli('purge', 'request', '--as', 'UASKER', ...library, '--file', 'damaged.txt')
    const ghosts = await deployment.cli('purge', 'request', '--as', 'UASKER', ...library, '--file', 'ghosts.txt')

    expect(damaged).toMatchObject({ exitCode: 2, stderr: 'library-comms: no patron has the username "leav\ufffder"; nothing was asked\n' })
    expect(ghosts.exitCode).toBe(2)
    expect(ghosts.stderr).toBe(
      'library-comms: no patron has the username "ghost0", "ghost1", "ghost2", "ghost3", "ghost4", "ghost5", "ghost6", "ghost7", "ghost8", "ghost9" and 990 more; nothing was asked\n',
    )
    expect(await usernamesOf(lib)).toEqual(['leaver000'])
  })

  test('killed mid-approve: each page is whole or untouched, and approving again resumes it', { timeout: 120_000 }, async () => {
    const { deps, cwd, env } = deployment
    const { lib, usernames } = await givenLeavers(60)
    const library = ['--library', String(lib.id)]
    for (const username of usernames) {
      const row = await deps.db.selectFrom('patrons').where('library_id', '=', lib.id).where('username', '=', username).select('id').executeTakeFirstOrThrow()
      await lib.contact({ id: row.id, username }, { address: `${username}@example.org` })
    }
    const asked = await deployment.cli('purge', 'request', '--as', 'UASKER', ...library, ...usernames)
    const id = requestIdIn(asked.stdout)
    // Pages of 20 (the tool asks pages of 200): made smaller so that there are three.
    await sql`update purge_patrons set page = (select count(*) from purge_patrons o where o.batch_id = purge_patrons.batch_id and o.patron_id < purge_patrons.patron_id) / 20 + 1 where batch_id = ${id}`.execute(
      deps.db,
    )
    await sql`update batches set request = jsonb_set(request, '{pages}', '3') where id = ${id}`.execute(deps.db)
    // Each patron takes a moment to delete, so the approval is still running when it is killed.
    const slow = `slow_purge_${lib.id}`
    await sql
      .raw(
        `create function ${slow}() returns trigger language plpgsql as $$ begin if old.library_id = ${lib.id} then perform pg_sleep(0.05); end if; return old; end $$`,
      )
      .execute(deps.db)
    await sql.raw(`create trigger ${slow} before delete on patrons for each row execute function ${slow}()`).execute(deps.db)

    const child = spawn(projectNode, [cliScript, 'purge', 'approve', '--as', 'UAPPROVER', ...library, String(id)], {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const exited = new Promise((resolve) => child.on('exit', resolve))
    await new Promise<void>((resolve, reject) => {
      let stderr = ''
      child.stderr.on('data', (chunk) => {
        stderr += chunk
        if (stderr.includes('page 1 of 3 done')) resolve()
      })
      child.on('exit', () => reject(new Error(`the approval ended before its first page: ${stderr}`)))
    })
    await new Promise((resolve) => setTimeout(resolve, 300))
    child.kill('SIGKILL')
    await exited
    await sql.raw(`drop trigger ${slow} on patrons`).execute(deps.db)
    await sql.raw(`drop function ${slow}()`).execute(deps.db)

    const left = await usernamesOf(lib)
    const contactsLeft = await deps.db.selectFrom('contacts').where('library_id', '=', lib.id).select('id').execute()
    expect([40, 20]).toContain(left.length)
    expect(left).toEqual(usernames.slice(60 - left.length))
    expect(contactsLeft).toHaveLength(left.length)
    const batch = await deps.db.selectFrom('batches').where('id', '=', id).select('status').executeTakeFirstOrThrow()
    expect(batch.status).toBe('approved')

    const resumed = await deployment.cli('purge', 'approve', '--as', 'UASKER', ...library, String(id))

    expect(resumed.exitCode).toBe(0)
    expect(resumed.stdout).toContain(`purge #${id} done: 60 patrons purged`)
    expect(await usernamesOf(lib)).toEqual([])
  })
})
