import { type Kysely, sql } from 'kysely'

// A patron never holds two contacts with the same address (matched as everywhere: the address's
// key, of the same type). Imports added the same contact again on every run, and the API took
// "Mum@Example.org" beside "mum@example.org". Copies made before this rule are removed, keeping
// the primary one or else the oldest, and each removal is written to the audit log with what
// the contact was, so nothing goes without a trace.
const statements = [
  `create temp table duplicate_contacts on commit drop as
    select c.id, c.library_id, c.patron_id from (
      select id, library_id, patron_id,
        row_number() over (partition by patron_id, type, address_key order by is_primary desc, id) as copy
      from contacts) c
    where c.copy > 1`,
  `insert into audit_log (library_id, actor, action, subject_type, subject_id, before, details)
    select c.library_id, 'migration', 'contact.duplicate_removed', 'contact', c.id::text,
      jsonb_build_object('username', p.username, 'role', c.role, 'type', c.type, 'address', c.address,
        'addressee', c.addressee, 'isPrimary', c.is_primary, 'usage', c.usage, 'source', c.source),
      jsonb_build_object('reason', 'the patron has another contact with this address')
    from duplicate_contacts d join contacts c on c.id = d.id join patrons p on p.id = c.patron_id`,
  `delete from contacts where id in (select id from duplicate_contacts)`,
  // Serves every lookup by patron too, so the index on patron_id alone goes: one index fewer to
  // write on every import.
  `create unique index contacts_one_address on contacts (patron_id, type, address_key)`,
  `drop index contacts_patron`,
  `drop table duplicate_contacts`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create index contacts_patron on contacts (patron_id)`.execute(db)
  await sql`drop index contacts_one_address`.execute(db)
}
