import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'

// Migration 0007 adds audit_log.patron_id; the table types in src/db/schema.ts are extended here
// with that column only, so the audit area compiles on its own.
type AuditPatronColumn = { audit_log: { patron_id: number | null } }

/** The database, typed with audit_log's patron_id. */
export const auditLogOf = (db: Db) => db.withTables<AuditPatronColumn>()

/** An entry of the audit log as every door shows it. `patron` is the username of the patron it is about. */
export type AuditRecord = {
  id: string
  at: Date
  actor: string
  approver: string | null
  action: string
  subjectType: string
  subjectId: string | null
  patron: string | null
  before: unknown
  after: unknown
  details: unknown
}

/** What to look for; every field narrows the search. Instants are resolved from the library's days already. */
export type AuditSearch = {
  libraryId: number
  atOrAfter?: Date
  /** Exclusive: the start of the day after a `to` date. */
  before?: Date
  /** Inclusive: a `to` instant. */
  atOrBefore?: Date
  /** Either the one who acted or the one who approved. */
  actor?: string
  action?: { exact: string } | { prefix: string }
  patron?: { id: number; username: string }
  /** Entries older than this id: the page after the one that ended there. */
  belowId?: string
  limit: number
}

/** Audit entries matching `search`, newest first. */
export async function findAuditEntries(db: Db, search: AuditSearch): Promise<AuditRecord[]> {
  const { patron, action } = search
  const exactAction = action && 'exact' in action ? action.exact : undefined
  const actionPrefix = action && 'prefix' in action ? action.prefix : undefined
  const rows = await auditLogOf(db)
    .selectFrom('audit_log as a')
    .leftJoin('patrons as p', (join) => join.onRef('p.id', '=', 'a.patron_id').onRef('p.library_id', '=', 'a.library_id'))
    .where('a.library_id', '=', search.libraryId)
    .$if(search.atOrAfter !== undefined, (qb) => qb.where('a.at', '>=', search.atOrAfter!))
    .$if(search.before !== undefined, (qb) => qb.where('a.at', '<', search.before!))
    .$if(search.atOrBefore !== undefined, (qb) => qb.where('a.at', '<=', search.atOrBefore!))
    .$if(search.actor !== undefined, (qb) => qb.where((eb) => eb.or([eb('a.actor', '=', search.actor!), eb('a.approver', '=', search.actor!)])))
    .$if(exactAction !== undefined, (qb) => qb.where('a.action', '=', exactAction!))
    // starts_with, not LIKE: the underscore of api_key.… would be a LIKE wildcard.
    .$if(actionPrefix !== undefined, (qb) => qb.where(sql<boolean>`starts_with(a.action, ${actionPrefix})`))
    .$if(patron !== undefined, (qb) =>
      qb.where((eb) =>
        eb.or([
          eb('a.patron_id', '=', patron!.id),
          // A batch of patrons is one entry, which names its first 50 usernames.
          eb.and([
            eb('a.action', '=', 'patrons.upserted'),
            sql<boolean>`exists (
            select 1 from jsonb_array_elements_text(
              case when jsonb_typeof(a.details -> 'usernames') = 'array' then a.details -> 'usernames' else '[]'::jsonb end
            ) as named (username)
            where lower(named.username) = lower(${patron!.username}))`,
          ]),
        ]),
      ),
    )
    .$if(search.belowId !== undefined, (qb) => qb.where('a.id', '<', search.belowId!))
    .select([
      'a.id',
      'a.at',
      'a.actor',
      'a.approver',
      'a.action',
      'a.subject_type as subjectType',
      'a.subject_id as subjectId',
      'p.username as patron',
      'a.before',
      'a.after',
      'a.details',
    ])
    .orderBy('a.id', 'desc')
    .limit(search.limit)
    .execute()
  return rows.map((row) => ({ ...row, id: String(row.id), at: new Date(row.at), patron: row.patron ?? null }))
}

/**
 * The library's time zone, when `fromDay` starts and `toDay` ends there (midnight, as
 * PostgreSQL's time zone database has it). Undefined when there is no such library.
 */
export async function findLibraryDayBounds(
  db: Db,
  input: { libraryId: number; fromDay?: string; toDay?: string },
): Promise<{ timeZone: string; fromDayStart: Date | null; toDayEnd: Date | null } | undefined> {
  const row = await db
    .selectFrom('libraries')
    .where('id', '=', input.libraryId)
    .select([
      'time_zone as timeZone',
      sql<Date | null>`cast(${input.fromDay ?? null} as date)::timestamp at time zone time_zone`.as('fromDayStart'),
      sql<Date | null>`(cast(${input.toDay ?? null} as date) + 1)::timestamp at time zone time_zone`.as('toDayEnd'),
    ])
    .executeTakeFirst()
  if (!row) return undefined
  const instant = (value: Date | null) => (value === null ? null : new Date(value))
  return { timeZone: row.timeZone, fromDayStart: instant(row.fromDayStart), toDayEnd: instant(row.toDayEnd) }
}
