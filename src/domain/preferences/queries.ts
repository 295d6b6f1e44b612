import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import type { NoticeGroup } from './groups.ts'

/** What an unsubscribe link is about: its message, the patron, and the contacts that received it. */
export type UnsubscribeSubject = {
  messageId: string
  libraryId: number
  libraryName: string
  scenario: string
  patronId: number
  patronFirstName: string
  /** The patron's contacts among the message's recipients (still theirs), in the message's order, with the groups each has stopped. */
  contacts: Array<{ contactId: number; address: string; stoppedGroups: NoticeGroup[] }>
}

/** The message a link names, with its patron and recipients; undefined when it is gone or about no patron. */
export async function findUnsubscribeSubject(db: Db, messageId: string): Promise<UnsubscribeSubject | undefined> {
  const { rows } = await sql<Omit<UnsubscribeSubject, 'messageId'> & { messageId: string | number }>`
    select m.id as "messageId", m.library_id as "libraryId", l.name as "libraryName", m.scenario,
           m.patron_id as "patronId", p.first_name as "patronFirstName",
           coalesce((select json_agg(json_build_object(
                               'contactId', c.id, 'address', r.address,
                               'stoppedGroups', coalesce((select json_agg(rc.notice_group order by rc.notice_group)
                                                            from recipient_choices rc where rc.contact_id = c.id and rc.stopped), '[]'))
                             order by r.position)
                       from message_recipients r
                       join contacts c on c.id = r.contact_id and c.patron_id = m.patron_id
                      where r.message_id = m.id), '[]') as contacts
      from messages m
      join libraries l on l.id = m.library_id
      join patrons p on p.id = m.patron_id and p.library_id = m.library_id
     where m.id = ${messageId}::bigint`.execute(db)
  const row = rows[0]
  return row === undefined ? undefined : { ...row, messageId: String(row.messageId) }
}

/** Records a contact's own choice for a group; returns whether it changed anything. */
export async function saveRecipientChoice(db: Db, input: { contactId: number; group: NoticeGroup; stopped: boolean; at: Date }): Promise<boolean> {
  const { rows } = await sql<{ contact_id: number }>`
    insert into recipient_choices (contact_id, notice_group, stopped, chosen_at)
    values (${input.contactId}, ${input.group}, ${input.stopped}, ${input.at})
    on conflict (contact_id, notice_group) do update set stopped = excluded.stopped, chosen_at = excluded.chosen_at
     where recipient_choices.stopped <> excluded.stopped
    returning contact_id`.execute(db)
  return rows.length > 0
}
