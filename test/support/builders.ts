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
      input: { username?: string; firstName?: string; lastName?: string; level?: string; enabled?: boolean; type?: 'student' | 'staff' } = {},
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
      return { id: row.id, username }
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
