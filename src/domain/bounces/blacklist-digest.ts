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
