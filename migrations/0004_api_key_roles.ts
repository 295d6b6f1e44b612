import { type Kysely, sql } from 'kysely'

// The student system's nightly sync replaces contacts, which takes an admin: a key carries the
// role it acts with, chosen by the IT admin who creates it.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table api_keys add column role text not null default 'staff' check (role in ('staff', 'admin'))`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table api_keys drop column role`.execute(db)
}
