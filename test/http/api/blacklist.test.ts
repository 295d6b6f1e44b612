import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { dispatchDueMessages } from '../../../src/domain/notices/dispatch.ts'
import { createSesSuppressionList } from '../../../src/mail/ses-suppression.ts'
import { givenBlacklisted } from '../../support/blacklist.ts'
import { fixedClock, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'
import { type FakeSesSuppression, startFakeSesSuppression } from '../../support/fake-ses-suppression.ts'
import { givenQueuedMessage, recordingTransport } from '../../support/outbox.ts'
import { givenApiLibrary, problemOf } from './given-api.ts'

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
})

/** A library whose API runs in SES mode: removals reach the fake SES suppression list. */
async function sesLibrary() {
  const deps = testDeps(handle)
  const served = { ...deps, suppressionList: createSesSuppressionList(ses.client()) }
  return givenApiLibrary(deps, served)
}

describe('GET /api/v1/blacklist', () => {
  test('lists the library’s blacklisted addresses with reason, source and the patrons whose contact each is', async () => {
    const lib = await sesLibrary()
    const ana = await lib.patron({ username: 'asilva', firstName: 'Ana', lastName: 'Silva' })
    const contactId = await lib.contact(ana, { role: 'guardian', address: 'dad@example.org' })
    await givenBlacklisted(handle.db, [
      { address: 'dad@example.org', reason: 'bounce', detail: 'Permanent (General): 550 5.1.1 user unknown', source: 'ses' },
      { address: 'someone-elses@example.org', reason: 'bounce', source: 'ses' },
    ])

    const response = await lib.send('GET', '/api/v1/blacklist?since=2026-01-01')

    expect(response.status).toBe(200)
    expect((await response.json()).entries).toEqual([
      {
        address: 'dad@example.org',
        reason: 'bounce',
        detail: 'Permanent (General): 550 5.1.1 user unknown',
        source: 'ses',
        addedBy: null,
        createdAt: expect.any(String),
        patrons: [{ username: 'asilva', name: 'Ana Silva', role: 'guardian', contactId }],
      },
    ])
  })

  test('a since that is not a date is a 422 naming it', async () => {
    const lib = await sesLibrary()
    const problem = await problemOf(await lib.send('GET', '/api/v1/blacklist?since=yesterday'), 422)
    expect(problem.errors).toEqual([{ parameter: 'since', detail: expect.stringContaining('"yesterday" is not a date') }])
  })
})

describe('POST /api/v1/blacklist', () => {
  test('a key may not claim a bounce or a complaint: those are learnt from SES', async () => {
    const lib = await sesLibrary()

    const response = await lib.send('POST', '/api/v1/blacklist', { address: 'parent@example.org', reason: 'complaint' })

    expect(response.status).toBe(422)
    expect((await response.json()).errors).toEqual([{ pointer: '/reason', detail: 'Only manual: bounces and complaints are learnt from SES' }])
    expect(await handle.db.selectFrom('blacklist').select('address').where('address_key', '=', 'parent@example.org').execute()).toEqual([])
  })

  test('an address added by hand is never mailed, and the addition is audited', async () => {
    const lib = await sesLibrary()
    const ana = await lib.patron()

    const response = await lib.send('POST', '/api/v1/blacklist', { address: 'Stop@Example.org' })
    const again = await lib.send('POST', '/api/v1/blacklist', { address: 'stop@example.org', reason: 'manual' })

    expect(response.status).toBe(201)
    expect(await response.json()).toMatchObject({
      result: 'created',
      entry: { address: 'Stop@Example.org', reason: 'manual', source: 'api', addedBy: lib.actor },
    })
    expect(again.status).toBe(200)
    expect(await again.json()).toMatchObject({ result: 'unchanged', entry: { reason: 'manual' } })
    expect((await lib.auditActions()).filter((a) => a.action.startsWith('blacklist.'))).toEqual([
      expect.objectContaining({ action: 'blacklist.add', actor: lib.actor }),
    ])
    await givenQueuedMessage(handle.db, lib, ana, { recipients: [{ kind: 'to', address: 'stop@example.org' }] })
    const { transport, sent } = recordingTransport()
    await dispatchDueMessages({ ...testDeps(handle), clock: fixedClock(new Date(Date.now() + 1000).toISOString()), transport, fromAddress: 'l@s.example' })
    expect(sent).toEqual([])
  })

  test('an address that is not one, or an unknown reason, is a 422 on the field', async () => {
    const lib = await sesLibrary()
    const bad = await problemOf(await lib.send('POST', '/api/v1/blacklist', { address: 'not an address' }), 422)
    const reason = await problemOf(await lib.send('POST', '/api/v1/blacklist', { address: 'a@example.org', reason: 'annoying' }), 422)
    expect(bad.errors?.map((e) => e.pointer)).toEqual(['/address'])
    expect(reason.errors?.map((e) => e.pointer)).toEqual(['/reason'])
  })
})

describe('DELETE /api/v1/blacklist/{address}', () => {
  test('removes the address here and from SES’s suppression list, audited', async () => {
    const lib = await sesLibrary()
    const ana = await lib.patron()
    await lib.contact(ana, { address: 'back@example.org' })
    await givenBlacklisted(handle.db, [{ address: 'back@example.org', reason: 'bounce', source: 'ses' }])
    ses.suppress('back@example.org')

    const response = await lib.send('DELETE', `/api/v1/blacklist/${encodeURIComponent('Back@Example.org')}`)

    expect(response.status).toBe(204)
    expect(ses.isSuppressed('back@example.org')).toBe(false)
    expect((await (await lib.send('GET', '/api/v1/blacklist')).json()).entries).toEqual([])
    expect((await lib.auditActions()).filter((a) => a.action.startsWith('blacklist.'))).toEqual([
      expect.objectContaining({ action: 'blacklist.remove', actor: lib.actor }),
    ])
  })

  test('an address not on the library’s blacklist is a 404', async () => {
    const lib = await sesLibrary()
    const problem = await problemOf(await lib.send('DELETE', '/api/v1/blacklist/nobody%40example.org'), 404)
    expect(problem.type).toBe('urn:library-comms:problem:not-blacklisted')
  })

  test('when SES cannot be reached the address stays, with a 503 saying why', async () => {
    const lib = await sesLibrary()
    await lib.send('POST', '/api/v1/blacklist', { address: 'kept@example.org' })
    ses.failNext()

    const problem = await problemOf(await lib.send('DELETE', '/api/v1/blacklist/kept%40example.org'), 503)

    expect(problem.type).toBe('urn:library-comms:problem:suppression-list-unreachable')
    expect((await (await lib.send('GET', '/api/v1/blacklist')).json()).entries).toEqual([expect.objectContaining({ address: 'kept@example.org' })])
  })
})
