import pino from 'pino'
import type { DatabaseHandle } from '../../src/db/database.ts'
import type { ContactFields } from '../../src/domain/contacts/contact-fields.ts'
import type { AppDeps, Clock } from '../../src/domain/deps.ts'
import { type Actor, actorOf } from '../../src/domain/staff/actors.ts'
import type { StaffRole } from '../../src/domain/staff/roles.ts'

let counter = 0

/** A clock a test can set and move. */
export function fixedClock(start = '2026-03-10T09:00:00Z'): Clock & { set(iso: string): void } {
  let now = new Date(start)
  return { now: () => new Date(now), set: (iso) => (now = new Date(iso)) }
}

export function testDeps(handle: DatabaseHandle, overrides: Partial<AppDeps> = {}): AppDeps {
  return { db: handle.db, bulkLoad: handle.bulkLoad, clock: fixedClock(), logger: pino({ level: 'silent' }), adminUserIds: [], ...overrides }
}

export const staffActor = (role: StaffRole | null = 'staff', label = 'slack:UTEST'): Actor => ({ ref: actorOf(label), role })

export type GivenPatron = { id: number; username: string }

/** A library of its own for one test, with builders in the librarian's words. */
export async function givenLibrary(deps: AppDeps, options: { name?: string; slackTeamId?: string; timeZone?: string } = {}) {
  counter += 1
  const tag = `${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}`
  const library = await deps.db
    .insertInto('libraries')
    .values({
      name: options.name ?? `Test Library ${tag}`,
      slack_team_id: options.slackTeamId ?? `T${tag.replace(/[^a-z0-9]/gi, '').toUpperCase()}`,
      time_zone: options.timeZone ?? 'Australia/Sydney',
    })
    .returning(['id', 'slack_team_id'])
    .executeTakeFirstOrThrow()
  const libraryId = library.id

  async function group(name: string): Promise<number> {
    const row = await deps.db
      .insertInto('library_groups')
      .values({ library_id: libraryId, name })
      .onConflict((oc) => oc.columns(['library_id', 'name']).doUpdateSet({ name }))
      .returning('id')
      .executeTakeFirstOrThrow()
    return row.id
  }

  async function item(input: { title?: string; author?: string; barcode?: string } = {}): Promise<number> {
    counter += 1
    const row = await deps.db
      .insertInto('items')
      .values({
        library_id: libraryId,
        external_id: `item-${counter}`,
        title: input.title ?? `Book ${counter}`,
        author: input.author ?? 'A. Author',
        barcode: input.barcode ?? `B${String(counter).padStart(6, '0')}`,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    return row.id
  }

  async function level(name: string): Promise<number> {
    const row = await deps.db
      .insertInto('academic_levels')
      .values({ library_id: libraryId, name })
      .onConflict((oc) => oc.columns(['library_id', 'name']).doUpdateSet({ name }))
      .returning('id')
      .executeTakeFirstOrThrow()
    return row.id
  }

  return {
    id: libraryId,
    slackTeamId: library.slack_team_id!,
    async patron(
      input: {
        username?: string
        firstName?: string
        lastName?: string
        level?: string
        groups?: string[]
        enabled?: boolean
        type?: 'student' | 'staff'
      } = {},
    ): Promise<GivenPatron> {
      counter += 1
      const username = input.username ?? `pupil${counter}`
      const row = await deps.db
        .insertInto('patrons')
        .values({
          library_id: libraryId,
          username,
          first_name: input.firstName ?? 'Pat',
          last_name: input.lastName ?? `Pupil${counter}`,
          type: input.type ?? 'student',
          academic_level_id: input.level ? await level(input.level) : null,
          is_enabled: input.enabled ?? true,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      for (const name of input.groups ?? []) {
        await deps.db
          .insertInto('patron_groups')
          .values({ library_id: libraryId, patron_id: row.id, group_id: await group(name) })
          .execute()
      }
      return { id: row.id, username }
    },
    /** A loan of a new item, open unless said otherwise; dates are the library's calendar dates. */
    async loan(
      patron: GivenPatron,
      input: {
        dueDate: string
        checkedOutAt?: string
        title?: string
        author?: string
        barcode?: string
        status?: 'open' | 'returned' | 'lost'
        externalId?: string
      },
    ): Promise<{ id: number; externalId: string }> {
      counter += 1
      const externalId = input.externalId ?? `loan-${counter}`
      const row = await deps.db
        .insertInto('loans')
        .values({
          library_id: libraryId,
          external_id: externalId,
          patron_id: patron.id,
          item_id: await item(input),
          checked_out_at: input.checkedOutAt ?? '2026-01-05T09:00:00Z',
          due_date: input.dueDate,
          status: input.status ?? 'open',
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      return { id: row.id, externalId }
    },
    /** A reservation of a new item: placed, or ready with its pickup-by date. */
    async reservation(
      patron: GivenPatron,
      input: { status?: 'placed' | 'ready' | 'cancelled' | 'collected'; pickupBy?: string; title?: string; externalId?: string } = {},
    ): Promise<{ id: number; externalId: string }> {
      counter += 1
      const externalId = input.externalId ?? `reservation-${counter}`
      const row = await deps.db
        .insertInto('reservations')
        .values({
          library_id: libraryId,
          external_id: externalId,
          patron_id: patron.id,
          item_id: await item(input),
          placed_at: '2026-01-05T09:00:00Z',
          status: input.status ?? 'placed',
          pickup_by: input.pickupBy ?? null,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      return { id: row.id, externalId }
    },
    /** A scenario excludes these academic levels and library groups. */
    async exclude(scenario: string, input: { levels?: string[]; groups?: string[] }): Promise<void> {
      for (const name of input.levels ?? []) {
        await deps.db
          .insertInto('scenario_excluded_levels')
          .values({ library_id: libraryId, scenario, academic_level_id: await level(name) })
          .execute()
      }
      for (const name of input.groups ?? []) {
        await deps.db
          .insertInto('scenario_excluded_groups')
          .values({ library_id: libraryId, scenario, group_id: await group(name) })
          .execute()
      }
    },
    async contact(patron: GivenPatron, fields: Partial<ContactFields> & { source?: 'import' | 'api' | 'staff' } = {}): Promise<number> {
      const address = fields.address ?? `contact${++counter}@example.org`
      const row = await deps.db
        .insertInto('contacts')
        .values({
          library_id: libraryId,
          patron_id: patron.id,
          role: fields.role ?? 'guardian',
          type: fields.type ?? 'email',
          is_primary: fields.isPrimary ?? false,
          addressee: fields.addressee ?? '',
          address,
          address_key: address.trim().toLowerCase(),
          bcc: fields.bcc ?? 'default',
          usage: fields.usage ?? 'any',
          source: fields.source ?? 'import',
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      if (fields.usage === 'custom' && fields.scenarios?.length) {
        await deps.db
          .insertInto('contact_scenarios')
          .values(fields.scenarios.map((scenario) => ({ contact_id: row.id, scenario })))
          .execute()
      }
      return row.id
    },
    /** A message of the email log to a patron's contacts (queued unless said otherwise); its id. */
    async message(
      patron: GivenPatron,
      input: { to: ReadonlyArray<{ address: string; contactId?: number }>; status?: 'queued' | 'sending' | 'sent' | 'skipped' | 'failed'; scenario?: string },
    ): Promise<string> {
      counter += 1
      const row = await deps.db
        .insertInto('messages')
        .values({
          library_id: libraryId,
          scenario: input.scenario ?? 'overdue_1',
          patron_id: patron.id,
          supplier_id: null,
          reservation_id: null,
          order_id: null,
          dedupe_key: `test-${counter}`,
          subject: 'Overdue',
          html: '<p>Overdue</p>',
          text: 'Overdue',
          status: input.status ?? 'queued',
          reason: null,
          as_of: null,
          requested_by: null,
          lease_until: null,
          sent_at: null,
          transport_id: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      await deps.db
        .insertInto('message_recipients')
        .values(
          input.to.map((to, position) => ({
            message_id: row.id,
            position,
            kind: position === 0 ? ('to' as const) : ('cc' as const),
            address: to.address,
            contact_id: to.contactId ?? null,
            role: null,
            delivery: null,
            delivery_detail: null,
            delivery_at: null,
            sent_at: null,
            transport_id: null,
            handed_over_at: null,
          })),
        )
        .execute()
      return row.id
    },
    async staff(slackUserId: string, role: StaffRole): Promise<void> {
      await deps.db.insertInto('staff').values({ library_id: libraryId, slack_user_id: slackUserId, role, added_by: 'test' }).execute()
    },
    async auditActions(): Promise<Array<{ action: string; actor: string; before: any; after: any; details: any }>> {
      return deps.db
        .selectFrom('audit_log')
        .where('library_id', '=', libraryId)
        .select(['action', 'actor', 'before', 'after', 'details'])
        .orderBy('id')
        .execute()
    },
    async contactsOf(patron: GivenPatron) {
      return deps.db
        .selectFrom('contacts')
        .where('patron_id', '=', patron.id)
        .select(['id', 'role', 'address', 'is_primary as isPrimary', 'usage', 'source'])
        .orderBy('id')
        .execute()
    },
  }
}

export type GivenLibrary = Awaited<ReturnType<typeof givenLibrary>>
