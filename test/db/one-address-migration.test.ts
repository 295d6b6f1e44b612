import { promises as fs } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { FileMigrationProvider, Migrator } from 'kysely/migration'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../src/db/database.ts'
import { migrateToLatest } from '../../src/db/migrate.ts'
import { givenLibrary, testDeps } from '../support/builders.ts'
import { openTestDatabase } from '../support/database.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

const migrationFolder = fileURLToPath(new URL('../../migrations', import.meta.url))

test('contacts a patron held twice before one address per patron are removed, the primary kept, and each removal audited', async () => {
  const migrator = new Migrator({ db: handle.db, provider: new FileMigrationProvider({ fs, path, migrationFolder }) })
  const back = await migrator.migrateTo('0007_audit_patron')
  expect(back.error).toBeUndefined()
  const deps = testDeps(handle)
  const lib = await givenLibrary(deps)
  const ana = await lib.patron({ username: 'ana' })
  const first = await lib.contact(ana, { address: 'mum@example.org' })
  const primary = await lib.contact(ana, { address: 'Mum@Example.org', isPrimary: true, role: 'patron' })
  await lib.contact(ana, { address: ' MUM@example.org'.trim() })
  const other = await lib.contact(ana, { address: 'dad@example.org' })

  expect(await migrateToLatest(handle.db)).toEqual(expect.arrayContaining(['0008_one_address_per_patron']))

  const left = await lib.contactsOf(ana)
  expect(left.map((c) => c.id).sort()).toEqual([primary, other].sort())
  const removed = (await lib.auditActions()).filter((entry) => entry.action === 'contact.duplicate_removed')
  expect(removed).toHaveLength(2)
  expect(removed.every((entry) => entry.actor === 'migration' && entry.before.username === 'ana')).toBe(true)
  expect(removed.map((entry) => entry.before.address).sort()).toEqual(['MUM@example.org', 'mum@example.org'])
  expect(left.some((c) => c.id === first)).toBe(false)
})
