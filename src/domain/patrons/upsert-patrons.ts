import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import { recordAudit } from '../audit/record-audit.ts'
import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import { type Actor, actorLabel } from '../staff/actors.ts'
import { can, checkPermission, type NotAllowed } from '../staff/permissions.ts'
import type { StaffRole } from '../staff/roles.ts'
import { quoted, unstorableText } from '../text.ts'
import type { PatronType } from './patron-view.ts'

/** One patron as the library system sends it; a field left out keeps its stored value. */
export type PatronInput = {
  username: string
  firstName?: string
  lastName?: string
  type?: PatronType
  /** null clears the level. */
  academicLevel?: string | null
  /** Replaces the patron's library groups. */
  groups?: string[]
  enabled?: boolean
}

type PatronProblem = { index: number; field: keyof PatronInput; message: string }
export type UpsertPatronsError =
  | NotAllowed
  | { code: 'invalid_patrons'; problems: PatronProblem[] }
  /** Seed 004: deactivating patrons takes an admin; the patrons of the batch it would deactivate. */
  | { code: 'deactivation_not_allowed'; needed: 'admin'; role: StaffRole | null; problems: PatronProblem[] }
type UpsertPatronsSummary = { created: number; updated: number; unchanged: number }

type Deps = Pick<AppDeps, 'db' | 'clock'>

/**
 * Creates and updates patrons by username (case-insensitive), all or nothing, in a few
 * set-based statements. Idempotent: sending the same batch again changes nothing.
 */
export async function upsertPatrons(
  deps: Deps,
  input: { libraryId: number; patrons: PatronInput[]; actor: Actor },
): Promise<Result<UpsertPatronsSummary, UpsertPatronsError>> {
  const refused = checkPermission(input.actor, 'changePatrons')
  if (refused) return err(refused)
  const problems = [...findUnstorableText(input.patrons), ...findDuplicateUsernames(input.patrons)]
  if (problems.length > 0) return err({ code: 'invalid_patrons', problems })
  if (input.patrons.length === 0) return ok({ created: 0, updated: 0, unchanged: 0 })

  return deps.db.transaction().execute(async (tx) => {
    if (!can(input.actor, 'deactivatePatrons')) {
      const deactivating = await findDeactivations(tx, input.libraryId, input.patrons)
      if (deactivating.length > 0) return err({ code: 'deactivation_not_allowed', needed: 'admin', role: input.actor.role, problems: deactivating } as const)
    }
    const summary = await applyPatrons(tx, { libraryId: input.libraryId, patrons: input.patrons, now: deps.clock.now() })
    await recordAudit(tx, {
      libraryId: input.libraryId,
      actor: actorLabel(input.actor.ref),
      action: 'patrons.upserted',
      subjectType: 'patron',
      details: { ...summary, usernames: input.patrons.slice(0, 50).map((p) => p.username), total: input.patrons.length },
    })
    return ok(summary)
  })
}

/** The patrons of the batch that `enabled: false` would deactivate: those enabled now (a new one created disabled loses nothing). */
async function findDeactivations(db: Db, libraryId: number, patrons: PatronInput[]): Promise<PatronProblem[]> {
  const disabling = patrons.flatMap((patron, index) => (patron.enabled === false ? [{ index, key: patron.username.trim().toLowerCase() }] : []))
  if (disabling.length === 0) return []
  const enabled = await db
    .selectFrom('patrons')
    .where('library_id', '=', libraryId)
    .where('is_enabled', '=', true)
    .where(
      sql<string>`lower(username)`,
      'in',
      disabling.map((row) => row.key),
    )
    .select(sql<string>`lower(username)`.as('key'))
    .execute()
  const keys = new Set(enabled.map((row) => row.key))
  return disabling
    .filter((row) => keys.has(row.key))
    .map((row) => ({
      index: row.index,
      field: 'enabled' as const,
      message: `This deactivates ${quoted(patrons[row.index].username)}, which takes the admin role`,
    }))
}

/** Text that cannot be stored (a NUL, half a surrogate pair), named by the patron's index and field. */
function findUnstorableText(patrons: PatronInput[]): PatronProblem[] {
  const problems: PatronProblem[] = []
  patrons.forEach((patron, index) => {
    const texts: Array<[keyof PatronInput, string | null | undefined]> = [
      ['username', patron.username],
      ['firstName', patron.firstName],
      ['lastName', patron.lastName],
      ['academicLevel', patron.academicLevel],
      ...(patron.groups ?? []).map((group): [keyof PatronInput, string] => ['groups', group]),
    ]
    for (const [field, text] of texts) {
      const why = text === null || text === undefined ? undefined : unstorableText(text)
      if (why) problems.push({ index, field, message: `${fieldNames[field]} ${why}` })
    }
  })
  return problems
}

const fieldNames: Record<keyof PatronInput, string> = {
  username: 'Username',
  firstName: 'First name',
  lastName: 'Last name',
  type: 'Type',
  academicLevel: 'Academic level',
  groups: 'A group name',
  enabled: 'Enabled',
}

function findDuplicateUsernames(patrons: PatronInput[]): PatronProblem[] {
  const seen = new Map<string, number>()
  const problems: PatronProblem[] = []
  patrons.forEach((patron, index) => {
    const key = patron.username.trim().toLowerCase()
    const first = seen.get(key)
    if (first !== undefined) {
      problems.push({ index, field: 'username', message: `${quoted(patron.username)} is also at index ${first}` })
    } else seen.set(key, index)
  })
  return problems
}

/** The set-based core, shared with the patrons CSV import. Run it inside a transaction. */
export async function applyPatrons(db: Db, input: { libraryId: number; patrons: PatronInput[]; now: Date }): Promise<UpsertPatronsSummary> {
  const rows = JSON.stringify(
    input.patrons.map((p) => ({
      username: p.username.trim(),
      ...(p.firstName !== undefined && { first_name: p.firstName.trim() }),
      ...(p.lastName !== undefined && { last_name: p.lastName.trim() }),
      ...(p.type !== undefined && { type: p.type }),
      ...(p.academicLevel !== undefined && { academic_level: p.academicLevel?.trim() || null }),
      ...(p.groups !== undefined && { groups: [...new Set(p.groups.map((g) => g.trim()).filter(Boolean))] }),
      ...(p.enabled !== undefined && { enabled: p.enabled }),
    })),
  )
  const lib = input.libraryId
  await sql`
    insert into academic_levels (library_id, name)
    select distinct ${lib}::int, e->>'academic_level' from jsonb_array_elements(${rows}::text::jsonb) e
    where e->>'academic_level' is not null
    on conflict (library_id, name) do nothing`.execute(db)
  await sql`
    insert into library_groups (library_id, name)
    select distinct ${lib}::int, g from jsonb_array_elements(${rows}::text::jsonb) e, jsonb_array_elements_text(e->'groups') g
    where e ? 'groups'
    on conflict (library_id, name) do nothing`.execute(db)

  // Existing patrons: only what changed is written, so a repeated batch reports "unchanged".
  const updated = await sql<{ id: number }>`
    with input as (
      select e, lower(e->>'username') as username_key from jsonb_array_elements(${rows}::text::jsonb) e
    ), target as (
      select p.id,
        case when e ? 'first_name' then e->>'first_name' else p.first_name end as first_name,
        case when e ? 'last_name' then e->>'last_name' else p.last_name end as last_name,
        case when e ? 'type' then e->>'type' else p.type end as type,
        case when e ? 'academic_level' then al.id else p.academic_level_id end as academic_level_id,
        case when e ? 'enabled' then (e->>'enabled')::boolean else p.is_enabled end as is_enabled
      from input
      join patrons p on p.library_id = ${lib} and lower(p.username) = input.username_key
      left join academic_levels al on al.library_id = ${lib} and al.name = e->>'academic_level'
    )
    update patrons p set first_name = t.first_name, last_name = t.last_name, type = t.type,
      academic_level_id = t.academic_level_id, is_enabled = t.is_enabled, updated_at = ${input.now}
    from target t
    where p.id = t.id and (p.first_name, p.last_name, p.type, p.academic_level_id, p.is_enabled)
      is distinct from (t.first_name, t.last_name, t.type, t.academic_level_id, t.is_enabled)
    returning p.id`.execute(db)

  const created = await sql<{ id: number }>`
    insert into patrons (library_id, username, first_name, last_name, type, academic_level_id, is_enabled, created_at, updated_at)
    select ${lib}, e->>'username', coalesce(e->>'first_name', ''), coalesce(e->>'last_name', ''),
      coalesce(e->>'type', 'student'), al.id, coalesce((e->>'enabled')::boolean, true), ${input.now}, ${input.now}
    from jsonb_array_elements(${rows}::text::jsonb) e
    left join academic_levels al on al.library_id = ${lib} and al.name = e->>'academic_level'
    where not exists (select 1 from patrons p where p.library_id = ${lib} and lower(p.username) = lower(e->>'username'))
    on conflict do nothing
    returning id`.execute(db)

  // Groups: replace the set for each patron whose row names groups; count a change once.
  const regrouped = await sql<{ patron_id: number }>`
    with wanted as (
      select p.id as patron_id, lg.id as group_id
      from jsonb_array_elements(${rows}::text::jsonb) e
      join patrons p on p.library_id = ${lib} and lower(p.username) = lower(e->>'username')
      cross join lateral jsonb_array_elements_text(e->'groups') g
      join library_groups lg on lg.library_id = ${lib} and lg.name = g
      where e ? 'groups'
    ), named as (
      select p.id as patron_id from jsonb_array_elements(${rows}::text::jsonb) e
      join patrons p on p.library_id = ${lib} and lower(p.username) = lower(e->>'username')
      where e ? 'groups'
    ), removed as (
      delete from patron_groups pg using named
      where pg.patron_id = named.patron_id
        and not exists (select 1 from wanted w where w.patron_id = pg.patron_id and w.group_id = pg.group_id)
      returning pg.patron_id
    ), added as (
      insert into patron_groups (library_id, patron_id, group_id)
      select ${lib}, patron_id, group_id from wanted
      on conflict do nothing
      returning patron_id
    )
    select patron_id from removed union select patron_id from added`.execute(db)

  const createdIds = new Set(created.rows.map((r) => r.id))
  const updatedIds = new Set(updated.rows.map((r) => r.id))
  for (const { patron_id } of regrouped.rows) if (!createdIds.has(patron_id)) updatedIds.add(patron_id)
  return {
    created: createdIds.size,
    updated: updatedIds.size,
    unchanged: input.patrons.length - createdIds.size - updatedIds.size,
  }
}
