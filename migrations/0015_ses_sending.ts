import { type Kysely, sql } from 'kysely'

// Sending through SES (issue 12): SES has no idempotency key, so a message whose sender died
// after handing it over may have been sent. `handed_over_at` is written, and committed, just
// before the transport is called and cleared when the outcome is recorded: a claim that finds it
// set knows the previous attempt may have reached SES and does not send it again.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table messages add column handed_over_at timestamptz`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table messages drop column handed_over_at`.execute(db)
}
