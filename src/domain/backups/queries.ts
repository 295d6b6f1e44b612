import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'

/** The bookkeeping of migrations: recorded in a backup's header, never copied as rows. */
const migrationTables = ['kysely_migration', 'kysely_migration_lock']

/**
 * The application's tables, parents before children (a table after every table its foreign
 * keys name), so rows restore in file order without deferring a constraint; ties by name, so
 * two backups of one database list their tables alike.
 */
export async function tablesInOrder(db: Db): Promise<string[]> {
  const tables = await sql<{ name: string }>`
    select c.relname as name
      from pg_class c
     where c.relnamespace = current_schema()::regnamespace and c.relkind in ('r', 'p') and not c.relispartition
     order by c.relname`.execute(db)
  const parents = await sql<{ child: string; parent: string }>`
    select child.relname as child, parent.relname as parent
      from pg_constraint f
      join pg_class child on child.oid = f.conrelid
      join pg_class parent on parent.oid = f.confrelid
     where f.contype = 'f' and f.connamespace = current_schema()::regnamespace and f.conrelid <> f.confrelid`.execute(db)
  const names = tables.rows.map((table) => table.name).filter((name) => !migrationTables.includes(name))
  const ordered: string[] = []
  const placed = new Set<string>()
  while (ordered.length < names.length) {
    const next = names.find(
      (name) => !placed.has(name) && parents.rows.every((edge) => edge.child !== name || placed.has(edge.parent) || !names.includes(edge.parent)),
    )
    // A cycle of foreign keys: none today; the rest go by name, and a restore would say which row failed.
    const chosen = next ?? names.find((name) => !placed.has(name))!
    ordered.push(chosen)
    placed.add(chosen)
  }
  return ordered
}

/** The migrations applied, in order: empty on a database nothing has migrated. */
export async function appliedMigrations(db: Db): Promise<string[]> {
  const exists = await sql<{ found: boolean }>`select to_regclass('kysely_migration') is not null as found`.execute(db)
  if (!exists.rows[0]?.found) return []
  const rows = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db)
  return rows.rows.map((row) => row.name)
}

/** One page of a table's rows as JSON text, in physical order after `after` (a ctid). */
export async function rowsAfter(db: Db, table: string, after: string, limit: number): Promise<Array<{ at: string; row: string }>> {
  const page = await sql<{ at: string; row: string }>`
    select t.ctid::text as at, row_to_json(t)::text as row
      from ${sql.table(table)} t
     where t.ctid > ${after}::tid
     order by t.ctid
     limit ${limit}`.execute(db)
  return page.rows
}

/** The columns a restore writes: all but generated ones, which the database computes again. */
export async function writableColumns(db: Db, table: string): Promise<string[]> {
  const columns = await sql<{ name: string }>`
    select a.attname as name
      from pg_attribute a
     where a.attrelid = ${table}::regclass and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
     order by a.attnum`.execute(db)
  return columns.rows.map((column) => column.name)
}

/** Inserts rows given as JSON objects, ids and all (an identity column takes the id given). */
export async function insertRows(db: Db, table: string, columns: string[], rows: string[]): Promise<number> {
  const list = sql.join(columns.map((column) => sql.ref(column)))
  const inserted = await sql`
    insert into ${sql.table(table)} (${list}) overriding system value
    select ${list} from json_populate_recordset(null::${sql.table(table)}, ${`[${rows.join(',')}]`}::text::json)`.execute(db)
  return Number(inserted.numAffectedRows ?? 0)
}

/** After ids were written by hand, each identity column goes on from the highest one. */
export async function resetIdentities(db: Db): Promise<void> {
  const identities = await sql<{ table: string; column: string }>`
    select c.relname as table, a.attname as column
      from pg_attribute a join pg_class c on c.oid = a.attrelid
     where c.relnamespace = current_schema()::regnamespace and a.attidentity <> '' and not a.attisdropped`.execute(db)
  for (const { table, column } of identities.rows) {
    await sql`
      select setval(pg_get_serial_sequence(${table}, ${column}), coalesce(max(${sql.ref(column)}), 0) + 1, false)
        from ${sql.table(table)}`.execute(db)
  }
}

/** The tables that hold rows already, with how many (a restore goes into an empty database). */
export async function tablesWithRows(db: Db, tables: string[]): Promise<Array<{ table: string; rows: number }>> {
  const found: Array<{ table: string; rows: number }> = []
  for (const table of tables) {
    const counted = await sql<{ rows: number }>`select count(*)::int as rows from ${sql.table(table)}`.execute(db)
    const rows = counted.rows[0]?.rows ?? 0
    if (rows > 0) found.push({ table, rows })
  }
  return found
}
