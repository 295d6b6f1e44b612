import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { PGlite } from '@electric-sql/pglite'
import postgres from 'postgres'
import { inject } from 'vitest'
import { type DatabaseHandle, embeddedOptions, openEmbeddedDatabase, openServerDatabase } from '../../src/db/database.ts'
import { withDatabase } from './setup-server.ts'

export const testDatabaseKind = process.env.TEST_DB === 'server' ? 'server' : 'embedded'

/** A fresh, migrated database for one test file, on the engine of the current project. */
export async function openTestDatabase(): Promise<DatabaseHandle> {
  if (testDatabaseKind === 'embedded') {
    const tarball = await readFile(inject('embeddedTemplate'))
    const pglite = await PGlite.create({ loadDataDir: new Blob([tarball]), ...embeddedOptions })
    return openEmbeddedDatabase({ pglite })
  }
  const url = process.env.TEST_DATABASE_URL!
  // The creation time in the name lets a later run tell an abandoned database from a live one.
  const name = `lc_test_${Math.floor(Date.now() / 1000)}_${randomBytes(6).toString('hex')}`
  const admin = postgres(url, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name} template ${inject('serverTemplate')}`)
  await admin.end()
  const handle = openServerDatabase(withDatabase(url, name), { max: 5 })
  return {
    ...handle,
    close: async () => {
      await handle.close()
      const cleanup = postgres(url, { max: 1, onnotice: () => {} })
      await cleanup.unsafe(`drop database if exists ${name} with (force)`)
      await cleanup.end()
    },
  }
}
