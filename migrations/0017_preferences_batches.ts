import { type Kysely, sql } from 'kysely'

// Issue 13: the contact preferences batch is staged work too. Its preview is a batch of kind
// `preferences`, `staged` with what was asked (`request`) and the digest of the changes it
// counted (`checksum`); a confirmation applies it only while the same plan still holds. The
// request lives here, not in the Slack view: a pasted list of usernames does not fit in a view.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table batches drop constraint import_batches_kind_check`.execute(db)
  await sql`alter table batches add constraint batches_kind_check check (kind in ('contacts', 'patrons', 'preferences'))`.execute(db)
  await sql`alter table batches add column request jsonb`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from batches where kind = 'preferences'`.execute(db)
  await sql`alter table batches drop column request`.execute(db)
  await sql`alter table batches drop constraint batches_kind_check`.execute(db)
  await sql`alter table batches add constraint import_batches_kind_check check (kind in ('contacts', 'patrons'))`.execute(db)
}
