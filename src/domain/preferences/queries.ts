import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import type { NoticeGroup } from './groups.ts'
import type { UnsubscribeCopy } from './unsubscribe-token.ts'

/** What an unsubscribe link is about: its message, the patron, and the contact its copy went to. */
export type UnsubscribeSubject = {
  messageId: string
  libraryId: number
  libraryName: string
  scenario: string
  patronId: number
  patronFirstName: string
  /**
   * The recipient of the copy, still one of the patron's contacts, with the groups it has stopped;
   * `address` is where the copy went, `addressKey` the contact's key now.
   */
  contact: { contactId: number; address: string; addressKey: string; stoppedGroups: NoticeGroup[] }
}

/**
 * The copy a link names, with its patron and recipient; undefined when the message is gone, is
 * about no patron, or the recipient is no longer one of the patron's contacts.
 */
export async function findUnsubscribeSubject(db: Db, copy: UnsubscribeCopy): Promise<UnsubscribeSubject | undefined> {
  const { rows } = await sql<Omit<UnsubscribeSubject, 'messageId'> & { messageId: string | number }>`
    select m.id as "messageId", m.library_id as "libraryId", l.name as "libraryName", m.scenario,
           m.patron_id as "patronId", p.first_name as "patronFirstName",
           json_build_object('contactId', c.id, 'address', r.address, 'addressKey', c.address_key,
                             'stoppedGroups', coalesce((select json_agg(rc.notice_group order by rc.notice_group)
                                                          from recipient_choices rc where rc.contact_id = c.id and rc.stopped), '[]')) as contact
      from messages m
      join libraries l on l.id = m.library_id
      join patrons p on p.id = m.patron_id and p.library_id = m.library_id
      join message_recipients r on r.message_id = m.id and r.position = ${copy.recipientPosition}
      join contacts c on c.id = r.contact_id and c.patron_id = m.patron_id
     where m.id = ${copy.messageId}::bigint`.execute(db)
  const row = rows[0]
  return row === undefined ? undefined : { ...row, messageId: String(row.messageId) }
}

/** Records a contact's own choice for a group; returns whether it changed anything. */
export async function saveRecipientChoice(db: Db, input: { contactId: number; group: NoticeGroup; stopped: boolean; at: Date }): Promise<boolean> {
  const { rows } = await sql<{ contact_id: number }>`
    insert into recipient_choices (contact_id, notice_group, stopped, chosen_at)
    values (${input.contactId}, ${input.group}, ${input.stopped}, ${input.at})
    on conflict (contact_id, notice_group) do update set stopped = excluded.stopped, chosen_at = excluded.chosen_at
     where recipient_choices.stopped <> excluded.stopped
    returning contact_id`.execute(db)
  return rows.length > 0
}

/** Which contacts the preferences batch takes, and what it sets (already resolved to ids and scenarios). */
export type PreferencesPlanInput = {
  libraryId: number
  role: 'guardian' | 'patron' | 'other'
  academicLevelIds: readonly number[] | null
  groupIds: readonly number[] | null
  patronIds: readonly number[] | null
  /** One row per scenario of every group set On or Off. */
  settings: ReadonlyArray<{ group: NoticeGroup; scenario: string; setting: 'on' | 'off' }>
  everyScenario: readonly string[]
  overwriteRecipientChoices: boolean
}

export type PreferencesPlanCounts = {
  contactsToChange: number
  skippedNoAddress: number
  recipientChoicesOverwritten: number
  recipientChoicesKept: number
  /** A digest of every change planned: a confirmation compares it with the preview's. */
  planChecksum: string
}

/**
 * Plans the batch in the transaction's temporary tables `preferences_plan` (one row per selected
 * contact with its usage and scenarios after) and `preferences_conflicts` (choices recipients made
 * that the batch contradicts), in three statements whatever the number of contacts; they go at
 * commit. A contact's scenarios are its effective set: every contact scenario for `any`, its rows
 * for `custom`, none for `none`; Off removes the group's, On adds them.
 */
export async function planPreferencesBatch(tx: Db, input: PreferencesPlanInput): Promise<PreferencesPlanCounts> {
  const ids = (values: readonly number[] | null) => (values === null ? null : sql.val([...values]))
  await sql`
    create temp table preferences_selected on commit drop as
    select c.id, c.usage,
           c.type = 'email' and c.address_key <> ''
             -- The blacklist is the deployment's: such an address is mailed from no library.
             and not exists (select 1 from blacklist b where b.address_key = c.address_key) as usable
      from contacts c
      join patrons p on p.id = c.patron_id and p.library_id = c.library_id
     where c.library_id = ${input.libraryId}
       and c.role = ${input.role}
       and (${ids(input.academicLevelIds)}::int[] is null or p.academic_level_id = any(${ids(input.academicLevelIds)}::int[]))
       and (${ids(input.patronIds)}::int[] is null or p.id = any(${ids(input.patronIds)}::int[]))
       and (${ids(input.groupIds)}::int[] is null or exists (
             select 1 from patron_groups pg where pg.patron_id = p.id and pg.library_id = p.library_id
                and pg.group_id = any(${ids(input.groupIds)}::int[])))`.execute(tx)
  // A temporary table has no statistics until analysed: the joins below need its size.
  await sql`analyze preferences_selected`.execute(tx)
  const settingsOf = (key: 'group' | 'scenario' | 'setting') => sql.val(input.settings.map((row) => row[key]))
  // Seed 003: a recipient's own choice ("may overwrite" what parents set) is contradicted when
  // On meets a stop, or Off meets a choice to receive again.
  await sql`
    create temp table preferences_conflicts on commit drop as
    select distinct rc.contact_id, rc.notice_group
      from recipient_choices rc
      join preferences_selected s on s.id = rc.contact_id and s.usable
      join unnest(${settingsOf('group')}::text[], ${settingsOf('setting')}::text[]) as g(notice_group, setting)
        on g.notice_group = rc.notice_group
     where (rc.stopped and g.setting = 'on') or (not rc.stopped and g.setting = 'off')`.execute(tx)
  // Per contact, its scenarios as a small array, never a row per scenario: 250,000 contacts
  // times 14 scenarios as rows took seconds to sort and group (B9).
  await sql`
    create temp table preferences_plan on commit drop as
    with settings as (
      select * from unnest(${settingsOf('group')}::text[], ${settingsOf('scenario')}::text[], ${settingsOf('setting')}::text[])
               as g(notice_group, scenario, setting)),
    every_scenario as (select array(select unnest(${sql.val([...input.everyScenario])}::text[]) order by 1) as scenarios),
    kept as (
      select contact_id, array_agg(notice_group) as groups from preferences_conflicts
       where not ${input.overwriteRecipientChoices} group by contact_id),
    overwritten as (
      select contact_id, count(*)::int as n from preferences_conflicts where ${input.overwriteRecipientChoices} group by contact_id),
    custom as (
      select cs.contact_id, array_agg(cs.scenario order by cs.scenario) as scenarios
        from contact_scenarios cs join preferences_selected s on s.id = cs.contact_id and s.usable and s.usage = 'custom'
       group by cs.contact_id),
    before as (
      select s.id, s.usage, coalesce(k.groups, '{}') as kept_groups, o.n as overwritten,
             case s.usage when 'any' then (select scenarios from every_scenario)
                          when 'custom' then coalesce(c.scenarios, '{}') else '{}' end as scenarios
        from preferences_selected s
        left join custom c on c.contact_id = s.id
        left join kept k on k.contact_id = s.id
        left join overwritten o on o.contact_id = s.id
       where s.usable),
    -- Contacts share few distinct lists (every "any" contact has the same): each is worked out
    -- once, materialized, or the planner works it out again for every contact (B9).
    lists as (select distinct scenarios, kept_groups from before),
    outcomes as materialized (
      select l.scenarios, l.kept_groups, array(
               select x from unnest(l.scenarios) x
                where not exists (select 1 from settings g where g.scenario = x and g.setting = 'off' and not g.notice_group = any(l.kept_groups))
               union
               select g.scenario from settings g where g.setting = 'on' and not g.notice_group = any(l.kept_groups)
               order by 1) as scenarios_after
        from lists l),
    after as (
      select b.*, o.scenarios_after from before b join outcomes o on o.scenarios = b.scenarios and o.kept_groups = b.kept_groups)
    select id as contact_id, usage as usage_before,
           case when scenarios_after @> ${sql.val([...input.everyScenario])}::text[] then 'any'
                when usage = 'none' and cardinality(scenarios_after) = 0 then 'none'
                else 'custom' end as usage_after,
           scenarios_after,
           coalesce(overwritten, 0) as choices_overwritten,
           scenarios is distinct from scenarios_after or overwritten is not null as changes
      from after`.execute(tx)
  const { rows } = await sql<PreferencesPlanCounts>`
    select (select count(*)::int from preferences_plan where changes) as "contactsToChange",
           (select count(*)::int from preferences_selected where not usable) as "skippedNoAddress",
           (select coalesce(sum(choices_overwritten), 0)::int from preferences_plan) as "recipientChoicesOverwritten",
           (select count(*)::int from preferences_conflicts where not ${input.overwriteRecipientChoices}) as "recipientChoicesKept",
           (select md5(coalesce(string_agg(concat_ws(':', contact_id, usage_before, usage_after, array_to_string(scenarios_after, ','), choices_overwritten), ';'
                                           order by contact_id), ''))
              from preferences_plan where changes) as "planChecksum"`.execute(tx)
  return rows[0]
}

/** Applies the planned changes: usage, scenarios, and the overwritten choices; returns the contacts updated. */
export async function applyPreferencesPlan(tx: Db, input: { overwriteRecipientChoices: boolean }): Promise<number> {
  const updated = await sql`
    update contacts c set usage = p.usage_after, updated_at = now()
      from preferences_plan p where c.id = p.contact_id and p.changes`.execute(tx)
  // Only a custom contact had scenarios to replace.
  await sql`
    delete from contact_scenarios cs using preferences_plan p
     where cs.contact_id = p.contact_id and p.changes and p.usage_before = 'custom'`.execute(tx)
  await sql`
    insert into contact_scenarios (contact_id, scenario)
    select p.contact_id, unnest(p.scenarios_after) from preferences_plan p where p.changes and p.usage_after = 'custom'`.execute(tx)
  if (input.overwriteRecipientChoices) {
    await sql`
      delete from recipient_choices rc using preferences_conflicts k
       where rc.contact_id = k.contact_id and rc.notice_group = k.notice_group`.execute(tx)
  }
  return Number(updated.numAffectedRows ?? 0)
}

/** The ids of the names given that the library knows, and the names it does not. */
export async function resolvePreferencesFilter(
  db: Db,
  input: { libraryId: number; academicLevels: readonly string[]; groups: readonly string[]; usernames: readonly string[] },
): Promise<{
  academicLevels: { ids: number[]; unknown: string[] }
  groups: { ids: number[]; unknown: string[] }
  usernames: { ids: number[]; unknown: string[] }
}> {
  // In the order given, so a refusal names them as the admin wrote them. Matched as every other
  // door matches them: without regard to case or surrounding spaces ("ANA" is ana, "year 7" Year 7).
  const { rows } = await sql<{ kind: 'academicLevels' | 'groups' | 'usernames'; name: string; id: number | null }>`
    select * from (
    select 'academicLevels' as kind, n.name, l.id, n.position from unnest(${sql.val([...input.academicLevels])}::text[]) with ordinality n(name, position)
      left join academic_levels l on l.library_id = ${input.libraryId} and lower(l.name) = lower(btrim(n.name))
    union all
    select 'groups', n.name, g.id, n.position from unnest(${sql.val([...input.groups])}::text[]) with ordinality n(name, position)
      left join library_groups g on g.library_id = ${input.libraryId} and lower(g.name) = lower(btrim(n.name))
    union all
    select 'usernames', n.name, p.id, n.position from unnest(${sql.val([...input.usernames])}::text[]) with ordinality n(name, position)
      left join patrons p on p.library_id = ${input.libraryId} and lower(p.username) = lower(btrim(n.name))) named
     order by position`.execute(db)
  const of = (kind: 'academicLevels' | 'groups' | 'usernames') => ({
    ids: rows.filter((row) => row.kind === kind && row.id !== null).map((row) => row.id!),
    unknown: [...new Set(rows.filter((row) => row.kind === kind && row.id === null).map((row) => row.name))],
  })
  return { academicLevels: of('academicLevels'), groups: of('groups'), usernames: of('usernames') }
}

/** The names of the library's academic levels and groups, at most `atMost` + 1 of each (to tell "more than"). */
export async function listFilterNames(db: Db, input: { libraryId: number; atMost: number }): Promise<{ academicLevels: string[]; groups: string[] }> {
  const [academicLevels, groups] = await Promise.all(
    (['academic_levels', 'library_groups'] as const).map((table) =>
      db
        .selectFrom(table)
        .where('library_id', '=', input.libraryId)
        .select('name')
        .orderBy('name')
        .limit(input.atMost + 1)
        .execute(),
    ),
  )
  return { academicLevels: academicLevels.map((row) => row.name), groups: groups.map((row) => row.name) }
}

/** The names of levels, groups and patrons by id, in the library; an id it no longer has is left out. */
export async function findFilterNames(
  db: Db,
  input: { libraryId: number; academicLevelIds: readonly number[]; groupIds: readonly number[]; patronIds: readonly number[] },
): Promise<{ academicLevels: string[]; groups: string[]; usernames: string[] }> {
  const { rows } = await sql<{ kind: 'academicLevels' | 'groups' | 'usernames'; name: string }>`
    select 'academicLevels' as kind, name from academic_levels where library_id = ${input.libraryId} and id = any(${sql.val([...input.academicLevelIds])}::int[])
    union all
    select 'groups', name from library_groups where library_id = ${input.libraryId} and id = any(${sql.val([...input.groupIds])}::int[])
    union all
    select 'usernames', username from patrons where library_id = ${input.libraryId} and id = any(${sql.val([...input.patronIds])}::int[])`.execute(db)
  const named = (kind: 'academicLevels' | 'groups' | 'usernames') => rows.filter((row) => row.kind === kind).map((row) => row.name)
  return { academicLevels: named('academicLevels'), groups: named('groups'), usernames: named('usernames') }
}
