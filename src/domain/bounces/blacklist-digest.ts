import { sql } from 'kysely'
import type { AppDeps } from '../deps.ts'
import { type BlacklistEntry, findBlacklist } from './queries.ts'

/** A patron left with no contact that can receive a notice. */
export type UnreachablePatron = { username: string; patronName: string }

/** What the report channel is told each day: addresses newly blacklisted, and whom that leaves unreachable. */
export type BlacklistDigest = { libraryId: number; since: Date; until: Date; entries: BlacklistEntry[]; unreachable: UnreachablePatron[] }

type Deps = Pick<AppDeps, 'db'>

/** Entries a digest lists at most; a busier day says how many more there were. */
const digestLimit = 50

/**
 * The library's daily digest: addresses blacklisted in [since, until) that concern it, and the
 * patrons among theirs who now have no reachable contact (no email contact that may receive some
 * notice, usage `any` or `custom` with a scenario, and is not blacklisted). Only patrons touched that day, so a
 * patron who never had an address is not reported again every morning.
 */
export async function blacklistDigest(deps: Deps, input: { libraryId: number; since: Date; until: Date }): Promise<BlacklistDigest & { more: number }> {
  const found = await findBlacklist(deps.db, { libraryId: input.libraryId, since: input.since, limit: 10_000 })
  const entries = found.filter((entry) => entry.createdAt < input.until)
  const patronIds = [...new Set(entries.flatMap((entry) => entry.patrons.map((p) => p.patronId)))]
  const unreachable =
    patronIds.length === 0
      ? []
      : (
          await sql<UnreachablePatron>`
            select p.username, trim(concat_ws(' ', p.first_name, p.last_name)) as "patronName"
              from patrons p
             where p.library_id = ${input.libraryId} and p.id = any(${sql.val(patronIds)}::int[]) and p.is_enabled
               and not exists (select 1 from contacts c
                                where c.patron_id = p.id and c.library_id = p.library_id and c.type = 'email'
                                  and (c.usage = 'any' or (c.usage = 'custom' and exists (select 1 from contact_scenarios s where s.contact_id = c.id)))
                                  and not exists (select 1 from blacklist b where b.address_key = c.address_key))
             order by p.username`.execute(deps.db)
        ).rows
  return { ...input, entries: entries.slice(0, digestLimit), more: Math.max(0, entries.length - digestLimit), unreachable }
}

/** A library whose digest is due, with its report channel. */
export type DigestLibrary = { id: number; name: string; timeZone: string; slackChannel: string }

/** A digest to post, and where. */
export type DueDigest = { library: DigestLibrary; digest: BlacklistDigest & { more: number } }

/** The hour of the library's morning from which its digest goes out: before the school day. */
export const digestHour = 7

/**
 * The digests due now: for each library with a report channel whose local time has reached
 * `digestHour` and whose digest for its today is not yet taken. Taking it writes a `job_runs`
 * row (`blacklist_digest`) under a lock, so with several instances one posts each digest. Each
 * covers the time since the library's previous digest (the last day, the first time).
 */
export async function takeDueBlacklistDigests(
  deps: Pick<AppDeps, 'db' | 'clock'>,
): Promise<Array<{ library: DigestLibrary; digest: BlacklistDigest & { more: number } }>> {
  const now = deps.clock.now()
  const taken = await deps.db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtext('library-comms:blacklist_digest'))`.execute(tx)
    const { rows } = await sql<DigestLibrary & { since: Date | string | null; today: string }>`
      select l.id, l.name, l.time_zone as "timeZone", l.slack_channel as "slackChannel",
             to_char((${now}::timestamptz at time zone l.time_zone)::date, 'YYYY-MM-DD') as today,
             (select max(r.started_at) from job_runs r where r.library_id = l.id and r.job = 'blacklist_digest') as since
        from libraries l
       where l.slack_channel is not null and l.slack_channel <> ''
         and extract(hour from ${now}::timestamptz at time zone l.time_zone) >= ${digestHour}
         and not exists (select 1 from job_runs r where r.library_id = l.id and r.job = 'blacklist_digest'
                           and r.as_of = (${now}::timestamptz at time zone l.time_zone)::date)`.execute(tx)
    if (rows.length > 0) {
      await tx
        .insertInto('job_runs')
        .values(
          rows.map((row) => ({ library_id: row.id, job: 'blacklist_digest', as_of: row.today, started_at: now, finished_at: now, status: 'done' as const })),
        )
        .execute()
    }
    return rows
  })
  const due: DueDigest[] = []
  for (const row of taken) {
    const since = row.since === null ? new Date(now.getTime() - 86_400_000) : new Date(row.since)
    const digest = await blacklistDigest(deps, { libraryId: row.id, since, until: now })
    due.push({ library: { id: row.id, name: row.name, timeZone: row.timeZone, slackChannel: row.slackChannel }, digest })
  }
  return due
}
