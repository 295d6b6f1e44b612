import { type Kysely, sql } from 'kysely'

/**
 * The district's circulation (BENCHMARKS.md), beside its patrons and contacts (district.ts):
 * 300,000 items, 250,000 open loans of which 40,000 overdue spread over 1-60 days (on 25,000
 * patrons: several loans per patron), the rest due over the next four weeks; 10,000 loans
 * returned and 1,000 lost; 20,000 reservations, a third of them ready for pickup around the
 * night. Dates are relative to `asOf`, the night the benchmark plans. `--small` is a tenth.
 */
export type DistrictCirculation = { items: number; openLoans: number; overdueLoans: number; reservations: number }

export const districtCirculation = (small: boolean): DistrictCirculation =>
  small
    ? { items: 30_000, openLoans: 25_000, overdueLoans: 4_000, reservations: 2_000 }
    : { items: 300_000, openLoans: 250_000, overdueLoans: 40_000, reservations: 20_000 }

const closedLoans = (small: boolean) => (small ? { returned: 1_000, lost: 100 } : { returned: 10_000, lost: 1_000 })

const words = ['Secret', 'Garden', 'River', 'Night', 'Dragon', 'Island', 'Winter', 'Stars', 'Forest', 'Journey', 'Castle', 'Ocean', 'Little', 'Lost', 'Golden']
const authors = ['M. Rossi', 'A. Nguyen', 'J. Okafor', 'L. Müller', 'K. Tanaka', 'P. Silva', 'R. Brown', 'S. Dubois', 'T. Haddad', 'V. Ivanova']
const textArray = (values: readonly string[]) => sql`${sql.lit(`{${values.map((value) => `"${value}"`).join(',')}}`)}::text[]`

/**
 * Writes the district's items, loans and reservations into `libraryId`, whose patrons are
 * `pupil1` … `pupilN` (district.ts), with a few set-based statements.
 */
export async function seedDistrictCirculation(
  db: Kysely<any>,
  input: { libraryId: number; small: boolean; patrons: number; asOf: string },
): Promise<DistrictCirculation> {
  const size = districtCirculation(input.small)
  const closed = closedLoans(input.small)
  const { libraryId, asOf } = input
  await sql`
    insert into items (library_id, external_id, title, author, barcode)
    select ${libraryId}, 'item' || g,
           'The ' || (${textArray(words)})[1 + g % 15] || ' of the ' || (${textArray(words)})[1 + (g / 15) % 15] || ', volume ' || (1 + g % 7),
           (${textArray(authors)})[1 + g % 10], 'B' || lpad(g::text, 8, '0')
      from generate_series(1, ${size.items}) as g`.execute(db)
  // Patrons and items by their number: pupilN, itemN.
  const patronIds = sql`(select substr(username, 6)::int as number, id from patrons where library_id = ${libraryId})`
  const itemIds = sql`(select substr(external_id, 5)::int as number, id from items where library_id = ${libraryId})`
  // Loan g: overdue for g ≤ overdueLoans (on a quarter as many patrons as loans, so 1-2 each),
  // else due over the next 28 days; then the returned and the lost ones, overdue too.
  const openOverduePatrons = Math.floor(size.overdueLoans * 0.625)
  await sql`
    insert into loans (library_id, external_id, patron_id, item_id, checked_out_at, due_date, status)
    select ${libraryId}, 'loan' || g, p.id, i.id,
           (due - 21)::timestamp at time zone 'UTC' + interval '10 hours',
           due, status
      from (select g,
                   case when g <= ${size.overdueLoans} then ${asOf}::date - (1 + g % 60)
                        when g <= ${size.openLoans} then ${asOf}::date + (1 + g % 28)
                        else ${asOf}::date - (1 + g % 90) end as due,
                   case when g <= ${size.openLoans} then 'open'
                        when g <= ${size.openLoans + closed.returned} then 'returned'
                        else 'lost' end as status,
                   case when g <= ${size.overdueLoans} then 1 + (g * 7) % ${openOverduePatrons}
                        else 1 + (g * 7919) % ${input.patrons} end as patron_number
              from generate_series(1, ${size.openLoans + closed.returned + closed.lost}) as g) as l
      join ${patronIds} as p on p.number = l.patron_number
      join ${itemIds} as i on i.number = 1 + (l.g - 1) % ${size.items}`.execute(db)
  // Reservations of the items no loan has: placed, ready (pickup-by from 3 days ago to 4 ahead), collected.
  await sql`
    insert into reservations (library_id, external_id, patron_id, item_id, placed_at, status, pickup_by)
    select ${libraryId}, 'reservation' || g, p.id, i.id, ${asOf}::date - 10 + interval '9 hours',
           case when g % 3 = 0 then 'ready' when g % 10 = 1 then 'collected' else 'placed' end,
           case when g % 3 = 0 then ${asOf}::date + (g % 8) - 3 end
      from generate_series(1, ${size.reservations}) as g
      join ${patronIds} as p on p.number = 1 + (g * 104729) % ${input.patrons}
      join ${itemIds} as i on i.number = ${size.items} - g + 1`.execute(db)
  await sql`analyze items, loans, reservations`.execute(db)
  return size
}
