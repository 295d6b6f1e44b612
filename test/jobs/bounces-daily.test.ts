import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import type { SlackMessage } from '../../src/bot/views.ts'
import type { DatabaseHandle } from '../../src/db/database.ts'
import { runBounceTick } from '../../src/jobs/bounces-daily.ts'
import { createSesSuppressionList } from '../../src/mail/ses-suppression.ts'
import { givenBlacklisted } from '../support/blacklist.ts'
import { fixedClock, givenLibrary, testDeps } from '../support/builders.ts'
import { openTestDatabase } from '../support/database.ts'
import { type FakeSesSuppression, startFakeSesSuppression } from '../support/fake-ses-suppression.ts'
import { textOf } from '../support/fake-slack.ts'

let handle: DatabaseHandle
let ses: FakeSesSuppression
beforeAll(async () => {
  handle = await openTestDatabase()
  ses = await startFakeSesSuppression()
})
afterAll(async () => {
  await ses.close()
  await handle.close()
})
beforeEach(async () => {
  await handle.db.deleteFrom('blacklist').execute()
  await handle.db.deleteFrom('job_runs').execute()
})

function collector() {
  const posted: Array<{ channel: string; message: SlackMessage }> = []
  return { posted, post: async (channel: string, message: SlackMessage) => void posted.push({ channel, message }) }
}

describe('the daily digest', () => {
  test('the report channel is told, once a morning, which addresses were blacklisted and who can no longer be reached', async () => {
    // 08:00 in London on 10 March.
    const clock = fixedClock('2026-03-10T08:00:00Z')
    const deps = testDeps(handle, { clock })
    const lib = await givenLibrary(deps, { timeZone: 'Europe/London' })
    await handle.db.updateTable('libraries').set({ slack_channel: 'CREPORTS' }).where('id', '=', lib.id).execute()
    const ana = await lib.patron({ username: 'asilva' })
    const ben = await lib.patron({ username: 'bjones' })
    await lib.contact(ana, { address: 'ana-mum@example.org' })
    await lib.contact(ben, { address: 'ben-mum@example.org' })
    await lib.contact(ben, { address: 'ben-dad@example.org' })
    await givenBlacklisted(handle.db, [
      { address: 'ana-mum@example.org', reason: 'bounce', detail: '550 user unknown', source: 'ses', createdAt: new Date('2026-03-09T14:00:00Z') },
      { address: 'ben-mum@example.org', reason: 'complaint', detail: 'abuse', source: 'ses', createdAt: new Date('2026-03-10T07:00:00Z') },
      { address: 'last-week@example.org', reason: 'bounce', source: 'ses', libraryId: lib.id, createdAt: new Date('2026-03-01T07:00:00Z') },
    ])
    const { posted, post } = collector()

    await runBounceTick(deps, { suppressionList: null, post })
    await runBounceTick(deps, { suppressionList: null, post })

    expect(posted.map((p) => p.channel)).toEqual(['CREPORTS'])
    const text = textOf(posted[0].message.blocks)
    expect(text).toContain('*Bounces: 2 addresses blacklisted since')
    expect(text).toContain('• ben-mum@example.org (`bjones`): :warning: Marked a notice as spam: abuse')
    expect(text).toContain('• ana-mum@example.org (`asilva`): :no_entry: Bounced: 550 user unknown')
    expect(text).not.toContain('last-week@example.org')
    expect(text).toContain('*1 patron can no longer be reached* (no contact left that notices can go to): `asilva`')
  })

  test('before 07:00 in the library’s time zone no digest goes, and a quiet day posts nothing', async () => {
    const early = testDeps(handle, { clock: fixedClock('2026-03-10T06:30:00Z') })
    const lib = await givenLibrary(early, { timeZone: 'Europe/London' })
    await handle.db.updateTable('libraries').set({ slack_channel: 'CREPORTS' }).where('id', '=', lib.id).execute()
    const ana = await lib.patron()
    await lib.contact(ana, { address: 'gone@example.org' })
    await givenBlacklisted(handle.db, [{ address: 'gone@example.org', reason: 'bounce', source: 'ses', createdAt: new Date('2026-03-10T06:00:00Z') }])
    const { posted, post } = collector()

    await runBounceTick(early, { suppressionList: null, post })
    expect(posted).toEqual([])
    await runBounceTick(testDeps(handle, { clock: fixedClock('2026-03-10T07:05:00Z') }), { suppressionList: null, post })
    expect(posted).toHaveLength(1)
    await runBounceTick(testDeps(handle, { clock: fixedClock('2026-03-11T07:05:00Z') }), { suppressionList: null, post })
    expect(posted).toHaveLength(1)
  })
})

describe('the suppression sync', () => {
  test('reads SES’s whole list at the first tick, then only what changed, once a day', async () => {
    const deps = testDeps(handle, { clock: fixedClock('2026-03-10T08:00:00Z') })
    ses.suppress('first@example.org', 'BOUNCE', new Date('2026-01-01T00:00:00Z'))
    const suppressionList = createSesSuppressionList(ses.client())
    ses.requests.length = 0

    const synced = await runBounceTick(deps, { suppressionList })
    const again = await runBounceTick(testDeps(handle, { clock: fixedClock('2026-03-10T09:00:00Z') }), { suppressionList, lastSync: synced })
    ses.suppress('second@example.org', 'COMPLAINT', new Date('2026-03-10T12:00:00Z'))
    const nextDay = await runBounceTick(testDeps(handle, { clock: fixedClock('2026-03-11T08:00:00Z') }), { suppressionList, lastSync: synced })

    expect(synced).toEqual(new Date('2026-03-10T08:00:00Z'))
    expect(again).toBeUndefined()
    expect(nextDay).toEqual(new Date('2026-03-11T08:00:00Z'))
    expect(ses.requests.map((r) => r.query.StartDate ?? null)).toEqual([null, '2026-03-10T07:00:00Z'])
    const rows = await handle.db.selectFrom('blacklist').where('source', '=', 'suppression_list').orderBy('address').select('address').execute()
    expect(rows.map((r) => r.address)).toEqual(['first@example.org', 'second@example.org'])
  })
})
