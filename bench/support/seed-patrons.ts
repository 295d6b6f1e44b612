import { sql } from 'kysely'
import { loadConfig } from '../../src/config.ts'
import { openCliDatabase } from '../../src/cli/open-database.ts'

const firstNames = ['Ana', 'Ben', 'Chloé', 'Dev', 'Ema', 'Finn', 'Grace', 'Hiro', 'Isla', 'Jon', 'Kai', 'Lena', 'Mo', 'Nia', 'Omar', 'Pia', 'Quinn', 'Rosa', 'Sam', 'Tao']
export const lastNames = ['Smith', 'Jones', 'García', 'Nguyen', 'Okafor', 'Müller', 'Rossi', 'Kowalski', 'Silva', 'Tanaka', 'Brown', 'Dubois', 'Haddad', 'Ivanova', 'Kim', 'Larsen', 'Moreau', 'Novak', 'Patel', 'Walsh']

/**
 * Patrons `pupil1` … `pupilN` with one guardian each, written by the database in two
 * statements, through the running service's socket on the embedded database. The full
 * synthetic district of BENCHMARKS.md comes with the benchmarks that need it.
 */
export async function seedPatrons(env: { DATABASE_URL: string } | { DATA_DIR: string }, libraryId: number, count: number): Promise<void> {
  const opened = await openCliDatabase(loadConfig(env), { create: false })
  if (!opened.ok) throw new Error(`cannot open the bench database: ${opened.error.code}`)
  const { db } = opened.value
  try {
    await sql`
      insert into patrons (library_id, username, first_name, last_name)
      select ${libraryId}, 'pupil' || g,
             (${sql.lit(`{${firstNames.join(',')}}`)}::text[])[1 + g % ${firstNames.length}],
             (${sql.lit(`{${lastNames.join(',')}}`)}::text[])[1 + (g / ${firstNames.length}) % ${lastNames.length}]
      from generate_series(1, ${count}) as g`.execute(db)
    await sql`
      insert into contacts (library_id, patron_id, role, address, address_key, source)
      select library_id, id, 'guardian', 'guardian.' || username || '@example.org', 'guardian.' || username || '@example.org', 'import'
      from patrons where library_id = ${libraryId}`.execute(db)
  } finally {
    await opened.value.close()
  }
}
