import { type Kysely, sql } from 'kysely'

// A purge request's patrons keep their usernames: one gone before its page ran (another request
// purged it first) is named to the librarian by the username they asked for, not an internal id.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table purge_patrons add column username text`.execute(db)
  await sql`update purge_patrons pp set username = p.username from patrons p where p.id = pp.patron_id`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table purge_patrons drop column username`.execute(db)
}
