import { promises as fs } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Kysely } from 'kysely'
import { FileMigrationProvider, type MigrationResultSet, Migrator } from 'kysely/migration'

const migrationFolder = fileURLToPath(new URL('../../migrations', import.meta.url))

const provider = new FileMigrationProvider({ fs, path, migrationFolder })

/** Applies every pending migration; throws with the failing migration's name and cause. */
// biome-ignore lint/suspicious/noExplicitAny: migrations see the database as it is at their step, not as the app types it
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  return applied(await new Migrator({ db, provider }).migrateToLatest())
}

/** Applies the migrations up to and including `name` (a restore brings a database to its backup's schema). */
// biome-ignore lint/suspicious/noExplicitAny: as above
export async function migrateTo(db: Kysely<any>, name: string): Promise<string[]> {
  return applied(await new Migrator({ db, provider }).migrateTo(name))
}

/** The migrations this version of library-comms has, in order. */
export async function migrationNames(): Promise<string[]> {
  return Object.keys(await provider.getMigrations()).sort()
}

function applied(result: MigrationResultSet): string[] {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown'
    throw new Error(`migration ${failed} failed`, { cause: result.error })
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}
