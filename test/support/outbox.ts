import type { Db } from '../../src/db/database.ts'
import { type NewMessage, queueMessages } from '../../src/domain/notices/outbox.ts'
import type { ScenarioName } from '../../src/domain/scenarios/catalogue.ts'
import type { EmailTransport, OutgoingEmail, SendOutcome } from '../../src/mail/transport.ts'
import type { GivenLibrary, GivenPatron } from './builders.ts'

let counter = 0

/** A message in the outbox, as a planner or an event would queue it; returns its id. */
export async function givenQueuedMessage(
  db: Db,
  lib: Pick<GivenLibrary, 'id'>,
  patron: GivenPatron | null,
  input: Partial<Omit<NewMessage, 'recipients'>> & { recipients?: NewMessage['recipients'] } = {},
): Promise<string> {
  counter += 1
  const dedupeKey = input.dedupeKey ?? `test:${counter}:${Math.random().toString(36).slice(2)}`
  const message: NewMessage = {
    libraryId: lib.id,
    scenario: 'circulation.overdue' satisfies ScenarioName,
    patronId: patron?.id ?? null,
    subject: `Overdue ${counter}`,
    html: '<p>Your book is overdue.</p>',
    text: 'Your book is overdue.',
    status: 'queued',
    recipients: [{ kind: 'to', address: `guardian${counter}@example.org` }],
    ...input,
    dedupeKey,
  }
  const queued = await queueMessages(db, [message])
  return queued.ids.get(dedupeKey)!
}

/** A transport that keeps what it was given and answers as told (sent, by default). */
export function recordingTransport(
  answer: (email: OutgoingEmail) => SendOutcome | Promise<SendOutcome> = (email) => ({
    ok: true,
    transportId: `test-${email.messageId}-${email.recipientPosition + 1}`,
  }),
) {
  const sent: OutgoingEmail[] = []
  const transport: EmailTransport = {
    name: 'file',
    async send(email) {
      sent.push(email)
      return answer(email)
    },
  }
  return { transport, sent }
}

/** A message's row as the email log keeps it. */
export async function messageRow(db: Db, id: string) {
  return db
    .selectFrom('messages')
    .where('id', '=', id)
    .select([
      'status',
      'reason',
      'attempts',
      'sent_at as sentAt',
      'transport_id as transportId',
      'lease_until as leaseUntil',
      'next_attempt_at as nextAttemptAt',
      'text',
      'html',
    ])
    .executeTakeFirstOrThrow()
}
