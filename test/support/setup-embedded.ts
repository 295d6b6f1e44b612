import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import postgres from 'postgres'
import type { TestProject } from 'vitest/node'
import { openServerDatabase } from '../../src/db/database.ts'
import { type EmbeddedConnection, startEmbeddedServer } from '../../src/db/embedded-server.ts'
import { migrateToLatest } from '../../src/db/migrate.ts'

/**
 * One embedded PostgreSQL for the run, as the service starts it (in the system's temporary
 * directory, which the postgres user can reach when the run is root's), with one migrated
 * template: each test file gets `create database … template` of it.
 */
export default async function setup(project: TestProject) {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'lc-test-pg-'))
  const server = await startEmbeddedServer({ dataDir })
  const template = 'lc_template'
  const admin = postgres({ ...server.connection, max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${template}`)
  await admin.end()
  const handle = openServerDatabase({ ...server.connection, database: template }, { max: 2 })
  await migrateToLatest(handle.db)
  await handle.close()
  project.provide('embeddedServer', { connection: server.connection, template })
  return async () => {
    await server.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    embeddedServer: { connection: EmbeddedConnection; template: string }
    serverTemplate: string
  }
}
