import { type Kysely, sql } from 'kysely'

// `/contacts <part of a name>` searches usernames and names for a fragment anywhere in them.
// A trigram index answers that without reading every patron; on the embedded database a full
// scan would also hold up the whole process (PGlite runs on the event loop), delaying Slack's
// acknowledgements. pg_trgm is a trusted extension: a database owner may create it.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db)
  await sql`create index patrons_search_trigrams on patrons
    using gin ((lower(username || ' ' || first_name || ' ' || last_name)) gin_trgm_ops)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index patrons_search_trigrams`.execute(db)
}
