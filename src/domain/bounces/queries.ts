import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import type { BlacklistTable } from '../../db/schema.ts'

export type BlacklistReason = BlacklistTable['reason']
export type BlacklistSource = BlacklistTable['source']
export const blacklistReasons: readonly BlacklistReason[] = ['bounce', 'complaint', 'soft_bounces', 'suppressed', 'manual']

/** The key a blacklisted address is matched by, as contacts key theirs: trimmed, NFC, lower-cased. */
export function blacklistKeyOf(address: string): string {
  return address.trim().normalize('NFC').toLowerCase()
}

/** A patron whose contact an address is. */
export type BlacklistedContact = { contactId: number; patronId: number; username: string; patronName: string; role: string }

/** A blacklisted address as a library's staff see it: with the patrons whose contact it is there. */
export type BlacklistEntry = {
  address: string
  reason: BlacklistReason
  /** SES's words: the bounce type and diagnostic, the complaint's feedback type, or staff's note. */
  detail: string | null
  source: BlacklistSource
  addedBy: string | null
  createdAt: Date
  patrons: BlacklistedContact[]
}

// Deployment-wide list, library-wide view: an entry concerns a library when the address is one
// of its contacts, or when it was learnt from (or added by) that library.
const concerns = (libraryId: number) => sql<boolean>`(
  b.library_id = ${libraryId}
  or exists (select 1 from contacts c where c.library_id = ${libraryId} and c.type = 'email' and c.address_key = b.address_key))`

/** The library's blacklist entries created at or after `since`, newest first, at most `limit`. */
export async function findBlacklist(db: Db, input: { libraryId: number; since: Date; limit: number; addressKey?: string }): Promise<BlacklistEntry[]> {
  const { rows } = await sql<Omit<BlacklistEntry, 'createdAt'> & { createdAt: string | Date }>`
    select b.address, b.reason, b.detail, b.source, b.added_by as "addedBy", b.created_at as "createdAt",
           coalesce((select json_agg(json_build_object('contactId', c.id, 'patronId', p.id, 'username', p.username,
                                                       'patronName', trim(concat_ws(' ', p.first_name, p.last_name)), 'role', c.role)
                                     order by p.username, c.id)
                       from contacts c join patrons p on p.id = c.patron_id
                      where c.library_id = ${input.libraryId} and c.type = 'email' and c.address_key = b.address_key), '[]') as patrons
      from blacklist b
     where ${concerns(input.libraryId)}
       and b.created_at >= ${input.since}
       ${input.addressKey === undefined ? sql`` : sql`and b.address_key = ${input.addressKey}`}
     order by b.created_at desc, b.address_key
     limit ${input.limit}`.execute(db)
  return rows.map((row) => ({ ...row, createdAt: new Date(row.createdAt) }))
}

/** One entry the library may see, by address, whenever it was added. */
export async function findBlacklistEntry(db: Db, input: { libraryId: number; addressKey: string }): Promise<BlacklistEntry | undefined> {
  const [entry] = await findBlacklist(db, { ...input, since: new Date(0), limit: 1 })
  return entry
}

/** What the blacklist holds for each of these keys, whoever it concerns (a contact's card shows it). */
export async function findBlacklisted(
  db: Db,
  addressKeys: readonly string[],
): Promise<Map<string, { reason: BlacklistReason; detail: string | null; createdAt: Date }>> {
  if (addressKeys.length === 0) return new Map()
  const rows = await db
    .selectFrom('blacklist')
    .where('address_key', 'in', [...new Set(addressKeys)])
    .select(['address_key', 'reason', 'detail', 'created_at'])
    .execute()
  return new Map(rows.map((row) => [row.address_key, { reason: row.reason, detail: row.detail, createdAt: new Date(row.created_at) }]))
}

/** A new blacklist row. */
export type NewBlacklistEntry = {
  address: string
  reason: BlacklistReason
  detail?: string | null
  source: BlacklistSource
  libraryId?: number | null
  addedBy?: string | null
  createdAt?: Date
}

/** Adds addresses not blacklisted yet, one statement; returns the keys it added (an address already there keeps its first reason). */
export async function insertBlacklist(db: Db, entries: readonly NewBlacklistEntry[]): Promise<string[]> {
  if (entries.length === 0) return []
  const rows = await db
    .insertInto('blacklist')
    .values(
      entries.map((entry) => ({
        address_key: blacklistKeyOf(entry.address),
        address: entry.address.trim(),
        reason: entry.reason,
        detail: entry.detail ?? null,
        source: entry.source,
        library_id: entry.libraryId ?? null,
        added_by: entry.addedBy ?? null,
        ...(entry.createdAt && { created_at: entry.createdAt }),
      })),
    )
    .onConflict((oc) => oc.column('address_key').doNothing())
    .returning('address_key')
    .execute()
  return rows.map((row) => row.address_key)
}

/** Deletes an address from the blacklist; returns whether it was there. */
export async function deleteBlacklist(db: Db, addressKey: string): Promise<boolean> {
  const rows = await db.deleteFrom('blacklist').where('address_key', '=', addressKey).returning('address_key').execute()
  return rows.length > 0
}

/** Why a contact's address is blacklisted, as its card says. */
export type BlacklistNote = { reason: BlacklistReason; detail: string | null; addedBy: string | null; createdAt: Date }

/** The patron's contacts whose address is blacklisted, by contact id. */
export async function findBlacklistedContacts(db: Db, input: { libraryId: number; patronId: number }): Promise<Map<number, BlacklistNote>> {
  const rows = await db
    .selectFrom('contacts as c')
    .innerJoin('blacklist as b', 'b.address_key', 'c.address_key')
    .where('c.library_id', '=', input.libraryId)
    .where('c.patron_id', '=', input.patronId)
    .where('c.type', '=', 'email')
    .select(['c.id', 'b.reason', 'b.detail', 'b.added_by as addedBy', 'b.created_at as createdAt'])
    .execute()
  return new Map(rows.map(({ id, ...note }) => [id, { ...note, createdAt: new Date(note.createdAt) }]))
}
