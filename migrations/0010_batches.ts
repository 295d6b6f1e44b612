import { type Kysely, sql } from 'kysely'

// Staged, confirmed work has one home (src/domain/batches): imports now, the preferences batch
// and the purge next, so the table is named for what it holds. A batch is confirmed in the same
// transaction that applies it, so no batch is ever left `applying`: the status goes. A batch
// records which permission confirming it takes, whether the one who confirms must be another
// than the one who asked (a purge), and when it expires unconfirmed.
const statements = [
  `alter table import_batches rename to batches`,
  `update batches set status = 'failed', finished_at = now() where status = 'applying'`,
  `alter table batches drop constraint import_batches_status_check`,
  `alter table batches add constraint batches_status_check
     check (status in ('staging', 'staged', 'invalid', 'applied', 'failed', 'cancelled', 'expired'))`,
  `alter table batches rename column approved_by to confirmed_by`,
  `alter table batches add column confirm_permission text`,
  `update batches set confirm_permission = case
     when kind = 'contacts' and mode = 'add' then 'importContacts'
     when kind = 'contacts' then 'replaceContacts'
     when coalesce((summary->>'toDeactivate')::int, 0) > 0 then 'deactivatePatrons'
     else 'changePatrons' end`,
  `alter table batches alter column confirm_permission set not null`,
  `alter table batches add column confirmer_must_differ boolean not null default false`,
  `alter table batches add column expires_at timestamptz`,
  `update batches set expires_at = heartbeat_at + interval '1 day' where status = 'staged'`,
  // Two batches of a library are never read at once; an apply takes the library's lock instead.
  `drop index import_batches_one_running`,
  `create unique index batches_one_staging on batches (library_id) where status = 'staging'`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index batches_one_staging`.execute(db)
  await sql`alter table batches drop column expires_at, drop column confirmer_must_differ, drop column confirm_permission`.execute(db)
  await sql`alter table batches rename column confirmed_by to approved_by`.execute(db)
  await sql`alter table batches drop constraint batches_status_check`.execute(db)
  await sql`alter table batches add constraint import_batches_status_check
    check (status in ('staging', 'staged', 'invalid', 'applying', 'applied', 'failed', 'cancelled'))`.execute(db)
  await sql`alter table batches rename to import_batches`.execute(db)
  await sql`create unique index import_batches_one_running on import_batches (library_id) where status in ('staging', 'applying')`.execute(db)
}
