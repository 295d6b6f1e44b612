import { type ExpressionBuilder, type SelectQueryBuilder, sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import type { Database } from '../../db/schema.ts'
import { patronContactsArray, toContact } from '../contacts/queries.ts'
import type { Patron, PatronWithContacts } from './patron-view.ts'

function patronColumns(eb: ExpressionBuilder<Database, 'patrons'>) {
  return [
    'patrons.id',
    'patrons.username',
    'patrons.first_name as firstName',
    'patrons.last_name as lastName',
    'patrons.type',
    'patrons.is_enabled as isEnabled',
    eb.selectFrom('academic_levels').whereRef('academic_levels.id', '=', 'patrons.academic_level_id').select('academic_levels.name').as('academicLevel'),
    eb
      .selectFrom('patron_groups')
      .innerJoin('library_groups', 'library_groups.id', 'patron_groups.group_id')
      .whereRef('patron_groups.patron_id', '=', 'patrons.id')
      .select(sql<string[]>`coalesce(array_agg(library_groups.name order by library_groups.name), '{}')`.as('g'))
      .as('groups'),
  ] as const
}

type PatronRowView = Omit<Patron, 'groups'> & { groups: string[] | null }
const toPatron = (row: PatronRowView): Patron => ({ ...row, groups: row.groups ?? [] })

function byUsername(db: Db, libraryId: number, username: string): SelectQueryBuilder<Database, 'patrons', object> {
  return db.selectFrom('patrons').where('patrons.library_id', '=', libraryId).where(sql<string>`lower(patrons.username)`, '=', username.trim().toLowerCase())
}

export async function findPatronByUsername(db: Db, input: { libraryId: number; username: string }): Promise<Patron | undefined> {
  const row = await byUsername(db, input.libraryId, input.username)
    .select((eb) => patronColumns(eb))
    .executeTakeFirst()
  return row ? toPatron(row as PatronRowView) : undefined
}

export async function findPatronById(db: Db, input: { libraryId: number; patronId: number }): Promise<Patron | undefined> {
  const row = await db
    .selectFrom('patrons')
    .where('patrons.library_id', '=', input.libraryId)
    .where('patrons.id', '=', input.patronId)
    .select((eb) => patronColumns(eb))
    .executeTakeFirst()
  return row ? toPatron(row as PatronRowView) : undefined
}

/** A patron and their contacts in one query. */
export async function findPatronWithContacts(
  db: Db,
  input: { libraryId: number } & ({ username: string } | { patronId: number }),
): Promise<PatronWithContacts | undefined> {
  const base =
    'username' in input
      ? byUsername(db, input.libraryId, input.username)
      : db.selectFrom('patrons').where('patrons.library_id', '=', input.libraryId).where('patrons.id', '=', input.patronId)
  const row = await base.select((eb) => [...patronColumns(eb), patronContactsArray(eb)]).executeTakeFirst()
  if (!row) return undefined
  const { contacts, ...patron } = row as PatronRowView & { contacts: Parameters<typeof toContact>[0][] }
  return { ...toPatron(patron), contacts: contacts.map(toContact) }
}

/**
 * Patrons whose username or name contains every word of `query`, as a librarian types it: in any
 * case and without accents ("cote" finds Côté), exact usernames first. Index-backed (migration 0009).
 */
export async function searchPatrons(db: Db, input: { libraryId: number; query: string; limit: number }): Promise<Patron[]> {
  const words = input.query.trim().split(/\s+/).filter(Boolean)
  if (words.length === 0) return []
  const pattern = (word: string) => sql<string>`'%' || search_key(${word.replace(/[\\%_]/g, (c) => `\\${c}`)}) || '%'`
  let query = db.selectFrom('patrons').where('patrons.library_id', '=', input.libraryId)
  for (const word of words) {
    query = query.where(sql<string>`search_key(patrons.username || ' ' || patrons.first_name || ' ' || patrons.last_name)`, 'like', pattern(word))
  }
  const rows = await query
    .select((eb) => patronColumns(eb))
    .orderBy(sql`lower(patrons.username) = ${input.query.trim().toLowerCase()}`, 'desc')
    .orderBy('patrons.last_name')
    .orderBy('patrons.first_name')
    .limit(input.limit)
    .execute()
  return rows.map((row) => toPatron(row as PatronRowView))
}

/** A patron's row locked until the transaction ends, by username (any case). */
export async function lockPatronByUsername(
  db: Db,
  input: { libraryId: number; username: string },
): Promise<{ id: number; username: string; isEnabled: boolean } | undefined> {
  return byUsername(db, input.libraryId, input.username)
    .select(['patrons.id', 'patrons.username', 'patrons.is_enabled as isEnabled'])
    .forUpdate()
    .executeTakeFirst()
}

export async function setPatronEnabledRow(db: Db, input: { patronId: number; enabled: boolean; now: Date }): Promise<void> {
  await db.updateTable('patrons').set({ is_enabled: input.enabled, updated_at: input.now }).where('id', '=', input.patronId).execute()
}
