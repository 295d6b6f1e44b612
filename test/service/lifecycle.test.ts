import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, describe, expect, test } from 'vitest'
import { runCli } from '../cli/run-cli.ts'
import { testDatabaseKind } from '../support/database.ts'

const root = path.resolve(import.meta.dirname, '../..')
const node = path.join(root, 'node_modules/.bin/node')
const dirs: string[] = []
afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))))

type Running = { child: ProcessWithLog; port: number }
type ProcessWithLog = ChildProcess & { lines: Array<Record<string, unknown>>; exited: Promise<number | null> }

/** Runs `npm start`'s command on a fresh data directory, as an IT admin would. */
function startProcess(env: Record<string, string>, command: [string, ...string[]] = [node, 'src/main.ts']): ProcessWithLog {
  const [program, ...args] = command
  const child = spawn(program, args, { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] }) as ProcessWithLog
  child.lines = []
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      child.lines.push(JSON.parse(line))
    } catch {
      child.lines.push({ msg: line })
    }
  })
  child.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)))
  return child
}

async function startService(): Promise<Running & { dataDir: string }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'lc-life-'))
  dirs.push(dataDir)
  const child = startProcess({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info' })
  const port = await waitFor(() => child.lines.find((l) => l.msg === 'listening')?.port as number | undefined)
  return { child, port, dataDir }
}

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const value = await probe()
    if (value !== undefined) return value
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error('timed out')
}

/** The embedded PostgreSQL's process, as its postmaster.pid names it. */
const postmasterOf = (dataDir: string) => Number(readFileSync(path.join(dataDir, 'pgdata/postmaster.pid'), 'utf8').split('\n')[0])

// A dead child that is not ours lingers as a zombie until process 1 reaps it: gone all the same.
function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

// A new data directory runs initdb, which takes seconds, and longer on a loaded machine.
describe.runIf(testDatabaseKind === 'embedded')('the service as an IT admin runs it', { timeout: 120_000 }, () => {
  test('healthz answers at once, readyz only once the database is migrated, and SIGTERM stops it cleanly', async () => {
    const { child, port, dataDir } = await startService()
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200)
    const statuses: number[] = []
    await waitFor(async () => {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`)
      statuses.push(response.status)
      return response.status === 200 ? true : undefined
    })
    // A fresh data directory takes seconds to create: readyz said so meanwhile.
    expect(statuses[0]).toBe(503)
    expect(child.lines.some((l) => l.msg === 'database migrated')).toBe(true)

    const postgres = postmasterOf(dataDir)
    child.kill('SIGTERM')
    expect(await child.exited).toBe(0)
    expect(child.lines.map((l) => l.msg)).toContain('stopped')
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow()
    // Its PostgreSQL stopped with it, cleanly (a clean stop removes postmaster.pid).
    expect(isRunning(postgres)).toBe(false)
    expect(existsSync(path.join(dataDir, 'pgdata/postmaster.pid'))).toBe(false)
  })

  test('a second service on the same DATA_DIR is refused by name, in one sentence, and the first runs on', async () => {
    const first = await startService()
    await waitFor(async () => ((await fetch(`http://127.0.0.1:${first.port}/readyz`)).status === 200 ? true : undefined))

    const second = startProcess({ PORT: '0', DATA_DIR: first.dataDir, LOG_LEVEL: 'info' })
    expect(await second.exited).toBe(1)

    const fatal = second.lines.find((l) => l.level === 60)
    expect(fatal?.msg).toBe(
      `could not start: the embedded database in ${first.dataDir} is open in process ${first.child.pid}; only one process may open it at a time`,
    )
    expect(fatal).not.toHaveProperty('err')
    expect((await fetch(`http://127.0.0.1:${first.port}/readyz`)).status).toBe(200)
    first.child.kill('SIGTERM')
    expect(await first.child.exited).toBe(0)
  })

  test('started while a command of the tool runs the embedded database, it waits for the command, then starts', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'lc-wait-'))
    dirs.push(dataDir)
    // The tool's lock, held by a command that ends in two seconds.
    const command = spawn('sleep', ['2'])
    await writeFile(path.join(dataDir, 'library-comms.lock'), `${command.pid} tool\n`)

    const service = startProcess({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info' })
    const port = await waitFor(() => service.lines.find((l) => l.msg === 'listening')?.port as number | undefined)
    await waitFor(() => service.lines.find((l) => l.msg === 'waiting for a library-comms command to finish with the embedded database'))
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(503)
    await waitFor(async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200 ? true : undefined))

    expect(service.lines.find((l) => l.msg === 'waiting for a library-comms command to finish with the embedded database')?.pid).toBe(command.pid)
    service.kill('SIGTERM')
    expect(await service.exited).toBe(0)
  })

  test('killed with SIGKILL mid-life, the service comes back by itself with what was committed, and says what it did', async () => {
    const first = await startService()
    await waitFor(async () => ((await fetch(`http://127.0.0.1:${first.port}/readyz`)).status === 200 ? true : undefined))
    const env = { DATA_DIR: first.dataDir }
    const cwd = first.dataDir
    await writeFile(path.join(cwd, 'patrons.csv'), 'username,first_name,last_name\nana,Ana,Silva\nben,Ben,Okafor\n')
    expect((await runCli(['library', 'add', '--name', 'Hillside', '--slack-team', 'T0HILL', '--time-zone', 'Europe/London'], { env, cwd })).exitCode).toBe(0)
    expect((await runCli(['import', 'patrons', 'patrons.csv'], { env, cwd })).stdout).toMatch(/patrons created\s+2\n/)
    const postgres = postmasterOf(first.dataDir)

    first.child.kill('SIGKILL')
    await first.child.exited
    // PostgreSQL runs on without its parent, holding the data directory.
    expect(isRunning(postgres)).toBe(true)

    const again = startProcess({ PORT: '0', DATA_DIR: first.dataDir, LOG_LEVEL: 'info' })
    const port = await waitFor(() => again.lines.find((l) => l.msg === 'listening')?.port as number | undefined)
    await waitFor(async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200 ? true : undefined))
    const listed = await runCli(['library', 'list'], { env, cwd })
    const audit = await runCli(['audit', '--library', '1'], { env, cwd })
    again.kill('SIGTERM')
    expect(await again.exited).toBe(0)

    expect(again.lines.map((l) => l.msg)).toContain(`embedded database: stopped PostgreSQL (process ${postgres}) that an earlier run left running`)
    expect(isRunning(postgres)).toBe(false)
    expect(listed.stdout).toMatch(/1\s+Hillside/)
    expect(audit.stdout).toContain('patrons.imported')
  })

  test('a restart finds the data where it was left', async () => {
    const first = await startService()
    await waitFor(async () => ((await fetch(`http://127.0.0.1:${first.port}/readyz`)).status === 200 ? true : undefined))
    first.child.kill('SIGTERM')
    expect(await first.child.exited).toBe(0)
    const again = startProcess({ PORT: '0', DATA_DIR: first.dataDir })
    const port = await waitFor(() => again.lines.find((l) => l.msg === 'listening')?.port as number | undefined)
    await waitFor(async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200 ? true : undefined))
    expect(again.lines.find((l) => l.msg === 'database migrated')?.applied).toEqual([])
    again.kill('SIGTERM')
    expect(await again.exited).toBe(0)
  })

  test('HOST chooses the address it listens on; left out, every address', async () => {
    for (const [host, address] of [
      ['127.0.0.1', '127.0.0.1'],
      [undefined, '::'],
    ] as const) {
      const dataDir = await mkdtemp(path.join(tmpdir(), 'lc-host-'))
      dirs.push(dataDir)
      const child = startProcess({ PORT: '0', DATA_DIR: dataDir, ...(host && { HOST: host }) })
      const listening = await waitFor(() => child.lines.find((l) => l.msg === 'listening'))
      expect(listening.address).toBe(address)
      expect((await fetch(`http://127.0.0.1:${listening.port}/healthz`)).status).toBe(200)
      child.kill('SIGTERM')
      await child.exited
    }
  })

  test('started where there is no .env, it says nothing of one', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'lc-noenv-'))
    dirs.push(empty)
    const child = spawn(node, ['--max-semi-space-size=4', path.join(root, 'src/main.ts')], {
      cwd: empty,
      env: { PATH: process.env.PATH ?? '', PORT: 'eighty' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (chunk) => (stderr += chunk))
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(1)
    expect(stderr).toContain('PORT')
    expect(stderr).not.toContain('.env')
  })

  test('a bad variable stops the process with a message naming it', async () => {
    const child = startProcess({ PORT: 'eighty', SLACK_BOT_TOKEN: 'xoxb-1' })
    let stderr = ''
    child.stderr!.on('data', (chunk) => (stderr += chunk))
    expect(await child.exited).toBe(1)
    expect(stderr).toContain('PORT')
    expect(stderr).toContain('SLACK_SIGNING_SECRET')
  })
})

describe.runIf(testDatabaseKind === 'embedded')('npm start as Docker, pm2 or an admin signals it', { timeout: 120_000 }, () => {
  /** `npm start` in the project, as `CMD npm start` runs it, on a fresh data directory. */
  async function npmStart() {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'lc-npm-'))
    dirs.push(dataDir)
    const npm = startProcess({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info' }, ['npm', 'start', '--silent'])
    const listening = await waitFor(() => npm.lines.find((l) => l.msg === 'listening'))
    const port = listening.port as number
    await waitFor(async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200 ? true : undefined))
    return { npm, servicePid: listening.pid as number, port }
  }
  test('SIGTERM to npm stops the service cleanly, and frees its port', async () => {
    const { npm, servicePid, port } = await npmStart()
    expect(servicePid).not.toBe(npm.pid)
    npm.kill('SIGTERM')
    await npm.exited
    await waitFor(() => (isRunning(servicePid) ? undefined : true), 20_000)
    expect(npm.lines.map((l) => l.msg)).toContain('stopped')
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow()
  })

  test('npm killed with SIGKILL takes the service with it within seconds', async () => {
    const { npm, servicePid } = await npmStart()
    npm.kill('SIGKILL')
    await npm.exited
    await waitFor(() => (isRunning(servicePid) ? undefined : true), 20_000)
  })
})
