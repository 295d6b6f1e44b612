import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import { noticeGroupOf } from '../preferences/groups.ts'
import { type ContactRole, type ScenarioName, scenarioOf } from '../scenarios/catalogue.ts'

/** Who a notice goes to: an email contact of the patron, in To or in Bcc. */
export type Recipient = { kind: 'to' | 'bcc'; address: string; contactId: number; role: ContactRole; addressee: string }

/**
 * The recipients of a scenario's notice for each of many patrons, in one query (DESIGN.md,
 * Scenarios): email contacts only; usage `any`, or `custom` with this scenario among its
 * scenarios, never `none` (record keeping only); of a role the scenario may reach; in Bcc when
 * the contact says yes, in To when it says no, and as the library's default otherwise; never a
 * contact that stopped the scenario's kind of notice itself (an unsubscribe link). The primary
 * contact comes first, then the patron themself. A patron with none is absent.
 */
export async function recipientsFor(
  db: Db,
  input: { libraryId: number; scenario: ScenarioName; patronIds: readonly number[] },
): Promise<Map<number, Recipient[]>> {
  const roles: readonly string[] = scenarioOf(input.scenario).roles
  const byPatron = new Map<number, Recipient[]>()
  if (input.patronIds.length === 0 || roles.length === 0) return byPatron
  const { rows } = await sql<{ patron_id: number; id: number; address: string; role: ContactRole; addressee: string; kind: 'to' | 'bcc' }>`
    select c.patron_id, c.id, c.address, c.role, c.addressee,
           case c.bcc when 'yes' then 'bcc' when 'no' then 'to' else case when l.bcc_by_default then 'bcc' else 'to' end end as kind
      from contacts c
      join libraries l on l.id = c.library_id
     where c.library_id = ${input.libraryId}
       and c.patron_id = any(${sql.val([...input.patronIds])}::int[])
       and c.type = 'email'
       and c.role = any(${sql.val([...roles])}::text[])
       and (c.usage = 'any'
            or (c.usage = 'custom' and exists (
                  select 1 from contact_scenarios s where s.contact_id = c.id and s.scenario = ${input.scenario})))
       and not exists (select 1 from recipient_choices rc
                        where rc.contact_id = c.id and rc.notice_group = ${noticeGroupOf(input.scenario)} and rc.stopped)
     order by c.patron_id, c.is_primary desc, c.role = 'patron' desc, c.id`.execute(db)
  for (const row of rows) {
    const list = byPatron.get(row.patron_id) ?? []
    list.push({ kind: row.kind, address: row.address, contactId: row.id, role: row.role, addressee: row.addressee })
    byPatron.set(row.patron_id, list)
  }
  return byPatron
}

/** How the notice greets its readers: its To recipients' addressees ("Mrs Silva and Mr Silva"), else `fallback`. */
export function greetingFor(recipients: readonly Recipient[], fallback: string): string {
  const named = (kind?: 'to') => [
    ...new Set(recipients.filter((r) => (kind ? r.kind === kind : true) && r.addressee.trim() !== '').map((r) => r.addressee.trim())),
  ]
  const names = named('to').length > 0 ? named('to') : named()
  if (names.length === 0) return fallback
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`
}
