import { sql } from 'kysely'
import { type DatabaseHandle, openEmbeddedDatabase, openServerDatabase } from '../src/db/database.ts'
import { systemClock } from '../src/domain/deps.ts'
import { approvePurge } from '../src/domain/purge/approve-purge.ts'
import { requestPurge } from '../src/domain/purge/request-purge.ts'
import type { Actor } from '../src/domain/staff/actors.ts'
import type { BenchDatabase } from './support/bench-database.ts'
import type { Benchmark, BenchOptions } from './support/benchmark.ts'
import { seedDistrictCirculation } from './support/district-circulation.ts'
import { createDistrictDatabase, type DistrictDatabase } from './support/district-database.ts'
import { type Figure, median } from './support/figures.ts'

/** Issue 14: purging 20,000 deactivated patrons, once approved, takes under a minute. */
const budgetSeconds = 60
const asOf = '2026-06-30'
const pageSize = 200

/**
 * B8: the end-of-year purge of the bench district. On a copy of the district with its circulation,
 * `pupil1` … `pupil20000` (--small: 2,000) are deactivated, with their contacts, their loans
 * (a tenth of the open ones left open, to be marked lost by the request's markLoansLost; the rest
 * returned) and one sent message each with two recipients. One admin (slack:UBENCH1, in the staff
 * table) asks for the purge of them all in pages of 200; the approval of another (slack:UBENCH2),
 * which runs every page, is timed: three runs with loans retained (the library's default), one
 * with them removed. On the server when
 * DATABASE_URL is set, and on the embedded default.
 */
export const b8Purge: Benchmark = {
  id: 'B8',
  title: 'purge of 20,000 deactivated patrons, approved by a second admin, in pages of 200',
  async run(options) {
    const figures: Figure[] = []
    const patrons = options.small ? 2_000 : 20_000
    for (const serverUrl of options.serverUrl ? [options.serverUrl, undefined] : [undefined]) {
      const district = await createDistrictDatabase({ serverUrl, small: options.small, log: options.log })
      try {
        await seedCirculation(district, options)
        const seconds: number[] = []
        for (let run = 1; run <= (options.small ? 1 : 3); run += 1) {
          const copy = await district.copy()
          try {
            seconds.push(await measurePurge(copy, district.libraryId, patrons, (line) => options.log(`B8 ${district.kind} run ${run}: ${line}`)))
          } finally {
            await copy.drop()
          }
        }
        // And once with the library keeping no loans of purged patrons: they are deleted instead.
        const removing = await district.copy()
        let removingSeconds: number
        try {
          removingSeconds = await measurePurge(removing, district.libraryId, patrons, (line) => options.log(`B8 ${district.kind} loans removed: ${line}`), {
            retainLoans: false,
          })
        } finally {
          await removing.drop()
        }
        const suffix = district.kind === 'server' ? '' : '-embedded'
        for (const [name, value] of [
          [`purge-${patrons}${suffix}`, median(seconds)],
          [`purge-${patrons}-loans-removed${suffix}`, removingSeconds],
        ] as const) {
          figures.push({
            id: 'B8',
            name,
            value,
            unit: 's',
            reference: { kind: 'budget', value: budgetSeconds, unit: 's' },
            isWithinBudget: value <= budgetSeconds,
          })
        }
      } finally {
        await district.drop()
      }
    }
    return figures
  },
}

async function seedCirculation(district: DistrictDatabase, { small, log }: BenchOptions): Promise<void> {
  const handle = await district.open()
  try {
    const size = await seedDistrictCirculation(handle.db, { libraryId: district.libraryId, small, patrons: district.size.patrons, asOf })
    log(`B8 ${district.kind}: ${size.openLoans} open loans, ${size.reservations} reservations`)
  } finally {
    await handle.close()
  }
}

/** The leavers: deactivated, their loans closed but a tenth, a message each, and two admins. */
async function prepareLeavers(handle: DatabaseHandle, libraryId: number, patrons: number): Promise<{ openLoans: number }> {
  const db = handle.db
  const leavers = sql`(select id from patrons where library_id = ${libraryId} and substr(username, 6)::int <= ${patrons})`
  await sql`update patrons set is_enabled = false where library_id = ${libraryId} and substr(username, 6)::int <= ${patrons}`.execute(db)
  await sql`
    update loans set status = 'returned', closed_at = now()
     where library_id = ${libraryId} and status = 'open' and patron_id in ${leavers} and id % 10 <> 0`.execute(db)
  const { rows } = await sql<{ open: number }>`
    select count(*)::int as open from loans where library_id = ${libraryId} and status = 'open' and patron_id in ${leavers}`.execute(db)
  await sql`
    insert into messages (library_id, scenario, patron_id, dedupe_key, subject, html, text, status, sent_at)
    select ${libraryId}, 'circulation.overdue', p.id, 'bench-purge:' || p.id, 'Overdue', '<p>Overdue</p>', 'Overdue', 'sent', now() - interval '30 days'
      from ${leavers} as p`.execute(db)
  await sql`
    insert into message_recipients (message_id, position, kind, address, contact_id, role)
    select m.id, c.position, c.kind, c.address, c.id, c.role
      from messages m
      cross join lateral (
        select row_number() over (order by co.is_primary desc, co.id)::int as position,
               case when row_number() over (order by co.is_primary desc, co.id) = 1 then 'to' else 'cc' end as kind,
               co.address, co.id, co.role
          from contacts co where co.patron_id = m.patron_id order by co.is_primary desc, co.id limit 2) as c
     where m.library_id = ${libraryId} and m.dedupe_key like 'bench-purge:%'`.execute(db)
  await db
    .insertInto('staff')
    .values(['UBENCH1', 'UBENCH2'].map((userId) => ({ library_id: libraryId, slack_user_id: userId, role: 'admin' as const, added_by: 'bench' })))
    .execute()
  await sql`analyze`.execute(db)
  return { openLoans: rows[0].open }
}

/** A member as the staff table knows them. */
async function staffMember(handle: DatabaseHandle, libraryId: number, userId: string): Promise<Actor> {
  const row = await handle.db
    .selectFrom('staff')
    .where('library_id', '=', libraryId)
    .where('slack_user_id', '=', userId)
    .select('role')
    .executeTakeFirstOrThrow()
  return { ref: { kind: 'slack', userId }, role: row.role }
}

async function measurePurge(
  copy: BenchDatabase,
  libraryId: number,
  patrons: number,
  log: (line: string) => void,
  options: { retainLoans: boolean } = { retainLoans: true },
): Promise<number> {
  const handle: DatabaseHandle =
    'DATABASE_URL' in copy.env ? openServerDatabase(copy.env.DATABASE_URL, { max: 2 }) : await openEmbeddedDatabase({ dataDir: copy.env.DATA_DIR, max: 2 })
  try {
    const deps = { db: handle.db, clock: systemClock }
    const { openLoans } = await prepareLeavers(handle, libraryId, patrons)
    await handle.db.updateTable('libraries').set({ retain_deleted_patron_loans: options.retainLoans }).where('id', '=', libraryId).execute()
    const usernames = Array.from({ length: patrons }, (_, index) => `pupil${index + 1}`)
    const asker = await staffMember(handle, libraryId, 'UBENCH1')
    const approver = await staffMember(handle, libraryId, 'UBENCH2')
    const requested = await requestPurge(deps, { libraryId, actor: asker, usernames, markLoansLost: true, pageSize })
    if (!requested.ok) throw new Error(`the request was refused: ${requested.error.code}`)

    const startedAt = performance.now()
    const approved = await approvePurge(deps, { libraryId, actor: approver, requestId: requested.value.id })
    const seconds = (performance.now() - startedAt) / 1000
    if (!approved.ok) throw new Error(`the approval was refused: ${approved.error.code}`)
    const outcome = approved.value
    if (outcome.purged !== patrons) throw new Error(`purged ${outcome.purged} of ${patrons} (skipped ${outcome.skipped.length})`)
    if (outcome.loansMarkedLost !== openLoans) throw new Error(`marked ${outcome.loansMarkedLost} loans lost, not the ${openLoans} open`)
    const left = await sql<{ patrons: number; addresses: number }>`
      select (select count(*)::int from patrons where library_id = ${libraryId} and substr(username, 6)::int <= ${patrons}) as patrons,
             (select count(*)::int from message_recipients r join messages m on m.id = r.message_id
               where m.library_id = ${libraryId} and m.dedupe_key like 'bench-purge:%' and r.address is not null) as addresses`.execute(handle.db)
    if (left.rows[0].patrons !== 0 || left.rows[0].addresses !== 0) throw new Error(`left behind: ${JSON.stringify(left.rows[0])}`)
    log(
      `${seconds.toFixed(1)} s: ${outcome.purged} purged, ${outcome.contactsRemoved} contacts, ${outcome.loansAnonymised} loans anonymised, ${outcome.loansRemoved} removed (${outcome.loansMarkedLost} marked lost), ${outcome.reservationsRemoved} reservations, ${outcome.messagesWithoutAddresses} messages without addresses`,
    )
    return seconds
  } finally {
    await handle.close()
  }
}
