import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import type { BlacklistTable } from '../../db/schema.ts'
import { emailAddressKey } from '../contacts/contact-fields.ts'
import { recordEventsOfLibraries } from '../events/record-events.ts'

/** Why an address is on the blacklist: a hard bounce, a complaint, repeated soft bounces, SES's own list, or by hand. */
export type BlacklistReason = BlacklistTable['reason']
/** Who put it there: the SES webhook, the daily suppression-list sync, staff in Slack, or the API. */
export type BlacklistSource = BlacklistTable['source']
export const blacklistReasons: readonly BlacklistReason[] = ['bounce', 'complaint', 'soft_bounces', 'suppressed', 'manual']

/** One address to blacklist, with why and where it was learnt. */
export type BlacklistEntry = {
  address: string
  reason: BlacklistReason
  /** What a person reviewing it reads: bounce type/subtype and diagnostic code, complaint feedback type, a note. */
  detail?: string | null
  source: BlacklistSource
  /** The library whose message taught it (null: by hand, or from SES's list). */
  libraryId?: number | null
  /** Our message that bounced or was complained about. */
  messageId?: string | null
  /** The Slack member or API key that added it by hand. */
  addedBy?: string | null
  /** When it was learnt, if not the call's `at` (a suppression list entry's own date). */
  createdAt?: Date
}

/**
 * Blacklists addresses, in one statement. An address already there keeps its first reason (the
 * first bounce is the one staff review); the result lists the addresses newly added. Each one
 * newly added is an `address.blacklisted` event for every library with a contact of that address
 * (and the library whose message taught it), in the same transaction: one is opened when `db` is
 * not one already.
 * @example await blacklistAddresses(tx, { at: clock.now(), entries: [{ address, reason: 'bounce', source: 'ses' }] })
 */
export async function blacklistAddresses(db: Db, input: { at: Date; entries: readonly BlacklistEntry[] }): Promise<{ added: string[]; addedKeys: string[] }> {
  // One row per key: two spellings of an address in one call would make the insert fail.
  const byKey = new Map<string, BlacklistEntry>()
  for (const entry of input.entries) {
    const key = emailAddressKey(entry.address)
    if (key !== '' && !byKey.has(key)) byKey.set(key, entry)
  }
  if (byKey.size === 0) return { added: [], addedKeys: [] }
  if (!db.isTransaction) return db.transaction().execute((tx) => blacklistAddresses(tx, input))
  const rows = await db
    .insertInto('blacklist')
    .values(
      [...byKey].map(([key, entry]) => ({
        address_key: key,
        address: entry.address.trim(),
        reason: entry.reason,
        detail: entry.detail ?? null,
        source: entry.source,
        library_id: entry.libraryId ?? null,
        message_id: entry.messageId ?? null,
        added_by: entry.addedBy ?? null,
        created_at: entry.createdAt ?? input.at,
      })),
    )
    .onConflict((oc) => oc.column('address_key').doNothing())
    .returning(['address', 'address_key', 'reason', 'library_id'])
    .execute()
  await recordBlacklistEvents(db, { at: input.at, rows })
  return { added: rows.map((row) => row.address), addedKeys: rows.map((row) => row.address_key) }
}

/** The `address.blacklisted` events of the addresses just added: one per library that has a contact of it, or whose message taught it. */
async function recordBlacklistEvents(
  tx: Db,
  input: { at: Date; rows: ReadonlyArray<{ address: string; address_key: string; reason: BlacklistReason; library_id: number | null }> },
): Promise<void> {
  if (input.rows.length === 0) return
  const keys = input.rows.map((row) => row.address_key)
  // Per library, so that contacts_address (library_id, address_key) answers each key.
  const { rows: holders } = await sql<{ libraryId: number; key: string }>`
    select l.id as "libraryId", k.key
    from libraries l cross join unnest(${keys}::text[]) as k(key)
    where exists (select 1 from contacts c where c.library_id = l.id and c.address_key = k.key)`.execute(tx)
  const libraries = new Map<string, Set<number>>(input.rows.map((row) => [row.address_key, new Set(row.library_id === null ? [] : [row.library_id])]))
  for (const holder of holders) libraries.get(holder.key)?.add(holder.libraryId)
  const events = input.rows.flatMap((row) =>
    [...libraries.get(row.address_key)!].map((libraryId) => ({
      libraryId,
      type: 'address.blacklisted' as const,
      subject: row.address,
      details: { reason: row.reason },
    })),
  )
  await recordEventsOfLibraries(tx, { at: input.at, events })
}

/** Blacklists one address; `added` is false when it was there already (its first reason stays). */
export async function blacklistAddress(db: Db, input: BlacklistEntry & { at: Date }): Promise<{ added: boolean }> {
  const { at, ...entry } = input
  const { added } = await blacklistAddresses(db, { at, entries: [entry] })
  return { added: added.length > 0 }
}

/** Whether an address is on the blacklist (matched by its key: case and spacing do not count). */
export async function isBlacklisted(db: Db, address: string): Promise<boolean> {
  const row = await db.selectFrom('blacklist').where('address_key', '=', emailAddressKey(address)).select('address_key').executeTakeFirst()
  return row !== undefined
}

/** Which of these addresses are blacklisted, by key, in one query. */
export async function blacklistedKeys(db: Db, addresses: readonly string[]): Promise<Set<string>> {
  const keys = [...new Set(addresses.map(emailAddressKey))].filter((key) => key !== '')
  if (keys.length === 0) return new Set()
  const rows = await db.selectFrom('blacklist').where('address_key', 'in', keys).select('address_key').execute()
  return new Set(rows.map((row) => row.address_key))
}
