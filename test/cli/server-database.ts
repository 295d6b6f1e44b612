import { randomBytes } from 'node:crypto'
import postgres from 'postgres'
import { inject } from 'vitest'
import { type DatabaseHandle, openServerDatabase } from '../../src/db/database.ts'
import { withDatabase } from '../support/setup-server.ts'

/**
 * A fresh, migrated database on the test server with its URL, for tests that hand the URL to
 * a child process (`migrated: false`: an empty one, as a new server has). Named like
 * openTestDatabase's so an interrupted run's leftovers are dropped.
 */
export async function openServerTestDatabase(options: { migrated?: boolean } = {}): Promise<{ url: string; handle: DatabaseHandle; close(): Promise<void> }> {
  const serverUrl = process.env.TEST_DATABASE_URL!
  const name = `lc_test_${randomBytes(6).toString('hex')}`
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(options.migrated === false ? `create database ${name}` : `create database ${name} template ${inject('serverTemplate')}`)
  await admin.end()
  const url = withDatabase(serverUrl, name)
  const handle = openServerDatabase(url, { max: 2 })
  return {
    url,
    handle,
    async close() {
      await handle.close()
      const cleanup = postgres(serverUrl, { max: 1, onnotice: () => {} })
      await cleanup.unsafe(`drop database if exists ${name} with (force)`)
      await cleanup.end()
    },
  }
}
