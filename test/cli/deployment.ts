import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import pino from 'pino'
import { loadConfig } from '../../src/config.ts'
import type { AppDeps } from '../../src/domain/deps.ts'
import { startService } from '../../src/main.ts'
import { testDeps } from '../support/builders.ts'
import { testDatabaseKind } from '../support/database.ts'
import { type CliRun, runCli } from './run-cli.ts'
import { openServerTestDatabase } from './server-database.ts'

/**
 * Where the tool runs in a test: the environment and directory it is given, and the test's
 * own way into the same database. On the embedded database the service runs while the tool
 * works, and the tool finds the service's PostgreSQL through its socket in DATA_DIR; on a server
 * the tool connects with DATABASE_URL like any other client.
 */
export type Deployment = { env: Record<string, string>; cwd: string; deps: AppDeps; cli(...args: string[]): Promise<CliRun>; stop(): Promise<void> }

export async function startDeployment(): Promise<Deployment> {
  const cwd = await mkdtemp(`${tmpdir()}/lc-cli-`)
  const removeCwd = () => rm(cwd, { recursive: true, force: true })
  if (testDatabaseKind === 'server') {
    const database = await openServerTestDatabase()
    const env = { DATABASE_URL: database.url }
    return { env, cwd, deps: testDeps(database.handle), cli: (...args) => runCli(args, { env, cwd }), stop: () => database.close().then(removeCwd) }
  }
  const config = loadConfig({ PORT: '0', DATA_DIR: cwd, LOG_LEVEL: 'silent' })
  const service = await startService(config, { logger: pino({ level: 'silent' }), nightly: false })
  const env = { DATA_DIR: cwd }
  return { env, cwd, deps: service.deps, cli: (...args) => runCli(args, { env, cwd }), stop: () => service.stop().then(removeCwd) }
}
