import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { openCliDatabase } from '../../src/cli/open-database.ts'
import { loadConfig } from '../../src/config.ts'
import { type DatabaseHandle, openEmbeddedDatabase, openServerDatabase } from '../../src/db/database.ts'
import { migrateToLatest } from '../../src/db/migrate.ts'
import { type BenchDatabase, createBenchDatabase } from './bench-database.ts'
import { type DistrictSize, seedDistrict } from './district.ts'

/** A scratch database holding the synthetic district, and a directory for the benchmark's files. */
export type DistrictDatabase = {
  kind: BenchDatabase['kind']
  env: BenchDatabase['env']
  libraryId: number
  size: DistrictSize
  workDir: string
  /** Opens the database in this process (on the embedded one, only while no other process has it). */
  open(): Promise<DatabaseHandle>
  /** A copy of the district as seeded, to change and throw away (BenchDatabase.copy). */
  copy(): Promise<BenchDatabase>
  drop(): Promise<void>
}

/** Creates a scratch database (server or embedded), migrates it, and seeds one library with the district. */
export async function createDistrictDatabase(options: { serverUrl: string | undefined; small: boolean; log(line: string): void }): Promise<DistrictDatabase> {
  const database = await createBenchDatabase({ serverUrl: options.serverUrl })
  const workDir = await mkdtemp(`${tmpdir()}/lc-bench-files-`)
  const env = database.env
  const open = () =>
    'DATABASE_URL' in env ? Promise.resolve(openServerDatabase(env.DATABASE_URL, { max: 2 })) : openEmbeddedDatabase({ dataDir: env.DATA_DIR })
  const drop = async () => {
    await database.drop()
    await rm(workDir, { recursive: true, force: true })
  }
  try {
    const handle = await open()
    try {
      await migrateToLatest(handle.db)
      const library = await handle.db
        .insertInto('libraries')
        .values({ name: 'Bench District', time_zone: 'Europe/London' })
        .returning('id')
        .executeTakeFirstOrThrow()
      const startedAt = performance.now()
      const size = await seedDistrict(handle.db, { libraryId: library.id, small: options.small })
      options.log(
        `district on the ${database.kind} database: ${size.patrons} patrons, ${size.contacts} contacts, seeded in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`,
      )
      return { kind: database.kind, env, libraryId: library.id, size, workDir, open, copy: database.copy, drop }
    } finally {
      await handle.close()
    }
  } catch (error) {
    await drop()
    throw error
  }
}

/**
 * Seeds the district into a library of a deployment that may be running: through the service's
 * socket on the embedded database, as the command-line tool reaches it.
 */
export async function seedRunningDeployment(env: BenchDatabase['env'], input: { libraryId: number; small: boolean }): Promise<DistrictSize> {
  const opened = await openCliDatabase(loadConfig(env), { create: false })
  if (!opened.ok) throw new Error(`cannot open the bench database: ${opened.error.code}`)
  try {
    return await seedDistrict(opened.value.db, input)
  } finally {
    await opened.value.close()
  }
}
