import { createReadStream } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import postgres from 'postgres'
import type { EmbeddedConnection } from '../../src/db/embedded-server.ts'

/** One run of B1's floor: its time, step by step, and the change it made. */
export type FloorRun = {
  ms: number
  stepsMs: { copy: number; delete: number; insert: number; commit: number }
  /** Contacts deleted: those the file drops, and those it changes (the floor writes them anew). */
  deleted: number
  /** Contacts inserted: those the file adds, and those it changes. */
  inserted: number
}

// The file's columns, typed as PostgreSQL reads them (`primary` is yes or no, which a boolean takes).
const fileColumns = 'username text, role text, type text, address text, is_primary boolean, addressee text, bcc text, usage text, scenarios text'

/**
 * B1's baseline, the floor of the work a replace-all import does: in one transaction, a `COPY`
 * of the file's rows into a scratch table, then the bare set-based statements that make the same
 * change to the library on the real tables, with their indexes and keys: delete every contact the
 * file does not repeat exactly (scenarios included), insert every row that has no contact left,
 * with its scenario rows, and commit. It resolves usernames by joining patrons, and checks
 * nothing. A contact the file changes is deleted and inserted again, where the import changes it
 * in place; the file B1 imports changes no contact in place, so the two make the same change,
 * which B1 checks from their counts. It is given the import's work_mem (`allowPlanMemory`).
 *
 * Run it on a copy of the district (it commits), from a connection already open: the time is from
 * `begin` to the end of `commit`.
 */
export async function runReplaceAllFloor(target: string | EmbeddedConnection, input: { path: string; libraryId: number }): Promise<FloorRun> {
  const settings = { max: 1, onnotice: () => {} }
  const client = typeof target === 'string' ? postgres(target, settings) : postgres({ ...target, ...settings })
  const library = input.libraryId
  try {
    await client`select 1`
    const startedAt = performance.now()
    const steps: number[] = []
    const step = () => steps.push(performance.now())
    await client.unsafe('begin')
    await client.unsafe(`set local work_mem = '64MB'`)
    await client.unsafe(`create temp table floor_rows (${fileColumns}) on commit drop`)
    const columns = fileColumns
      .split(',')
      .map((column) => column.trim().split(' ')[0])
      .join(', ')
    await pipeline(
      createReadStream(input.path, { highWaterMark: 1024 * 1024 }),
      await client.unsafe(`copy floor_rows (${columns}) from stdin with (format csv, header true)`).writable(),
    )
    step()
    // The contacts the file drops or changes: all of the library's but those a row repeats exactly.
    const deleted = await client.unsafe(
      `delete from contacts c
       where c.library_id = $1 and c.id not in (
         select k.id from floor_rows f
         join patrons p on p.library_id = $1 and lower(p.username) = lower(f.username)
         join contacts k on k.patron_id = p.id and k.type = f.type and k.address_key = lower(f.address)
         where (k.role, k.is_primary, k.addressee, k.address, k.bcc, k.usage) = (f.role, f.is_primary, f.addressee, f.address, f.bcc, f.usage)
           and coalesce(f.scenarios, '') = case when k.usage = 'custom'
             then coalesce((select string_agg(s.scenario, ';' order by s.scenario collate "C") from contact_scenarios s where s.contact_id = k.id), '')
             else '' end)`,
      [library],
    )
    step()
    // The rows no contact repeats now: added, or changed; with their scenarios, ids drawn first.
    const [inserted] = await client.unsafe<{ inserted: number }[]>(
      `with added as materialized (
         select nextval(pg_get_serial_sequence('contacts', 'id')) as id, p.id as patron_id, f.*
         from floor_rows f join patrons p on p.library_id = $1 and lower(p.username) = lower(f.username)
         where not exists (select 1 from contacts k where k.patron_id = p.id and k.type = f.type and k.address_key = lower(f.address))),
       contacts_added as (
         insert into contacts (id, library_id, patron_id, role, type, is_primary, addressee, address, address_key, bcc, usage, source)
         select id, $1, patron_id, role, type, is_primary, addressee, address, lower(address), bcc, usage, 'import' from added),
       scenarios_added as (
         insert into contact_scenarios (contact_id, scenario)
         select id, unnest(string_to_array(scenarios, ';')) from added where usage = 'custom')
       select count(*)::int as inserted from added`,
      [library],
    )
    step()
    await client.unsafe('commit')
    step()
    const [copied, deletedAt, insertedAt, committedAt] = steps
    return {
      ms: committedAt - startedAt,
      stepsMs: { copy: copied - startedAt, delete: deletedAt - copied, insert: insertedAt - deletedAt, commit: committedAt - insertedAt },
      deleted: deleted.count,
      inserted: inserted.inserted,
    }
  } finally {
    await client.end()
  }
}
