import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { secretMarker } from '../../../src/domain/notices/outbox.ts'
import { capturedLog } from '../../bot/captured-log.ts'
import { openTestDatabase } from '../../support/database.ts'
import { pointersOf, problemOf } from './given-api.ts'
import { type GivenFeed, givenFeed } from './given-circulation.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

const link = 'https://ils.school.example/reset?token=k2V9xQ7wL0pZ4mN8'

async function givenPupil(lib: GivenFeed) {
  const pupil = await lib.patron({ username: 'asilva', firstName: 'Ana' })
  await lib.contact(pupil, { role: 'patron', address: 'ana@school.example' })
  await lib.contact(pupil, { role: 'guardian', address: 'mum@example.org' })
  return pupil
}

/** Everything the service stored that staff could read: the email log and the audit log. */
async function readableRows(lib: GivenFeed) {
  const messages = await handle.db.selectFrom('messages').where('library_id', '=', lib.id).selectAll().execute()
  const audit = await lib.auditActions()
  return JSON.stringify({ messages, audit })
}

describe('POST /api/v1/password-resets', () => {
  test("queues one email to the patron's own address alone; the link waits apart, never in the stored email", async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib)

    const answer = await lib.send('POST', '/api/v1/password-resets', { username: 'asilva', link })

    expect(answer.status).toBe(201)
    const body = await answer.text()
    expect(JSON.parse(body)).toEqual({ result: 'created', notice: { scenario: 'account.password_reset', status: 'queued', reason: null } })
    expect(body).not.toContain('token')
    const messages = await lib.messages()
    expect(messages.map((m) => [m.scenario, m.status, m.to])).toEqual([['account.password_reset', 'queued', ['to ana@school.example']]])
    expect(messages[0].text).toContain(`Reset: ${secretMarker}`)
    expect(messages[0].html).toContain(`href="${secretMarker}"`)
    expect(await readableRows(lib)).not.toContain('k2V9xQ7wL0pZ4mN8')
    const secrets = await sql<{ value: string }>`
      select s.value from message_secrets s join messages m on m.id = s.message_id where m.library_id = ${lib.id}`.execute(handle.db)
    expect(secrets.rows).toEqual([{ value: link }])
  })

  test('the request is audited, without the link; the same link again is unchanged; a new link is a new email', async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib)

    await lib.send('POST', '/api/v1/password-resets', { username: 'asilva', link })
    const again = await lib.send('POST', '/api/v1/password-resets', { username: 'ASILVA', link })
    const next = await lib.send('POST', '/api/v1/password-resets', { username: 'asilva', link: `${link}-2` })

    expect([again.status, await again.json()]).toEqual([200, { result: 'unchanged', notice: null }])
    expect((await next.json()).result).toBe('created')
    expect((await lib.messages()).length).toBe(2)
    const audit = (await lib.auditActions()).filter((entry) => entry.action === 'password_reset.requested')
    expect(audit.map((entry) => entry.actor)).toEqual([lib.actor, lib.actor])
    expect(JSON.stringify(audit)).not.toContain('k2V9xQ7wL0pZ4mN8')
  })

  test('the link reaches no log line, even when the request fails', async () => {
    const log = capturedLog()
    const lib = await givenFeed(handle, { logger: log.logger })
    await givenPupil(lib)
    await sql
      .raw(`create or replace function refuse_secrets() returns trigger language plpgsql as $$
            begin raise exception 'no room for secrets'; end $$`)
      .execute(handle.db)
    await sql.raw('create trigger refuse_secrets before insert on message_secrets for each row execute function refuse_secrets()').execute(handle.db)
    try {
      expect((await lib.send('POST', '/api/v1/password-resets', { username: 'asilva', link })).status).toBe(500)
    } finally {
      await sql.raw('drop trigger refuse_secrets on message_secrets').execute(handle.db)
      await sql.raw('drop function refuse_secrets()').execute(handle.db)
    }
    await lib.send('POST', '/api/v1/password-resets', { username: 'asilva', link })
    await lib.send('POST', '/api/v1/password-resets', { username: 'asilva', link: 'http://ils.school.example/reset?token=k2V9xQ7wL0pZ4mN8' })

    expect(log.lines().some((line) => line.level >= 50)).toBe(true)
    expect(log.raw()).not.toContain('k2V9xQ7wL0pZ4mN8')
    // The failed request left no email behind: the retry is the first.
    expect((await lib.messages()).length).toBe(1)
  })

  test('a link that is not an https URL, or an unknown username, is a 422 naming the field', async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib)

    const plain = await problemOf(await lib.send('POST', '/api/v1/password-resets', { username: 'asilva', link: 'http://ils.example/reset' }), 422)
    const notUrl = await problemOf(await lib.send('POST', '/api/v1/password-resets', { username: 'asilva', link: 'reset me' }), 422)
    const unknown = await problemOf(await lib.send('POST', '/api/v1/password-resets', { username: 'nobody', link }), 422)

    expect(plain.errors).toEqual([{ pointer: '/link', detail: 'Give the reset link as an https:// URL' }])
    expect(pointersOf(notUrl)).toEqual(['/link'])
    expect(unknown.errors).toEqual([{ pointer: '/username', detail: 'No patron with username "nobody" in this library' }])
    expect(await lib.messages()).toEqual([])
  })

  test('a patron without an address of their own gets a skipped email that keeps no secret', async () => {
    const lib = await givenFeed(handle)
    const pupil = await lib.patron({ username: 'asilva' })
    await lib.contact(pupil, { role: 'guardian', address: 'mum@example.org' })

    const answer = await lib.send('POST', '/api/v1/password-resets', { username: 'asilva', link })

    expect((await answer.json()).notice).toEqual({ scenario: 'account.password_reset', status: 'skipped', reason: 'no_contact' })
    expect((await lib.messages()).map((m) => [m.status, m.reason, m.to])).toEqual([['skipped', 'no_contact', []]])
    const secrets = await sql`select 1 from message_secrets s join messages m on m.id = s.message_id where m.library_id = ${lib.id}`.execute(handle.db)
    expect(secrets.rows).toEqual([])
  })

  test('a template that leaves the link out is a template error: the email is not sent without it', async () => {
    const lib = await givenFeed(handle, {
      noticeRenderer: async () => () => ({ subject: 'Reset your password', html: '<p>Click here</p>', text: 'Click here' }),
    })
    await givenPupil(lib)

    const answer = await lib.send('POST', '/api/v1/password-resets', { username: 'asilva', link })

    expect((await answer.json()).notice).toEqual({ scenario: 'account.password_reset', status: 'skipped', reason: 'template_error' })
  })

  test('switched off, a reset request queues nothing', async () => {
    const lib = await givenFeed(handle)
    await givenPupil(lib)
    await lib.switchScenario('account.password_reset', false)

    const answer = await lib.send('POST', '/api/v1/password-resets', { username: 'asilva', link })

    expect((await answer.json()).notice).toEqual({ scenario: 'account.password_reset', status: 'not_sent', reason: 'scenario_off' })
    expect(await lib.messages()).toEqual([])
  })
})
