import { afterAll, beforeAll, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { blacklistAddress, blacklistAddresses, blacklistedKeys, isBlacklisted } from '../../../src/domain/bounces/blacklist.ts'
import { openTestDatabase } from '../../support/database.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

const at = new Date('2026-03-02T10:00:00Z')

test('a blacklisted address is found whatever its case and spacing', async () => {
  const first = await blacklistAddress(handle.db, { at, address: ' Ana.Silva@Example.org', reason: 'bounce', detail: 'Permanent/General', source: 'ses' })

  expect(first).toEqual({ added: true })
  expect(await isBlacklisted(handle.db, 'ana.silva@example.org ')).toBe(true)
  expect(await isBlacklisted(handle.db, 'someone@example.org')).toBe(false)
})

test('an address blacklisted twice keeps its first reason', async () => {
  await blacklistAddress(handle.db, { at, address: 'ben@example.org', reason: 'complaint', detail: 'abuse', source: 'ses' })
  const again = await blacklistAddress(handle.db, { at, address: 'BEN@example.org', reason: 'manual', source: 'staff', addedBy: 'U1' })

  expect(again).toEqual({ added: false })
  const row = await handle.db.selectFrom('blacklist').where('address_key', '=', 'ben@example.org').selectAll().executeTakeFirstOrThrow()
  expect(row).toMatchObject({ address: 'ben@example.org', reason: 'complaint', detail: 'abuse', source: 'ses', added_by: null })
})

test('several addresses are blacklisted at once, each spelling of one address once', async () => {
  const result = await blacklistAddresses(handle.db, {
    at,
    entries: [
      { address: 'carla@example.org', reason: 'bounce', source: 'ses' },
      { address: 'Carla@example.org', reason: 'bounce', source: 'ses' },
      { address: 'dan@example.org', reason: 'bounce', source: 'ses' },
    ],
  })

  expect(result.added.sort()).toEqual(['carla@example.org', 'dan@example.org'])
  expect(await blacklistedKeys(handle.db, ['DAN@example.org', 'eve@example.org'])).toEqual(new Set(['dan@example.org']))
})
