import { sql } from 'kysely'
import type { Db } from '../../db/database.ts'
import type { NoticeGroup } from './groups.ts'
import type { UnsubscribeCopy } from './unsubscribe-token.ts'

/** What an unsubscribe link is about: its message, the patron, and the contact its copy went to. */
export type UnsubscribeSubject = {
  messageId: string
  libraryId: number
  libraryName: string
  scenario: string
  patronId: number
  patronFirstName: string
  /**
   * The recipient of the copy, still one of the patron's contacts, with the groups it has stopped;
   * `address` is where the copy went, `addressKey` the contact's key now.
   */
  contact: { contactId: number; address: string; addressKey: string; stoppedGroups: NoticeGroup[] }
}

/**
 * The copy a link names, with its patron and recipient; undefined when the message is gone, is
 * about no patron, or the recipient is no longer one of the patron's contacts.
 */
export async function findUnsubscribeSubject(db: Db, copy: UnsubscribeCopy): Promise<UnsubscribeSubject | undefined> {
  const { rows } = await sql<Omit<UnsubscribeSubject, 'messageId'> & { messageId: string | number }>`
    select m.id as "messageId", m.library_id as "libraryId", l.name as "libraryName", m.scenario,
           m.patron_id as "patronId", p.first_name as "patronFirstName",
           json_build_object('contactId', c.id, 'address', r.address, 'addressKey', c.address_key,
                             'stoppedGroups', coalesce((select json_agg(rc.notice_group order by rc.notice_group)
                                                          from recipient_choices rc where rc.contact_id = c.id and rc.stopped), '[]')) as contact
      from messages m
      join libraries l on l.id = m.library_id
      join patrons p on p.id = m.patron_id and p.library_id = m.library_id
      join message_recipients r on r.message_id = m.id and r.position = ${copy.recipientPosition}
      join contacts c on c.id = r.contact_id and c.patron_id = m.patron_id
     where m.id = ${copy.messageId}::bigint`.execute(db)
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
