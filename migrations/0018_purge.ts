import { type Kysely, sql } from 'kysely'

// Issue 14 (seed 004): deactivated patrons purged with a second admin's approval. A purge is a
// batch of kind `purge`, asked by one admin and approved by another (confirmer_must_differ, 0010).
// Unlike an import it runs one transaction per page, so it has a status of its own: `approved`,
// confirmed and partly done, resumable page by page; `rejected`, a second admin said no. Its
// patrons are listed in purge_patrons, one row per patron with its page, marked done as each page
// commits. Purged patrons' loans stay when the library retains them: no patron link, their
// academic level kept for statistics. The email log keeps each message without its addresses.
// `events` is what the library system reads back (GET /api/v1/events?after=id); its writers take
// a per-library lock until commit, so ids become visible in order and a cursor never skips one.

const statements = [
  `alter table libraries add column retain_deleted_patron_loans boolean not null default true`,
  `alter table loans alter column patron_id drop not null`,
  `alter table loans add column academic_level_id integer references academic_levels (id) on delete set null`,
  `alter table loans add column anonymised_at timestamptz`,
  `alter table loans add constraint loans_patron_or_anonymised check (patron_id is not null or anonymised_at is not null)`,
  `create index loans_anonymised on loans (library_id, checked_out_at) where patron_id is null`,
  `create index loans_patron_open on loans (patron_id) where status = 'open'`,
  `alter table message_recipients alter column address drop not null`,
  `alter table batches drop constraint batches_kind_check`,
  `alter table batches add constraint batches_kind_check check (kind in ('contacts', 'patrons', 'preferences', 'purge'))`,
  `alter table batches drop constraint batches_status_check`,
  `alter table batches add constraint batches_status_check
     check (status in ('staging', 'staged', 'invalid', 'approved', 'applied', 'failed', 'cancelled', 'rejected', 'expired'))`,
  `alter table batches add column report_message jsonb`,
  `create index batches_purge_open on batches (library_id, status) where kind = 'purge' and status in ('staged', 'approved')`,
  `create table purge_patrons (
      batch_id integer not null references batches (id) on delete cascade,
      patron_id integer not null,
      page integer not null check (page >= 1),
      outcome text check (outcome in ('purged', 'reactivated', 'open_loans', 'gone')),
      done_at timestamptz,
      primary key (batch_id, patron_id)
    )`,
  `create index purge_patrons_todo on purge_patrons (batch_id, page) where done_at is null`,
  `create index patrons_deactivated on patrons (library_id, lower(last_name), lower(first_name), id) where not is_enabled`,
  `create index notice_sends_loan_id on notice_sends (loan_id) where loan_id is not null`,
  `create index notice_sends_reservation_id on notice_sends (reservation_id) where reservation_id is not null`,
  `create index messages_reservation on messages (reservation_id) where reservation_id is not null`,
  `create table events (
      id bigint generated always as identity primary key,
      library_id integer not null references libraries (id) on delete cascade,
      at timestamptz not null default now(),
      type text not null check (type in ('loan.lost', 'patron.purged', 'address.blacklisted')),
      subject text not null,
      details jsonb not null default '{}'
    )`,
  `create index events_library on events (library_id, id)`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table events, purge_patrons`.execute(db)
  await sql`drop index patrons_deactivated, notice_sends_loan_id, notice_sends_reservation_id, messages_reservation, batches_purge_open, loans_anonymised, loans_patron_open`.execute(
    db,
  )
  await sql`delete from batches where kind = 'purge'`.execute(db)
  await sql`update batches set status = 'cancelled' where status in ('approved', 'rejected')`.execute(db)
  await sql`alter table batches drop column report_message`.execute(db)
  await sql`alter table batches drop constraint batches_status_check`.execute(db)
  await sql`alter table batches add constraint batches_status_check
    check (status in ('staging', 'staged', 'invalid', 'applied', 'failed', 'cancelled', 'expired'))`.execute(db)
  await sql`alter table batches drop constraint batches_kind_check`.execute(db)
  await sql`alter table batches add constraint batches_kind_check check (kind in ('contacts', 'patrons', 'preferences'))`.execute(db)
  await sql`update message_recipients set address = '' where address is null`.execute(db)
  await sql`alter table message_recipients alter column address set not null`.execute(db)
  await sql`delete from loans where patron_id is null`.execute(db)
  await sql`alter table loans drop constraint loans_patron_or_anonymised`.execute(db)
  await sql`alter table loans drop column anonymised_at, drop column academic_level_id`.execute(db)
  await sql`alter table loans alter column patron_id set not null`.execute(db)
  await sql`alter table libraries drop column retain_deleted_patron_loans`.execute(db)
}
