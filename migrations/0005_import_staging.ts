import { type Kysely, sql } from 'kysely'

// Staged rows live for minutes: copied in once, read by the dry run and the apply, then deleted
// with their batch (closeBatch). They need no WAL (a crash loses the batch, which goes stale
// anyway) and no foreign key checked row by row: COPY of B1's 250,000 rows took 1.4 s with
// them and 0.4 s without. Each contact row carries its patron's id, resolved as the file is
// read, so every step of the plan joins on ids instead of lower(username).
const statements = [
  `alter table import_contact_rows drop constraint import_contact_rows_batch_id_fkey`,
  `alter table import_patron_rows drop constraint import_patron_rows_batch_id_fkey`,
  `alter table import_contact_rows set unlogged`,
  `alter table import_patron_rows set unlogged`,
  `alter table import_contact_rows add column patron_id integer`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table import_contact_rows drop column patron_id`.execute(db)
  await sql`alter table import_contact_rows set logged`.execute(db)
  await sql`alter table import_patron_rows set logged`.execute(db)
  await sql`alter table import_contact_rows add foreign key (batch_id) references import_batches (id) on delete cascade`.execute(db)
  await sql`alter table import_patron_rows add foreign key (batch_id) references import_batches (id) on delete cascade`.execute(db)
}
