import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { expect, test } from 'vitest'
import { ConfigError, loadConfig } from '../../src/config.ts'
import { projectNode, runCli } from '../cli/run-cli.ts'

/** The problems a ConfigError lists for `env`. */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
  return []
}

test('a bare environment starts on the embedded database with Slack off', () => {
  expect(loadConfig({})).toMatchObject({ port: 3000, databaseUrl: undefined, dataDir: './data', slack: { mode: 'off' }, logLevel: 'info' })
})

test('HTTP mode needs the signing secret; Socket Mode is chosen by the app token', () => {
  const http = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_ADMIN_USER_IDS: 'U1, U2' })
  expect(http.slack).toMatchObject({ mode: 'http', adminUserIds: ['U1', 'U2'] })
  expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }).slack.mode).toBe('socket')
})

test('every bad variable is named', () => {
  try {
    loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', SLACK_BOT_TOKEN: 'xoxb-1', LOG_LEVEL: 'loud', SLACK_ADMIN_USER_IDS: 'bob' })
    expect.unreachable()
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    const named = (error as ConfigError).problems.map((p) => p.split(':')[0])
    expect(named.sort()).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'PORT', 'SLACK_ADMIN_USER_IDS', 'SLACK_SIGNING_SECRET'].sort())
  }
})

test('a DATA_DIR too long for the database socket inside it is named, unless a server is used', () => {
  const deep = `/srv/${'library-comms-data/'.repeat(6)}data`
  expect(() => loadConfig({ DATA_DIR: deep })).toThrow(/DATA_DIR: its full path .* is longer than 86 bytes/)
  expect(loadConfig({ DATA_DIR: deep, DATABASE_URL: 'postgres://db/library' }).dataDir).toBe(deep)
  expect(loadConfig({ DATA_DIR: '/var/lib/library-comms' }).dataDir).toBe('/var/lib/library-comms')
})

test('a bad value is echoed, so the admin sees the typo; a secret never is', () => {
  const env = {
    SLACK_ADMIN_USER_IDS: 'U0123ABCD, u123',
    PORT: '80x',
    LOG_LEVEL: 'loud',
    HOST: 'library comms',
    SLACK_BOT_TOKEN: 'xoxp-1234-secret',
    DATABASE_URL: 'mysql://admin:hunter2@db.school.example/library',
  }

  const problems = problemsOf(env)

  expect(problems).toEqual(
    expect.arrayContaining([
      'SLACK_ADMIN_USER_IDS: "u123" is not a Slack user id like U0123ABCD',
      'PORT: "80x" is not a port number (0 to 65535)',
      'LOG_LEVEL: "loud" is not one of fatal, error, warn, info, debug, trace, silent',
      'HOST: "library comms" is not an IP address or a host name',
    ]),
  )
  expect(problems.join('\n')).not.toMatch(/hunter2|xoxp-1234-secret/)
  expect(problemsOf({ PORT: '70000' })).toEqual(['PORT: "70000" is not a port number (0 to 65535)'])
})

test('HOST chooses the address the service listens on; left out, every address', () => {
  expect(loadConfig({}).host).toBeUndefined()
  expect(loadConfig({ HOST: '127.0.0.1' }).host).toBe('127.0.0.1')
  expect(loadConfig({ HOST: '::' }).host).toBe('::')
  expect(loadConfig({ HOST: '[::1]' }).host).toBe('::1')
  expect(loadConfig({ HOST: 'library-comms.internal' }).host).toBe('library-comms.internal')
})

/** The configuration as the service or the tool reads it, started in `cwd` with `env`. */
function loadConfigIn(cwd: string, env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string }> {
  const script = `const { loadConfig } = await import(${JSON.stringify(new URL('../../src/config.ts', import.meta.url).href)})
    try { const c = loadConfig(); console.log(JSON.stringify({ port: c.port, host: c.host, logLevel: c.logLevel })) } catch (e) { console.log(e.message) }`
  return new Promise((resolve, reject) => {
    execFile(
      projectNode,
      ['--input-type=module', '-e', script],
      { cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } },
      (error, stdout, stderr) => (error ? reject(error) : resolve({ stdout, stderr })),
    )
  })
}

test('.env in the directory it starts in is read, the environment wins, and no .env is said nothing about', async () => {
  const withFile = await mkdtemp(`${tmpdir()}/lc-env-`)
  await writeFile(`${withFile}/.env`, 'PORT=4000\nHOST=127.0.0.1\nLOG_LEVEL=debug\n')
  const without = await mkdtemp(`${tmpdir()}/lc-env-`)

  const read = await loadConfigIn(withFile, { LOG_LEVEL: 'warn' })
  const missing = await loadConfigIn(without)

  expect(JSON.parse(read.stdout)).toEqual({ port: 4000, host: '127.0.0.1', logLevel: 'warn' })
  expect(missing).toEqual({ stdout: `${JSON.stringify({ port: 3000, logLevel: 'info' })}\n`, stderr: '' })
})

test('a .env that cannot be read is named', async () => {
  const cwd = await mkdtemp(`${tmpdir()}/lc-env-`)
  await mkdir(`${cwd}/.env`)

  const refused = await loadConfigIn(cwd)

  expect(refused.stdout).toBe('invalid configuration:\n  .env: cannot be read (it is a directory)\n')
})

test('the command-line tool reads the same .env, and says nothing of a missing one', async () => {
  const cwd = await mkdtemp(`${tmpdir()}/lc-env-`)
  await writeFile(`${cwd}/.env`, 'DATA_DIR=./school-data\n')
  const without = await mkdtemp(`${tmpdir()}/lc-env-`)

  const listed = await runCli(['library', 'list'], { env: {}, cwd })
  const listedWithout = await runCli(['library', 'list'], { env: {}, cwd: without })

  expect(listed).toMatchObject({ exitCode: 1, stderr: expect.stringContaining(`there is no database in ${cwd}/school-data`) })
  expect(listedWithout.stderr).toBe(`library-comms: there is no database in ${without}/data yet: run "library-comms migrate" or start the service first\n`)
})
