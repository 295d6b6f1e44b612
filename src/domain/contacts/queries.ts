import { type ExpressionBuilder, sql } from 'kysely'
import { jsonArrayFrom } from 'kysely/helpers/postgres'
import type { Db } from '../../db/database.ts'
import type { Database } from '../../db/schema.ts'
import type { NoticeGroup } from '../preferences/groups.ts'
import type { ContactRole, ContactType, ValidContact } from './contact-fields.ts'
import type { Contact } from './contact-view.ts'

/** Columns of a contact aliased to its view, scenarios included, for `select`. */
export function contactColumns(eb: ExpressionBuilder<Database, 'contacts'>) {
  return [
    'contacts.id',
    'contacts.patron_id as patronId',
    'contacts.role',
    'contacts.type',
    'contacts.is_primary as isPrimary',
    'contacts.addressee',
    'contacts.address',
    'contacts.bcc',
    'contacts.usage',
    'contacts.source',
    'contacts.created_at as createdAt',
    'contacts.updated_at as updatedAt',
    eb
      .selectFrom('contact_scenarios')
      .whereRef('contact_scenarios.contact_id', '=', 'contacts.id')
      .select(sql<string[]>`coalesce(array_agg(scenario order by scenario), '{}')`.as('s'))
      .as('scenarios'),
    eb
      .selectFrom('recipient_choices')
      .whereRef('recipient_choices.contact_id', '=', 'contacts.id')
      .where('recipient_choices.stopped', '=', true)
      .select(
        sql<
          Array<{ group: NoticeGroup; at: string }>
        >`coalesce(json_agg(json_build_object('group', notice_group, 'at', chosen_at) order by notice_group), '[]')`.as('g'),
      )
      .as('stoppedByRecipient'),
  ] as const
}

type ContactRowView = Omit<Contact, 'createdAt' | 'updatedAt' | 'scenarios' | 'stoppedByRecipient'> & {
  createdAt: Date | string
  updatedAt: Date | string
  scenarios: string[] | null
  stoppedByRecipient?: Array<{ group: NoticeGroup; at: Date | string }> | null
}

export function toContact(row: ContactRowView): Contact {
  return {
    ...row,
    scenarios: row.scenarios ?? [],
    stoppedByRecipient: (row.stoppedByRecipient ?? []).map((choice) => ({ group: choice.group, at: new Date(choice.at) })),
    createdAt: new Date(row.createdAt),
    updatedAt: new Date(row.updatedAt),
  }
}

export async function findContact(db: Db, input: { libraryId: number; contactId: number }): Promise<Contact | undefined> {
  const row = await db
    .selectFrom('contacts')
    .where('contacts.library_id', '=', input.libraryId)
    .where('contacts.id', '=', input.contactId)
    .select((eb) => contactColumns(eb))
    .executeTakeFirst()
  return row ? toContact(row as ContactRowView) : undefined
}

/** The patron's contact with this address (by its key), other than `exceptContactId`: a patron holds an address once. */
export async function findContactWithAddress(
  db: Db,
  input: { patronId: number; type: ContactType; addressKey: string; exceptContactId?: number },
): Promise<{ id: number; role: ContactRole } | undefined> {
  let query = db.selectFrom('contacts').where('patron_id', '=', input.patronId).where('type', '=', input.type).where('address_key', '=', input.addressKey)
  if (input.exceptContactId !== undefined) query = query.where('id', '!=', input.exceptContactId)
  return query.select(['id', 'role']).executeTakeFirst()
}

/** Whether another contact of the patron is already primary. */
export async function hasOtherPrimary(db: Db, input: { patronId: number; exceptContactId?: number }): Promise<boolean> {
  let query = db.selectFrom('contacts').where('patron_id', '=', input.patronId).where('is_primary', '=', true)
  if (input.exceptContactId !== undefined) query = query.where('id', '!=', input.exceptContactId)
  return (await query.select('id').executeTakeFirst()) !== undefined
}

export async function replaceContactScenarios(db: Db, contactId: number, scenarios: readonly string[]): Promise<void> {
  await db.deleteFrom('contact_scenarios').where('contact_id', '=', contactId).execute()
  if (scenarios.length > 0) {
    await db
      .insertInto('contact_scenarios')
      .values(scenarios.map((scenario) => ({ contact_id: contactId, scenario })))
      .execute()
  }
}

export function contactColumnsOf(contact: ValidContact) {
  return {
    role: contact.role,
    type: contact.type,
    is_primary: contact.isPrimary,
    addressee: contact.addressee,
    address: contact.address,
    address_key: contact.addressKey,
    bcc: contact.bcc,
    usage: contact.usage,
  }
}

/** The patron's contacts as a JSON array, for `select` beside a patron. */
export function patronContactsArray(eb: ExpressionBuilder<Database, 'patrons'>) {
  return jsonArrayFrom(
    eb
      .selectFrom('contacts')
      .whereRef('contacts.patron_id', '=', 'patrons.id')
      .select((inner) => contactColumns(inner))
      .orderBy('contacts.is_primary', 'desc')
      .orderBy('contacts.id'),
  ).as('contacts')
}
