import { type Kysely, sql } from 'kysely'

// Librarians type names as they say them: "cote" and "RENEE cote" must find "Renée Côté". The
// search key lower-cases, strips accents (Unicode NFD, then the combining marks) and spells out
// the few Latin letters that do not decompose (ø, ł, đ, ß, æ, œ). Built-in and immutable, so a
// trigram index can hold it, and no extension (unaccent) is needed on a school's managed server.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create function search_key(value text) returns text language sql immutable strict parallel safe as $$
    select replace(replace(replace(translate(
      regexp_replace(normalize(lower(value), NFD), '[\\u0300-\\u036f]', '', 'g'),
      'øłđħıþ', 'oldhit'), 'ß', 'ss'), 'æ', 'ae'), 'œ', 'oe')
  $$`.execute(db)
  await sql`create index patrons_search_key on patrons
    using gin (search_key(username || ' ' || first_name || ' ' || last_name) gin_trgm_ops)`.execute(db)
  await sql`drop index patrons_search_trigrams`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create index patrons_search_trigrams on patrons
    using gin ((lower(username || ' ' || first_name || ' ' || last_name)) gin_trgm_ops)`.execute(db)
  await sql`drop index patrons_search_key`.execute(db)
  await sql`drop function search_key(text)`.execute(db)
}
