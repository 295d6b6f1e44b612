import { type Kysely, sql } from 'kysely'

// One copy per recipient (issue 12): a message to N recipients leaves as N emails, each addressed
// in its envelope to one of them, so each carries its own unsubscribe link and one-click POST.
// Each copy is recorded on its recipient: `sent_at` and `transport_id` (SES's message id, which
// the webhook matches events by), and `handed_over_at`, written and committed just before the
// copy is handed to the transport and cleared when its outcome is recorded. A claim that finds a
// copy handed over and not recorded knows it may have reached SES and never sends it again.
// The message's own handed_over_at (0015) moves to its copies.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table message_recipients add column sent_at timestamptz, add column transport_id text, add column handed_over_at timestamptz`.execute(db)
  await sql`
    update message_recipients r set handed_over_at = m.handed_over_at
      from messages m
     where m.id = r.message_id and m.handed_over_at is not null and m.status = 'sending'`.execute(db)
  // Messages sent before: every recipient got the one email, under the message's SES id.
  await sql`
    update message_recipients r set sent_at = m.sent_at
      from messages m
     where m.id = r.message_id and m.status = 'sent' and r.delivery is distinct from 'skipped'`.execute(db)
  await sql`alter table messages drop column handed_over_at`.execute(db)
  await sql`create index message_recipients_transport_id on message_recipients (transport_id) where transport_id is not null`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index message_recipients_transport_id`.execute(db)
  await sql`alter table messages add column handed_over_at timestamptz`.execute(db)
  await sql`
    update messages m set handed_over_at = r.handed_over_at
      from (select message_id, max(handed_over_at) as handed_over_at from message_recipients
             where handed_over_at is not null and sent_at is null group by message_id) r
     where m.id = r.message_id`.execute(db)
  await sql`alter table message_recipients drop column sent_at, drop column transport_id, drop column handed_over_at`.execute(db)
}
