import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { type Kysely, type RawBuilder, sql } from 'kysely'

/**
 * The synthetic district of BENCHMARKS.md, the part the schema holds so far: 100,000 patrons in
 * 12 academic levels and 20 library groups, and 250,000 contacts (the patron's own address,
 * one guardian each, a second guardian for two in five, a teacher for one in ten). Items,
 * loans and reservations come with the benchmarks that read them. `--small` is a tenth.
 */
export type DistrictSize = { patrons: number; contacts: number }

export const districtSize = (small: boolean): DistrictSize => (small ? { patrons: 10_000, contacts: 25_000 } : { patrons: 100_000, contacts: 250_000 })

/** Every figure depends on this seed alone, so every run sees the same district. */
const seed = 20_260_310

export const firstNames = [
  'Ana',
  'Ben',
  'Chloé',
  'Dev',
  'Ema',
  'Finn',
  'Grace',
  'Hiro',
  'Isla',
  'Jon',
  'Kai',
  'Lena',
  'Mo',
  'Nia',
  'Omar',
  'Pia',
  'Quinn',
  'Rosa',
  'Sam',
  'Tao',
]
export const lastNames = [
  'Smith',
  'Jones',
  'García',
  'Nguyen',
  'Okafor',
  'Müller',
  'Rossi',
  'Kowalski',
  'Silva',
  'Tanaka',
  'Brown',
  'Dubois',
  'Haddad',
  'Ivanova',
  'Kim',
  'Larsen',
  'Moreau',
  'Novak',
  'Patel',
  'Walsh',
]
const levelNames = Array.from({ length: 12 }, (_, index) => `Year ${index + 1}`)
const groupNames = Array.from({ length: 20 }, (_, index) => `Group ${String(index + 1).padStart(2, '0')}`)
const customScenarios = ['circulation.overdue', 'circulation.recall', 'reservation.ready']

const textArray = (values: readonly string[]) => sql`${sql.lit(`{${values.map((value) => `"${value}"`).join(',')}}`)}::text[]`
// A number from 0 to 99 that depends only on the patron's number and the seed, on every engine.
const dice = (number: RawBuilder<unknown>) => sql`(abs(hashint4extended(${number}, ${sql.lit(seed)})) % 100)`

/**
 * Writes the district into `libraryId` with a few set-based statements (generate_series),
 * the patrons named `pupil1` … `pupilN`. Takes seconds, not minutes, even through the service's
 * socket on the embedded database.
 */
export async function seedDistrict(db: Kysely<any>, input: { libraryId: number; small: boolean }): Promise<DistrictSize> {
  const size = districtSize(input.small)
  const { libraryId } = input
  await sql`insert into academic_levels (library_id, name) select ${libraryId}, unnest(${textArray(levelNames)})`.execute(db)
  await sql`insert into library_groups (library_id, name) select ${libraryId}, unnest(${textArray(groupNames)})`.execute(db)
  await sql`
    insert into patrons (library_id, username, first_name, last_name, type, academic_level_id, is_enabled)
    select ${libraryId}, 'pupil' || g,
           (${textArray(firstNames)})[1 + g % ${firstNames.length}],
           (${textArray(lastNames)})[1 + (g / ${firstNames.length}) % ${lastNames.length}],
           'student', levels.ids[1 + g % 12], ${dice(sql`g`)} <> 0
    from generate_series(1, ${size.patrons}) as g,
         (select array_agg(id order by id) as ids from academic_levels where library_id = ${libraryId}) as levels`.execute(db)
  await sql`
    insert into patron_groups (library_id, patron_id, group_id)
    select p.library_id, p.id, groups.ids[1 + (p.number + shift) % 20]
    from (select library_id, id, substr(username, 6)::int as number from patrons where library_id = ${libraryId}) as p,
         (select array_agg(id order by id) as ids from library_groups where library_id = ${libraryId}) as groups,
         generate_series(0, 1) as shift
    where shift = 0 or ${dice(sql`p.number`)} < 30`.execute(db)
  // Exactly 2.5 contacts a patron: the patron, a primary guardian, a second guardian when
  // number % 5 < 2, a teacher staff added (usage custom) when number % 10 = 0.
  await sql`
    insert into contacts (library_id, patron_id, role, is_primary, addressee, address, address_key, bcc, usage, source)
    select p.library_id, p.id, c.role, c.is_primary, c.addressee, c.address, lower(c.address), c.bcc, c.usage, c.source
    from (select library_id, id, username, first_name, last_name, substr(username, 6)::int as number from patrons where library_id = ${libraryId}) as p
    cross join lateral (values
      ('patron', false, p.first_name || ' ' || p.last_name, p.username || '@students.example.org', 'default', 'any', 'import', true),
      ('guardian', true, case when p.number % 10 = 5 then p.last_name || ', Parent of ' || p.first_name else 'Parent of ' || p.first_name end,
        'parent1.' || p.username || '@example.org', case when p.number % 7 = 0 then 'yes' else 'default' end, 'any', 'import', true),
      ('guardian', false, 'Parent of ' || p.first_name, 'parent2.' || p.username || '@example.org', 'default', 'any', 'import', p.number % 5 < 2),
      ('other', false, 'Class teacher', 'teacher' || (p.number % 400) || '@school.example.org', 'no', 'custom', 'staff', p.number % 10 = 0)
    ) as c(role, is_primary, addressee, address, bcc, usage, source, present)
    where c.present`.execute(db)
  await sql`
    insert into contact_scenarios (contact_id, scenario)
    select id, unnest(${textArray(customScenarios)}) from contacts where library_id = ${libraryId} and usage = 'custom'`.execute(db)
  await sql`analyze`.execute(db)
  return size
}

/**
 * The district's contacts as the student system exports them for the next replace-all import:
 * the contacts the last import wrote, except that one patron in ten has a new address for the
 * first guardian; one addressee in ten is quoted for its comma; the teachers staff added come
 * back as custom usage, now from the import. Written as it is generated.
 *
 * `generation` numbers the exports: the first (1) changes those addresses from the seeded
 * district's, each later one changes the same patrons' again, so that importing generation 1,
 * 2, 3… in turn makes the same amount of change every time (B6 imports while it measures).
 */
export async function writeReplaceAllFile(path: string, size: DistrictSize, options: { generation?: number } = {}): Promise<void> {
  const generation = options.generation ?? 1
  const newPrefix = generation === 1 ? 'new.' : `new${generation}.`
  await writeCsv(path, 'username,role,type,address,primary,addressee,bcc,usage,scenarios', function* () {
    for (let number = 1; number <= size.patrons; number += 1) {
      const username = `pupil${number}`
      const first = firstNames[number % firstNames.length]
      const last = lastNames[Math.floor(number / firstNames.length) % lastNames.length]
      const term = number % 10 === 3 ? newPrefix : ''
      yield `${username},patron,email,${username}@students.example.org,no,${first} ${last},default,any,`
      const addressee = number % 10 === 5 ? `"${last}, Parent of ${first}"` : `Parent of ${first}`
      yield `${username},guardian,email,${term}parent1.${username}@example.org,yes,${addressee},${number % 7 === 0 ? 'yes' : 'default'},any,`
      if (number % 5 < 2) yield `${username},guardian,email,parent2.${username}@example.org,no,Parent of ${first},default,any,`
      if (number % 10 === 0) yield `${username},other,email,teacher${number % 400}@school.example.org,no,Class teacher,no,custom,${customScenarios.join(';')}`
    }
  })
}

/** `rows` more contacts for an add import: guardians and others, spread evenly over the patrons, none primary. */
export async function writeAddFile(path: string, size: DistrictSize, rows: number): Promise<void> {
  await writeCsv(path, 'username,role,address,addressee,bcc', function* () {
    for (let row = 0; row < rows; row += 1) {
      const number = 1 + (row % size.patrons)
      const round = Math.floor(row / size.patrons)
      yield `pupil${number},${round % 3 === 0 ? 'other' : 'guardian'},extra${round}.pupil${number}@example.org,Contact ${round} of pupil ${number},${round % 2 === 0 ? 'no' : 'default'}`
    }
  })
}

async function writeCsv(path: string, header: string, lines: () => Generator<string>): Promise<void> {
  const file = createWriteStream(path)
  let pending = [header]
  for (const line of lines()) {
    pending.push(line)
    if (pending.length < 5_000) continue
    if (!file.write(`${pending.join('\r\n')}\r\n`)) await once(file, 'drain')
    pending = []
  }
  file.end(pending.length > 0 ? `${pending.join('\r\n')}\r\n` : '')
  await once(file, 'finish')
}
