import { type Kysely, sql } from 'kysely'

// Issue 12, staff review: a recipient left out of a message because its address is blacklisted
// shows as `skipped` in the email log, beside what SES said of the others.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table message_recipients drop constraint message_recipients_delivery_check`.execute(db)
  await sql`alter table message_recipients add constraint message_recipients_delivery_check
              check (delivery in ('delivered', 'delayed', 'bounced', 'complained', 'rejected', 'skipped'))`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`update message_recipients set delivery = null where delivery = 'skipped'`.execute(db)
  await sql`alter table message_recipients drop constraint message_recipients_delivery_check`.execute(db)
  await sql`alter table message_recipients add constraint message_recipients_delivery_check
              check (delivery in ('delivered', 'delayed', 'bounced', 'complained', 'rejected'))`.execute(db)
}
