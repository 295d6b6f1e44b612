import { type Kysely, sql } from 'kysely'

// A contact's library is its patron's: one composite foreign key says so, where two separate
// keys (to libraries and to patrons) allowed a contact filed under another library than its
// patron's, which every query's library_id filter would then have hidden or misplaced.
const statements = [
  `alter table patrons add constraint patrons_id_library_key unique (id, library_id)`,
  `alter table contacts drop constraint contacts_library_id_fkey`,
  `alter table contacts drop constraint contacts_patron_id_fkey`,
  `alter table contacts add constraint contacts_patron_fkey foreign key (patron_id, library_id)
     references patrons (id, library_id) on delete cascade`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table contacts drop constraint contacts_patron_fkey`.execute(db)
  await sql`alter table contacts add foreign key (library_id) references libraries (id) on delete cascade`.execute(db)
  await sql`alter table contacts add foreign key (patron_id) references patrons (id) on delete cascade`.execute(db)
  await sql`alter table patrons drop constraint patrons_id_library_key`.execute(db)
}
