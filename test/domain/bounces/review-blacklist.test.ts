import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { addToBlacklist } from '../../../src/domain/bounces/add-to-blacklist.ts'
import { blacklistDigest } from '../../../src/domain/bounces/blacklist-digest.ts'
import { listBlacklist } from '../../../src/domain/bounces/list-blacklist.ts'
import { removeFromBlacklist } from '../../../src/domain/bounces/remove-from-blacklist.ts'
import { syncSuppressionList } from '../../../src/domain/bounces/sync-suppression-list.ts'
import type { AppDeps } from '../../../src/domain/deps.ts'
import { listEvents } from '../../../src/domain/events/list-events.ts'
import { dispatchDueMessages } from '../../../src/domain/notices/dispatch.ts'
import { createSesSuppressionList } from '../../../src/mail/ses-suppression.ts'
import { givenBlacklisted } from '../../support/blacklist.ts'
import { fixedClock, givenLibrary, staffActor, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'
import { type FakeSesSuppression, startFakeSesSuppression } from '../../support/fake-ses-suppression.ts'
import { givenQueuedMessage, messageRow, recordingTransport } from '../../support/outbox.ts'

let handle: DatabaseHandle
let deps: AppDeps
let ses: FakeSesSuppression
beforeAll(async () => {
  handle = await openTestDatabase()
  deps = testDeps(handle)
  ses = await startFakeSesSuppression({ pageSize: 2 })
})
afterAll(async () => {
  await ses.close()
  await handle.close()
})
// The blacklist is the deployment's: each test starts with an empty one.
beforeEach(async () => {
  await handle.db.deleteFrom('blacklist').execute()
  await handle.db.deleteFrom('messages').execute()
})

const bounce = (address: string, detail = 'Permanent (General): 550 5.1.1 user unknown', libraryId: number | null = null) =>
  givenBlacklisted(handle.db, [{ address, reason: 'bounce', detail, source: 'ses', libraryId }])

describe('sending skips blacklisted addresses', () => {
  test('a message goes to its other recipients; the blacklisted one shows skipped', async () => {
    const lib = await givenLibrary(deps)
    const ana = await lib.patron()
    const id = await givenQueuedMessage(handle.db, lib, ana, {
      recipients: [
        { kind: 'to', address: 'Mum@Example.org' },
        { kind: 'bcc', address: 'dad@example.org' },
      ],
    })
    await bounce('mum@example.org')
    const { transport, sent } = recordingTransport()

    await dispatchDueMessages({ ...deps, clock: fixedClock(new Date(Date.now() + 1000).toISOString()), transport, fromAddress: 'l@school.example' })

    expect(sent.map((email) => [email.to, email.envelopeTo])).toEqual([[[], 'dad@example.org']])
    const recipients = await handle.db
      .selectFrom('message_recipients')
      .where('message_id', '=', id)
      .orderBy('position')
      .select(['address', 'delivery'])
      .execute()
    expect(recipients).toEqual([
      { address: 'Mum@Example.org', delivery: 'skipped' },
      { address: 'dad@example.org', delivery: null },
    ])
  })

  test('a message whose every recipient is blacklisted is skipped, not sent', async () => {
    const lib = await givenLibrary(deps)
    const ana = await lib.patron()
    const id = await givenQueuedMessage(handle.db, lib, ana, { recipients: [{ kind: 'to', address: 'gone@example.org' }] })
    await bounce('gone@example.org')
    const { transport, sent } = recordingTransport()

    const round = await dispatchDueMessages({
      ...deps,
      clock: fixedClock(new Date(Date.now() + 1000).toISOString()),
      transport,
      fromAddress: 'l@school.example',
    })

    expect(sent).toEqual([])
    expect(round).toMatchObject({ claimed: 1, skipped: 1, sent: 0 })
    expect(await messageRow(handle.db, id)).toMatchObject({ status: 'skipped', reason: 'blacklisted' })
  })
})

describe('reviewing the blacklist', () => {
  test('staff see the addresses of their own patrons’ contacts, with the patrons, newest first', async () => {
    const lib = await givenLibrary(deps)
    const other = await givenLibrary(deps)
    const ana = await lib.patron({ username: 'asilva', firstName: 'Ana', lastName: 'Silva' })
    await lib.contact(ana, { role: 'guardian', address: 'Mum@example.org' })
    const bob = await other.patron()
    await other.contact(bob, { role: 'guardian', address: 'elsewhere@example.org' })
    await bounce('mum@example.org')
    await bounce('elsewhere@example.org')

    const page = await listBlacklist(deps, { libraryId: lib.id, actor: staffActor('viewer') })

    expect(page.ok && page.value.entries).toEqual([
      expect.objectContaining({
        address: 'mum@example.org',
        reason: 'bounce',
        detail: 'Permanent (General): 550 5.1.1 user unknown',
        patrons: [expect.objectContaining({ username: 'asilva', patronName: 'Ana Silva', role: 'guardian' })],
      }),
    ])
  })

  test('a since that is not a date is refused, saying so', async () => {
    const lib = await givenLibrary(deps)
    expect(await listBlacklist(deps, { libraryId: lib.id, actor: staffActor('viewer'), since: 'last week' })).toEqual({
      ok: false,
      error: { code: 'invalid_since', value: 'last week' },
    })
  })

  test('an address added by hand is blacklisted for everyone, with the manual reason, and audited', async () => {
    const lib = await givenLibrary(deps)

    const added = await addToBlacklist(deps, { libraryId: lib.id, actor: staffActor('staff'), address: ' Parent@Example.org ', source: 'api' })

    expect(added).toMatchObject({ ok: true, value: { added: true, entry: { address: 'Parent@Example.org', reason: 'manual', source: 'api' } } })
    expect(await lib.auditActions()).toEqual([expect.objectContaining({ action: 'blacklist.add', after: { address: 'Parent@Example.org', reason: 'manual' } })])
    const again = await addToBlacklist(deps, { libraryId: lib.id, actor: staffActor('staff'), address: 'parent@example.org', source: 'api' })
    expect(again).toMatchObject({ ok: true, value: { added: false } })
  })

  test('a viewer may not add nor remove', async () => {
    const lib = await givenLibrary(deps)
    const added = await addToBlacklist(deps, { libraryId: lib.id, actor: staffActor('viewer'), address: 'a@example.org', source: 'staff' })
    expect(added).toMatchObject({ ok: false, error: { code: 'not_allowed', permission: 'reviewBlacklist' } })
  })

  test('removing an address takes it off SES’s suppression list too, and is audited', async () => {
    const lib = await givenLibrary(deps)
    const ana = await lib.patron({ username: 'asilva' })
    await lib.contact(ana, { address: 'fixed@example.org' })
    await bounce('fixed@example.org')
    ses.suppress('fixed@example.org')
    const suppressionList = createSesSuppressionList(ses.client())

    const removed = await removeFromBlacklist({ ...deps, suppressionList }, { libraryId: lib.id, actor: staffActor('staff'), address: 'FIXED@example.org' })

    expect(removed.ok).toBe(true)
    expect(ses.isSuppressed('fixed@example.org')).toBe(false)
    expect(await handle.db.selectFrom('blacklist').selectAll().execute()).toEqual([])
    expect(await lib.auditActions()).toEqual([
      expect.objectContaining({
        action: 'blacklist.remove',
        before: expect.objectContaining({ address: 'fixed@example.org', reason: 'bounce' }),
        details: { patrons: ['asilva'] },
      }),
    ])
  })

  test('an address SES never suppressed is removed all the same', async () => {
    const lib = await givenLibrary(deps)
    await bounce('only-here@example.org', 'x', lib.id)
    const suppressionList = createSesSuppressionList(ses.client())

    const removed = await removeFromBlacklist({ ...deps, suppressionList }, { libraryId: lib.id, actor: staffActor('admin'), address: 'only-here@example.org' })

    expect(removed.ok).toBe(true)
  })

  test('when SES cannot be reached nothing is removed, and staff are told why', async () => {
    const lib = await givenLibrary(deps)
    await bounce('stays@example.org', 'x', lib.id)
    ses.failNext()

    const removed = await removeFromBlacklist(
      { ...deps, suppressionList: createSesSuppressionList(ses.client()) },
      { libraryId: lib.id, actor: staffActor('staff'), address: 'stays@example.org' },
    )

    expect(removed).toMatchObject({ ok: false, error: { code: 'suppression_list_unreachable', address: 'stays@example.org' } })
    expect(await handle.db.selectFrom('blacklist').select('address').execute()).toEqual([{ address: 'stays@example.org' }])
  })

  test('another library’s address cannot be removed', async () => {
    const lib = await givenLibrary(deps)
    await bounce('not-ours@example.org')
    const removed = await removeFromBlacklist(
      { ...deps, suppressionList: null },
      { libraryId: lib.id, actor: staffActor('admin'), address: 'not-ours@example.org' },
    )
    expect(removed).toEqual({ ok: false, error: { code: 'not_blacklisted', address: 'not-ours@example.org' } })
  })
})

describe('the SES suppression list', () => {
  test('every address SES suppressed, page after page, is blacklisted once, keeping an entry already there', async () => {
    for (const address of ['a@example.org', 'b@example.org', 'c@example.org']) ses.suppress(address, 'BOUNCE')
    ses.suppress('d@example.org', 'COMPLAINT')
    await bounce('a@example.org')

    const sync = await syncSuppressionList({ ...deps, suppressionList: createSesSuppressionList(ses.client()) })

    expect(sync).toMatchObject({ read: 4, added: 3 })
    const rows = await handle.db.selectFrom('blacklist').orderBy('address').select(['address', 'reason', 'source', 'detail']).execute()
    expect(rows).toEqual([
      expect.objectContaining({ address: 'a@example.org', reason: 'bounce', source: 'ses' }),
      expect.objectContaining({ address: 'b@example.org', reason: 'suppressed', source: 'suppression_list' }),
      expect.objectContaining({ address: 'c@example.org', reason: 'suppressed', source: 'suppression_list' }),
      { address: 'd@example.org', reason: 'suppressed', source: 'suppression_list', detail: "on SES's suppression list: a complaint (2026-03-01)" },
    ])
  })

  test('an address SES suppressed is told to the library system of each library with a contact of it', async () => {
    const lib = await givenLibrary(deps)
    await lib.contact(await lib.patron(), { address: 'Moved.Away@example.org' })
    ses.suppress('moved.away@example.org', 'BOUNCE')

    await syncSuppressionList({ ...deps, suppressionList: createSesSuppressionList(ses.client()) })

    const feed = await listEvents(deps, { libraryId: lib.id, actor: staffActor('staff', 'api-key:1'), limit: 10 })
    expect(feed.ok && feed.value.events.map(({ type, subject, details }) => ({ type, subject, details }))).toEqual([
      { type: 'address.blacklisted', subject: 'moved.away@example.org', details: { reason: 'suppressed' } },
    ])
  })

  test('a sync since a date asks SES only for what changed since', async () => {
    ses.suppress('old@example.org', 'BOUNCE', new Date('2026-01-01T00:00:00Z'))
    ses.suppress('new@example.org', 'BOUNCE', new Date('2026-03-09T00:00:00Z'))

    await syncSuppressionList({ ...deps, suppressionList: createSesSuppressionList(ses.client()) }, { since: new Date('2026-03-08T00:00:00Z') })

    expect(await handle.db.selectFrom('blacklist').where('address', 'in', ['old@example.org', 'new@example.org']).select('address').execute()).toEqual([
      { address: 'new@example.org' },
    ])
  })
})

describe('the daily digest', () => {
  test('lists the day’s addresses and the patrons it left with no reachable contact', async () => {
    const lib = await givenLibrary(deps)
    const ana = await lib.patron({ username: 'asilva' })
    const ben = await lib.patron({ username: 'bjones' })
    await lib.contact(ana, { address: 'ana-mum@example.org' })
    await lib.contact(ben, { address: 'ben-mum@example.org' })
    await lib.contact(ben, { address: 'ben-dad@example.org' })
    await bounce('ana-mum@example.org')
    await bounce('ben-mum@example.org')
    const now = new Date()

    const digest = await blacklistDigest(deps, { libraryId: lib.id, since: new Date(now.getTime() - 86_400_000), until: new Date(now.getTime() + 1000) })

    expect(digest.entries.map((e) => e.address).sort()).toEqual(['ana-mum@example.org', 'ben-mum@example.org'])
    expect(digest.unreachable).toEqual([expect.objectContaining({ username: 'asilva' })])
  })
})
