import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { afterEach, describe, expect, test } from 'vitest'
import { testDatabaseKind } from '../support/database.ts'
import { runCli } from './run-cli.ts'

const directories: string[] = []
async function emptyDirectory(): Promise<string> {
  const directory = await mkdtemp(`${tmpdir()}/lc-cli-`)
  directories.push(directory)
  // Open to other users, as /var/lib is: as root, the database runs as the postgres user.
  await chmod(directory, 0o755)
  return directory
}
afterEach(async () => {
  for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true })
})

// The machine's own node, when it is older than 24: the launcher must hand over to the project's.
function olderNode(): string | undefined {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node']) {
    if (!existsSync(candidate)) continue
    const version = execFileSync(candidate, ['--version'], { encoding: 'utf8' })
    if (Number(version.replace('v', '').split('.')[0]) < 24) return candidate
  }
  return undefined
}

// These need no database, or the embedded one with the service stopped: run once, in the embedded project.
describe.runIf(testDatabaseKind === 'embedded')('the command-line tool on its own', () => {
  test("--help lists every command, and a command's --help its options", async () => {
    const cwd = await emptyDirectory()

    const help = await runCli(['--help'], { env: {}, cwd })
    const commandHelp = await runCli(['api-key', 'create', '--help'], { env: {}, cwd })

    expect(help.exitCode).toBe(0)
    const everyCommand = [
      'migrate',
      'library add',
      'library list',
      'api-key create',
      'api-key list',
      'api-key revoke',
      'staff add',
      'staff list',
      'import contacts',
      'import patrons',
      'import release',
      'audit',
      'backup',
      'restore',
    ]
    for (const command of everyCommand) {
      expect(help.stdout).toContain(command)
    }
    expect(commandHelp).toMatchObject({ exitCode: 0, stderr: '' })
    expect(commandHelp.stdout).toContain('--library ID')
  })

  test('an unknown command or option is refused with exit code 2', async () => {
    const cwd = await emptyDirectory()

    const unknownCommand = await runCli(['library', 'remove'], { env: {}, cwd })
    const unknownOption = await runCli(['library', 'list', '--all'], { env: {}, cwd })

    expect(unknownCommand.exitCode).toBe(2)
    expect(unknownCommand.stderr).toContain('unknown command "library remove"')
    expect(unknownOption.exitCode).toBe(2)
    expect(unknownOption.stderr).toBe('library-comms: unknown option --all (see library-comms library list --help)\n')
  })

  test('before any database exists, a command says to run migrate and creates nothing', async () => {
    const dataDir = `${await emptyDirectory()}/data`

    const listed = await runCli(['library', 'list'], { env: { DATA_DIR: dataDir }, cwd: await emptyDirectory() })

    expect(listed.exitCode).toBe(1)
    expect(listed.stderr).toContain('library-comms migrate')
    expect(existsSync(dataDir)).toBe(false)
  })

  test('while another command runs the embedded database, the tool says so and leaves it alone', async () => {
    const dataDir = `${await emptyDirectory()}/data`
    await mkdir(`${dataDir}/pgdata`, { recursive: true })
    // A live process that holds the directory's lock as the tool does: it stops the database when it ends.
    const holder = spawn('sleep', ['30'])
    try {
      await writeFile(`${dataDir}/library-comms.lock`, `${holder.pid} tool\n`)

      const listed = await runCli(['library', 'list'], { env: { DATA_DIR: dataDir }, cwd: await emptyDirectory() })

      expect(listed).toMatchObject({
        exitCode: 1,
        stderr: `library-comms: another library-comms command (process ${holder.pid}) is running the embedded database in ${dataDir}; run this again when it has finished\n`,
      })
      expect(await readdir(`${dataDir}/pgdata`)).toEqual([])
    } finally {
      holder.kill()
    }
  })

  test('while the service starts, the tool waits for its database; a service that gives up leaves the tool to run it', async () => {
    const cwd = await emptyDirectory()
    const env = { DATA_DIR: `${cwd}/data` }
    expect((await runCli(['migrate'], { env, cwd })).exitCode).toBe(0)
    // A service that holds the directory for a second, then stops without its database coming up.
    const service = spawn('sleep', ['1'])
    await writeFile(`${env.DATA_DIR}/library-comms.lock`, `${service.pid} service\n`)

    const listed = await runCli(['library', 'list'], { env, cwd })

    expect(listed).toMatchObject({ exitCode: 0, stdout: 'no libraries yet: add one with library-comms library add\n' })
  }, 60_000)

  test('migrate creates the embedded database, and the tool works on it while the service is stopped', async () => {
    const cwd = await emptyDirectory()
    const env = { DATA_DIR: `${cwd}/data` }

    const migrated = await runCli(['migrate'], { env, cwd })
    expect(migrated.exitCode).toBe(0)
    expect(migrated.stdout).toContain('applied 0001_foundation')
    // A socket file left by a server that crashed must not stop the tool.
    await writeFile(`${env.DATA_DIR}/pgdata/.s.PGSQL.5432`, '')
    const added = await runCli(['library', 'add', '--name', 'Hillside', '--slack-team', 'T0HILL', '--time-zone', 'Australia/Sydney'], { env, cwd })
    const listed = await runCli(['library', 'list'], { env, cwd })
    const again = await runCli(['migrate'], { env, cwd })

    expect(added).toMatchObject({ exitCode: 0, stdout: '1\n', stderr: '' })
    expect(listed.stdout).toMatch(/1\s+Hillside\s+T0HILL\s+Australia\/Sydney/)
    expect(again.stdout).toBe('the database is up to date\n')
  }, 60_000)

  test.runIf(process.getuid?.() === 0)('as root, a DATA_DIR the postgres user cannot reach is refused in one sentence, and nothing is created', async () => {
    const closed = await emptyDirectory()
    await chmod(closed, 0o700)
    const env = { DATA_DIR: `${closed}/data` }

    const migrated = await runCli(['migrate'], { env, cwd: await emptyDirectory() })

    expect(migrated).toMatchObject({ exitCode: 1, stdout: '' })
    expect(migrated.stderr).toBe(
      `library-comms: the "postgres" user the database runs as cannot reach ${closed}/data/pgdata (a directory above it is closed to other users, as /root is); set DATA_DIR to a directory outside it, such as /var/lib/library-comms\n`,
    )
    expect(existsSync(`${closed}/data/pgdata/PG_VERSION`)).toBe(false)
  })

  test.runIf(process.getuid?.() === 0)('a full disk is named in one sentence, and nothing is left half made', async ({ skip }) => {
    const disk = await emptyDirectory()
    // A 2 MB disk, too small for a database: only where this root may mount one.
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2M', 'tmpfs', disk]).status !== 0) return skip()
    try {
      const migrated = await runCli(['migrate'], { env: { DATA_DIR: `${disk}/data` }, cwd: await emptyDirectory() })

      expect(migrated).toMatchObject({
        exitCode: 1,
        stderr: `library-comms: the database could not be created in ${disk}/data/pgdata: the disk that holds DATA_DIR is full; free some space\n`,
      })
      expect(existsSync(`${disk}/data/pgdata/PG_VERSION`)).toBe(false)
    } finally {
      spawnSync('umount', [disk])
    }
  })

  test('an import with a missing file, a mode without its levels, or levels without that mode is refused before any database opens', async () => {
    const cwd = await emptyDirectory()
    await writeFile(`${cwd}/contacts.csv`, 'username,role,address\n')
    const env = { DATA_DIR: `${cwd}/data` }

    const missingFile = await runCli(['import', 'contacts', 'contats.csv', '--library', '1', '--mode', 'add'], { env, cwd })
    const noLevels = await runCli(['import', 'contacts', 'contacts.csv', '--library', '1', '--mode', 'replace-levels'], { env, cwd })
    const strayLevels = await runCli(['import', 'contacts', 'contacts.csv', '--library', '1', '--mode', 'add', '--levels', 'Year 7'], { env, cwd })
    const badMode = await runCli(['import', 'contacts', 'contacts.csv', '--library', '1', '--mode', 'replace'], { env, cwd })

    expect(missingFile).toMatchObject({ exitCode: 2, stderr: 'library-comms: cannot read contats.csv: there is no such file\n' })
    expect(noLevels).toMatchObject({ exitCode: 2, stderr: expect.stringContaining('--levels is required') })
    expect(strayLevels).toMatchObject({ exitCode: 2, stderr: expect.stringContaining('--levels goes with --mode replace-levels') })
    expect(badMode).toMatchObject({ exitCode: 2, stderr: expect.stringContaining('add, replace-patrons, replace-levels, replace-all') })
    expect(existsSync(env.DATA_DIR)).toBe(false)
  })

  test('with the service stopped, the tool imports into the embedded database itself', async () => {
    const cwd = await emptyDirectory()
    const env = { DATA_DIR: `${cwd}/data` }
    await runCli(['migrate'], { env, cwd })
    await runCli(['library', 'add', '--name', 'Hillside', '--slack-team', 'T0HILL', '--time-zone', 'Europe/London'], { env, cwd })
    await writeFile(`${cwd}/patrons.csv`, 'username,first_name,last_name\nana,Ana,Silva\nben,Ben,Okafor\n')
    await writeFile(`${cwd}/contacts.csv`, 'username,role,address\nana,guardian,mum@example.org\nben,guardian,dad@example.org\n')

    const patrons = await runCli(['import', 'patrons', 'patrons.csv', '--library', '1'], { env, cwd })
    // One school: the short form, without --library.
    const contacts = await runCli(['import', 'contacts', 'contacts.csv', '--mode', 'replace-all'], { env, cwd })

    expect(patrons.stdout).toMatch(/patrons created\s+2\n/)
    expect(contacts).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/contacts added\s+2\n/) })
    // Not a terminal: plain lines of progress, never a redrawn bar.
    expect(contacts.stderr).toContain('reading contacts.csv')
    expect(contacts.stderr).not.toContain('\r')

    await runCli(['library', 'add', '--name', 'Riverside', '--slack-team', 'T0RIVER', '--time-zone', 'Europe/London'], { env, cwd })
    const ambiguous = await runCli(['import', 'contacts', 'contacts.csv', '--mode', 'add'], { env, cwd })
    expect(ambiguous).toMatchObject({ exitCode: 2, stderr: expect.stringContaining('this deployment has 2 libraries') })
  }, 60_000)

  test.runIf(olderNode() !== undefined)("run by an older node, the tool hands over to the project's Node 24", async () => {
    const result = await runCli(['--help'], { env: {}, cwd: await emptyDirectory(), node: olderNode() })

    expect(result.exitCode).toBe(0)
    expect(result.stdout).toContain('library add')
  })
})
