import { Writable } from 'node:stream'
import { gunzipSync, gzipSync } from 'node:zlib'
import { sql } from 'kysely'
import { afterEach, describe, expect, test } from 'vitest'
import type { DatabaseHandle, Db } from '../../../src/db/database.ts'
import { migrateTo, migrateToLatest, migrationNames } from '../../../src/db/migrate.ts'
import { createApiKey } from '../../../src/domain/api-keys/create-api-key.ts'
import { backupDatabase } from '../../../src/domain/backups/backup-database.ts'
import { restoreDatabase } from '../../../src/domain/backups/restore-database.ts'
import { givenLibrary, staffActor, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'

const opened: DatabaseHandle[] = []
afterEach(async () => {
  for (const handle of opened.splice(0)) await handle.close()
})
async function database(options: { migrated?: boolean } = {}): Promise<DatabaseHandle> {
  const handle = await openTestDatabase(options)
  opened.push(handle)
  return handle
}

async function backupOf(db: Db): Promise<Buffer> {
  const chunks: Buffer[] = []
  const output = new Writable({
    write(chunk, _, done) {
      chunks.push(chunk)
      done()
    },
  })
  await backupDatabase(db, { output, now: new Date('2026-11-30T02:00:00Z') })
  return Buffer.concat(chunks)
}

async function restore(db: Db, bytes: Uint8Array) {
  const migrations = { names: await migrationNames(), migrateTo, migrateToLatest }
  return restoreDatabase(
    { db, migrations },
    {
      source: (async function* () {
        yield bytes
      })(),
    },
  )
}

/** Every row of every table, as JSON text, sorted: what two databases must share. */
async function everyRow(db: Db): Promise<Record<string, string[]>> {
  const tables = await sql<{ name: string }>`
    select relname as name from pg_class
     where relnamespace = current_schema()::regnamespace and relkind = 'r' and relname not like 'kysely%'`.execute(db)
  const rows: Record<string, string[]> = {}
  for (const { name } of tables.rows) {
    const found = await sql<{ row: string }>`select row_to_json(t)::text as row from ${sql.table(name)} t`.execute(db)
    rows[name] = found.rows.map((r) => r.row).sort()
  }
  return rows
}

/** The backup's lines, changed by `edit`, compressed again. */
function edited(bytes: Buffer, edit: (lines: string[]) => string[]): Buffer {
  const lines = gunzipSync(bytes).toString('utf8').split('\n').slice(0, -1)
  return gzipSync(`${edit(lines).join('\n')}\n`)
}

/** A library with what a school has: levels, patrons with accents, contacts, custom scenarios, staff, a key, an audit. */
async function givenSchool(handle: DatabaseHandle) {
  const deps = testDeps(handle)
  const library = await givenLibrary(deps, { name: 'Hillside Sainte-Thérèse' })
  const zoe = await library.patron({ username: 'zoe', firstName: 'Zoë', lastName: 'Ó Súilleabháin', level: 'Year 7' })
  await library.contact(zoe, { address: 'maman@example.org', addressee: 'Mme Élodie Ó Súilleabháin', isPrimary: true })
  await library.contact(zoe, { address: 'papa@example.org', usage: 'custom', scenarios: ['circulation.overdue', 'circulation.recall'] })
  await library.patron({ username: 'left', enabled: false })
  await deps.db.insertInto('staff').values({ library_id: library.id, slack_user_id: 'U0LIBRARIAN', role: 'admin', added_by: 'cli' }).execute()
  const key = await createApiKey(deps, { libraryId: library.id, name: 'SIS sync', role: 'staff', actor: staffActor('admin') })
  expect(key.ok).toBe(true)
  // Enough patrons to cross a page of reading and a batch of writing, several times over.
  await sql`
    insert into patrons (library_id, username, first_name, last_name, type)
    select ${library.id}, 'pupil' || n, 'Pat', 'Pupil ' || n, 'student' from generate_series(1, 4500) n`.execute(handle.db)
  return library
}

describe('a backup, restored into an empty database', () => {
  test('brings back every row with its ids, and new rows take the next ids', async () => {
    const source = await database()
    await givenSchool(source)

    const target = await database({ migrated: false })
    const restored = await restore(target.db, await backupOf(source.db))

    expect(restored).toMatchObject({ ok: true, value: { migrated: [] } })
    expect(restored.ok && restored.value.tables.find((t) => t.table === 'patrons')).toEqual({ table: 'patrons', rows: 4502 })
    expect(await everyRow(target.db)).toEqual(await everyRow(source.db))
    const next = await givenLibrary(testDeps(target), { name: 'Riverside' })
    const highest = await source.db
      .selectFrom('libraries')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirstOrThrow()
    expect(next.id).toBe(Number(highest.id) + 1)
  })

  test('made before the latest migrations, is restored at its schema and brought up to date', async () => {
    const names = await migrationNames()
    const older = await database({ migrated: false })
    await migrateTo(older.db, names.at(-2)!)
    await older.db.insertInto('libraries').values({ name: 'Hillside', time_zone: 'Europe/London' }).execute()

    const target = await database({ migrated: false })
    const restored = await restore(target.db, await backupOf(older.db))

    expect(restored).toMatchObject({ ok: true, value: { migrated: [names.at(-1)] } })
    expect(await target.db.selectFrom('libraries').select('name').execute()).toEqual([{ name: 'Hillside' }])
  })
})

describe('a restore refuses, and restores nothing, when', () => {
  test('the file is cut short, saying after which line', async () => {
    const source = await database()
    await givenSchool(source)
    const bytes = await backupOf(source.db)

    const target = await database({ migrated: false })
    const cut = await restore(target.db, bytes.subarray(0, Math.floor(bytes.length / 2)))
    const lineCut = await restore(
      target.db,
      edited(bytes, (lines) => lines.slice(0, -1)),
    )

    expect(cut).toEqual({ ok: false, error: { code: 'backup_cut_short', line: expect.any(Number) } })
    expect(lineCut).toEqual({ ok: false, error: { code: 'backup_cut_short', line: expect.any(Number) } })
    expect(Object.values(await everyRow(target.db)).flat()).toEqual([])
    // Nothing stays half done: the whole file restores after.
    expect((await restore(target.db, bytes)).ok).toBe(true)
  })

  test('a row was taken out, or the end line changed: the counts disagree', async () => {
    const source = await database()
    await givenSchool(source)
    const bytes = await backupOf(source.db)
    const target = await database({ migrated: false })

    const lostRow = edited(bytes, (lines) => lines.filter((line) => !line.includes('"username":"pupil77"')))
    expect(await restore(target.db, lostRow)).toEqual({
      ok: false,
      error: { code: 'backup_damaged', line: expect.any(Number), reason: 'its end line counts 4502 rows of "patrons", and the file holds 4501' },
    })
    const garbled = edited(bytes, (lines) => lines.map((line) => (line.includes('"username":"zoe"') ? line.slice(0, 40) : line)))
    expect(await restore(target.db, garbled)).toMatchObject({ ok: false, error: { code: 'rows_refused', table: 'patrons' } })
    expect(Object.values(await everyRow(target.db)).flat()).toEqual([])
  })

  test('the file is not a backup', async () => {
    const target = await database({ migrated: false })

    expect(await restore(target.db, Buffer.from('username,role,address\n'))).toEqual({
      ok: false,
      error: { code: 'not_a_backup', reason: 'it is not gzip-compressed' },
    })
    expect(await restore(target.db, gzipSync('username,role,address\n'))).toEqual({
      ok: false,
      error: { code: 'not_a_backup', reason: 'its first line is not JSON' },
    })
    expect(await restore(target.db, Buffer.alloc(0))).toMatchObject({ ok: false, error: { code: 'not_a_backup' } })
    expect(await migrationsOf(target.db)).toEqual([])
  })

  test('it was made by a newer version, naming what this one lacks', async () => {
    const source = await database()
    const bytes = edited(await backupOf(source.db), ([header, ...rest]) => {
      const parsed = JSON.parse(header)
      return [JSON.stringify({ ...parsed, migrations: [...parsed.migrations, '0099_time_travel'] }), ...rest]
    })
    const target = await database({ migrated: false })

    expect(await restore(target.db, bytes)).toEqual({ ok: false, error: { code: 'backup_too_new', unknown: ['0099_time_travel'] } })
    expect(await migrationsOf(target.db)).toEqual([])
  })

  test('the database holds rows already, naming them', async () => {
    const source = await database()
    await givenSchool(source)
    const target = await database()
    await givenLibrary(testDeps(target), { name: 'Riverside' })

    expect(await restore(target.db, await backupOf(source.db))).toEqual({
      ok: false,
      error: { code: 'database_not_empty', tables: [{ table: 'libraries', rows: 1 }] },
    })
  })

  test('the database is migrated past the backup, as a service started on it leaves it', async () => {
    const names = await migrationNames()
    const older = await database({ migrated: false })
    await migrateTo(older.db, names.at(-2)!)
    const target = await database()

    expect(await restore(target.db, await backupOf(older.db))).toEqual({
      ok: false,
      error: { code: 'database_ahead', backup: names.at(-2), database: names.at(-1) },
    })
  })
})

async function migrationsOf(db: Db): Promise<string[]> {
  const found = await sql<{ name: string }>`select name from kysely_migration`.execute(db).catch(() => ({ rows: [] }))
  return found.rows.map((row) => row.name)
}
