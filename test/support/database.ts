import { randomBytes } from 'node:crypto'
import postgres from 'postgres'
import { inject } from 'vitest'
import { type DatabaseHandle, openServerDatabase } from '../../src/db/database.ts'
import { withDatabase } from './setup-server.ts'

export const testDatabaseKind = process.env.TEST_DB === 'server' ? 'server' : 'embedded'

/**
 * A fresh, migrated database for one test file, on the server of the current project; with
 * `migrated: false`, an empty one, as a new server or DATA_DIR starts (a restore's target).
 */
export async function openTestDatabase(options: { migrated?: boolean } = {}): Promise<DatabaseHandle> {
  // The creation time in the name lets a later run tell an abandoned database from a live one.
  const name = `lc_test_${Math.floor(Date.now() / 1000)}_${randomBytes(6).toString('hex')}`
  const admin = adminConnection()
  await admin.unsafe(options.migrated === false ? `create database ${name}` : `create database ${name} template ${templateName()}`)
  await admin.end()
  const handle =
    testDatabaseKind === 'embedded'
      ? openServerDatabase({ ...inject('embeddedServer').connection, database: name }, { max: 5, kind: 'embedded' })
      : openServerDatabase(withDatabase(process.env.TEST_DATABASE_URL!, name), { max: 5 })
  return {
    ...handle,
    close: async () => {
      await handle.close()
      const cleanup = adminConnection()
      await cleanup.unsafe(`drop database if exists ${name} with (force)`)
      await cleanup.end()
    },
  }
}

function adminConnection() {
  return testDatabaseKind === 'embedded'
    ? postgres({ ...inject('embeddedServer').connection, max: 1, onnotice: () => {} })
    : postgres(process.env.TEST_DATABASE_URL!, { max: 1, onnotice: () => {} })
}

const templateName = () => (testDatabaseKind === 'embedded' ? inject('embeddedServer').template : inject('serverTemplate'))
