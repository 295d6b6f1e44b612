import { type Kysely, sql } from 'kysely'

// Which patron an audit entry is about, so an admin can ask for a patron's history. No foreign
// key on purpose: the entry outlives the patron (a purge is itself audited), and a key would
// make every patron deleted scan the log for entries to update.
const statements = [
  `alter table audit_log add column patron_id integer`,
  `create index audit_log_patron on audit_log (library_id, patron_id, id) where patron_id is not null`,
  `-- Newest first, page by page: every read of the log walks this.
    create index audit_log_library_id on audit_log (library_id, id)`,
  `-- A contact's entries keep the contact as it was, its patronId included (auditView).
    update audit_log set patron_id = (coalesce(after, before) ->> 'patronId')::integer
     where subject_type = 'contact'
       and jsonb_typeof(coalesce(after, before) -> 'patronId') = 'number'`,
  `-- A batch of one patron names them in details.usernames; a larger batch stays unlinked.
    update audit_log a set patron_id = p.id
      from patrons p
     where a.action = 'patrons.upserted'
       and a.patron_id is null
       and jsonb_typeof(a.details -> 'usernames') = 'array'
       and jsonb_array_length(a.details -> 'usernames') = 1
       and p.library_id = a.library_id
       and lower(p.username) = lower(a.details -> 'usernames' ->> 0)`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index audit_log_library_id`.execute(db)
  await sql`alter table audit_log drop column patron_id`.execute(db)
}
