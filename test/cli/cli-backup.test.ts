import { statSync } from 'node:fs'
import { chmod, copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { testDatabaseKind } from '../support/database.ts'
import { type Deployment, startDeployment } from './deployment.ts'
import { runCli } from './run-cli.ts'
import { openServerTestDatabase } from './server-database.ts'

let deployment: Deployment
const cli = (...args: string[]) => deployment.cli(...args)
beforeAll(async () => {
  deployment = await startDeployment()
})
afterAll(async () => {
  await deployment?.stop()
})

/** Where a restore goes: a new DATA_DIR (the tool starts its database), or an empty server database. */
async function emptyTarget(): Promise<{ env: Record<string, string>; cwd: string; close(): Promise<void> }> {
  const cwd = await mkdtemp(`${tmpdir()}/lc-restore-`)
  // Open to other users, as /var/lib is: as root, the database runs as the postgres user.
  await chmod(cwd, 0o755)
  if (testDatabaseKind === 'embedded') return { env: { DATA_DIR: `${cwd}/data` }, cwd, close: () => rm(cwd, { recursive: true, force: true }) }
  const database = await openServerTestDatabase({ migrated: false })
  return { env: { DATABASE_URL: database.url }, cwd, close: () => database.close().then(() => rm(cwd, { recursive: true, force: true })) }
}

describe(`library-comms backup and restore on the ${testDatabaseKind} database`, () => {
  test('a backup taken while the service runs restores whole into an empty database', async () => {
    await writeFile(`${deployment.cwd}/patrons.csv`, 'username,first_name,last_name\nzoe,Zoë,Ó Súilleabháin\nben,Ben,Okafor\n')
    expect((await cli('library', 'add', '--name', 'Hillside', '--slack-team', 'T0BACKUP', '--time-zone', 'Europe/London')).exitCode).toBe(0)
    expect((await cli('import', 'patrons', 'patrons.csv', '--library', '1')).exitCode).toBe(0)

    const backup = await cli('backup', 'hillside.jsonl.gz')
    const again = await cli('backup', 'hillside.jsonl.gz')

    expect(backup).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/^backed up \d+ rows of \d+ tables to hillside\.jsonl\.gz \(\d+ KB\)\n$/) })
    expect(backup.stderr).toContain('patrons: 2 rows\n')
    // Personal data: readable by its owner alone; and nothing half-written is left beside it.
    expect(statSync(`${deployment.cwd}/hillside.jsonl.gz`).mode & 0o777).toBe(0o600)
    expect((await readdir(deployment.cwd)).filter((name) => name.includes('partial'))).toEqual([])
    expect(again).toMatchObject({ exitCode: 2, stderr: 'library-comms: hillside.jsonl.gz exists already: name a new file (a backup never overwrites one)\n' })

    const target = await emptyTarget()
    try {
      const restore = (...args: string[]) => runCli(args, { env: target.env, cwd: target.cwd })
      await copyFile(`${deployment.cwd}/hillside.jsonl.gz`, `${target.cwd}/hillside.jsonl.gz`)

      const restored = await restore('restore', 'hillside.jsonl.gz')
      const listed = await restore('library', 'list')
      const twice = await restore('restore', 'hillside.jsonl.gz')

      expect(restored).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/^restored \d+ rows of \d+ tables from hillside\.jsonl\.gz\n$/) })
      expect(listed.stdout).toMatch(/1\s+Hillside\s+T0BACKUP\s+Europe\/London/)
      expect(twice.exitCode).toBe(2)
      expect(twice.stderr).toMatch(
        /^library-comms: the database already holds data \(libraries: 1 row, .*patrons: 2 rows.*\): restore into a new DATA_DIR or an empty database\. Nothing was restored\n$/,
      )
    } finally {
      await target.close()
    }
  })

  test('a file that is not a backup, or is missing, is refused in a sentence', async () => {
    await writeFile(`${deployment.cwd}/contacts.csv`, 'username,role,address\n')

    const notBackup = await cli('restore', 'contacts.csv')
    const missing = await cli('restore', 'nowhere.jsonl.gz')
    const noFile = await cli('backup')

    expect(notBackup).toMatchObject({
      exitCode: 2,
      stderr: 'library-comms: this is not a library-comms backup: it is not gzip-compressed. Nothing was restored\n',
    })
    expect(missing).toMatchObject({ exitCode: 2, stderr: 'library-comms: cannot read nowhere.jsonl.gz: there is no such file\n' })
    expect(noFile).toMatchObject({ exitCode: 2, stderr: 'library-comms: name one file to write the backup to (see library-comms backup --help)\n' })
  })
})
