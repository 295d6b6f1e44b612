import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Db } from '../../src/db/database.ts'
import { testDatabaseKind } from '../support/database.ts'
import { type Deployment, startDeployment } from './deployment.ts'

let deployment: Deployment
const cli = (...args: string[]) => deployment.cli(...args)
let teamCounter = 0
const newTeamId = () => `T0CLI${process.pid}X${++teamCounter}`

async function givenLibraryFromCli(): Promise<number> {
  const added = await cli('library', 'add', '--name', 'Hillside Library', '--slack-team', newTeamId(), '--time-zone', 'Europe/London')
  expect(added).toMatchObject({ exitCode: 0, stderr: '' })
  return Number(added.stdout)
}

beforeAll(async () => {
  deployment = await startDeployment()
})
afterAll(async () => {
  await deployment?.stop()
})

describe(`the command-line tool on the ${testDatabaseKind} database${testDatabaseKind === 'embedded' ? ', while the service runs' : ''}`, () => {
  test('library add prints the new library id alone, and the library is there at once', async () => {
    const teamId = newTeamId()
    const added = await cli('library', 'add', '--name', 'Hillside Library', '--slack-team', teamId, '--time-zone', 'Europe/London')

    expect(added.exitCode).toBe(0)
    expect(added.stdout).toMatch(/^[1-9][0-9]*\n$/)
    const library = await deployment.deps.db.selectFrom('libraries').where('id', '=', Number(added.stdout)).selectAll().executeTakeFirstOrThrow()
    expect(library).toMatchObject({ name: 'Hillside Library', slack_team_id: teamId, time_zone: 'Europe/London' })
    const listed = await cli('library', 'list')
    expect(listed.stdout).toContain(teamId)
  })

  test('a mistyped time zone is refused with exit code 2 and a message naming it; nothing is written', async () => {
    const before = await countRows(deployment.deps.db, 'libraries')

    const refused = await cli('library', 'add', '--name', 'Hillside', '--slack-team', newTeamId(), '--time-zone', 'Europe/Lodnon')

    expect(refused).toMatchObject({ exitCode: 2, stdout: '' })
    expect(refused.stderr).toContain('--time-zone')
    expect(refused.stderr).toContain('Europe/Lodnon')
    expect(await countRows(deployment.deps.db, 'libraries')).toBe(before)
  })

  test("a key for the student system's nightly sync is created with the admin role; an unknown role is refused", async () => {
    const libraryId = await givenLibraryFromCli()
    const created = await cli('api-key', 'create', '--library', String(libraryId), '--name', 'SIS nightly', '--role', 'admin')
    expect(created.exitCode).toBe(0)
    const refused = await cli('api-key', 'create', '--library', String(libraryId), '--name', 'Oops', '--role', 'owner')
    expect(refused.exitCode).toBe(2)
    expect(refused.stderr).toContain('role')
    const stored = await deployment.deps.db.selectFrom('api_keys').where('library_id', '=', libraryId).select(['name', 'role']).execute()
    expect(stored).toEqual([{ name: 'SIS nightly', role: 'admin' }])
  })

  test('api-key create prints the key alone; the database keeps only its SHA-256 hash', async () => {
    const libraryId = await givenLibraryFromCli()

    const created = await cli('api-key', 'create', '--library', String(libraryId), '--name', 'Destiny nightly sync')

    expect(created.exitCode).toBe(0)
    expect(created.stdout).toMatch(/^lc_[A-Za-z0-9_-]{43}\n$/)
    const key = created.stdout.trim()
    const stored = await deployment.deps.db.selectFrom('api_keys').where('library_id', '=', libraryId).selectAll().execute()
    expect(stored).toHaveLength(1)
    expect(stored[0].key_hash).toBe(createHash('sha256').update(key).digest('hex'))
    expect(JSON.stringify(stored)).not.toContain(key)
    const audit = await deployment.deps.db.selectFrom('audit_log').where('library_id', '=', libraryId).selectAll().execute()
    expect(JSON.stringify(audit)).not.toContain(key)
    const listed = await cli('api-key', 'list', '--library', String(libraryId))
    expect(listed.stdout).toMatch(/Destiny nightly sync\s+staff\s+lc_/)
    expect(listed.stdout).not.toContain(key)
  })

  test('a revoked key is marked revoked, and revoking it again is refused', async () => {
    const libraryId = await givenLibraryFromCli()
    await cli('api-key', 'create', '--library', String(libraryId), '--name', 'old sync')
    const { id } = await deployment.deps.db.selectFrom('api_keys').where('library_id', '=', libraryId).select('id').executeTakeFirstOrThrow()

    const revoked = await cli('api-key', 'revoke', String(id))

    expect(revoked.exitCode).toBe(0)
    const row = await deployment.deps.db.selectFrom('api_keys').where('id', '=', id).select('revoked_at').executeTakeFirstOrThrow()
    expect(row.revoked_at).not.toBeNull()
    const again = await cli('api-key', 'revoke', '--id', String(id))
    expect(again.exitCode).toBe(2)
    expect(again.stderr).toContain(`API key ${id}`)
  })

  test('staff add gives a Slack user a role, and staff list shows it', async () => {
    const libraryId = await givenLibraryFromCli()

    const added = await cli('staff', 'add', '--library', String(libraryId), '--user', 'U0ALICE', '--role', 'admin')
    await cli('staff', 'add', '--library', String(libraryId), '--user', 'U0BRUNO', '--role', 'viewer')

    expect(added.exitCode).toBe(0)
    const listed = await cli('staff', 'list', '--library', String(libraryId))
    expect(listed.exitCode).toBe(0)
    expect(listed.stdout).toMatch(/U0ALICE\s+admin\s+cli/)
    expect(listed.stdout).toMatch(/U0BRUNO\s+viewer\s+cli/)
    const audit = await deployment.deps.db
      .selectFrom('audit_log')
      .where('library_id', '=', libraryId)
      .where('action', '=', 'staff.added')
      .select('actor')
      .execute()
    expect(audit).toEqual([{ actor: 'cli' }, { actor: 'cli' }])
  })

  test('an unknown role or library is refused with exit code 2, and no one is added', async () => {
    const libraryId = await givenLibraryFromCli()

    const badRole = await cli('staff', 'add', '--library', String(libraryId), '--user', 'U0ALICE', '--role', 'boss')
    const badLibrary = await cli('staff', 'add', '--library', '999999', '--user', 'U0ALICE', '--role', 'staff')

    expect(badRole.exitCode).toBe(2)
    expect(badRole.stderr).toContain('"boss" is not a role')
    expect(badLibrary.exitCode).toBe(2)
    expect(badLibrary.stderr).toContain('no library 999999')
    expect(await deployment.deps.db.selectFrom('staff').where('library_id', '=', libraryId).selectAll().execute()).toEqual([])
  })
})

async function countRows(db: Db, table: 'libraries'): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow()
  return Number(row.count)
}
