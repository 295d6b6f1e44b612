import { afterAll, beforeAll, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { createApiKey } from '../../../src/domain/api-keys/create-api-key.ts'
import { planNight } from '../../../src/domain/notices/plan-night.ts'
import { cliActor } from '../../../src/domain/staff/actors.ts'
import { fixedClock, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'
import { emailsOut, listingRender } from '../../support/nights.ts'
import { checkout, type GivenFeed, givenFeed } from './given-circulation.ts'

// Every door that deactivates a patron, seen from the outside: what the library system sends, and
// what the patron then gets (nothing).

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

/** Two pupils with an overdue loan each, and the library system's admin key beside its staff key. */
async function givenSchool() {
  const lib = await givenFeed(handle)
  for (const username of ['asilva', 'bchen']) {
    const pupil = await lib.patron({ username })
    await lib.contact(pupil, { address: `${username}.parent@example.org` })
    await lib.loan(pupil, { dueDate: '2026-02-10', title: `Overdue of ${username}` })
  }
  const created = await createApiKey(testDeps(handle), { libraryId: lib.id, name: 'ILS admin', role: 'admin', actor: cliActor })
  if (!created.ok) throw new Error(created.error.code)
  const admin = (method: string, path: string, body: string, contentType = 'application/json') =>
    lib.app.request(path, { method, headers: { authorization: `Bearer ${created.value.key}`, 'content-type': contentType }, body })
  return { lib, admin }
}

/** The night of `asOf` runs; the emails it planned. */
async function night(lib: GivenFeed, asOf: string): Promise<string[]> {
  const plan = await planNight(
    { ...testDeps(handle), clock: fixedClock(`${asOf}T12:00:00Z`) },
    { libraryId: lib.id, asOf, dryRun: false, render: listingRender },
  )
  expect(plan.ok).toBe(true)
  return emailsOut(handle.db, lib.id, { asOf })
}

test('the library system’s push deactivates a patron, and the next night sends them nothing; reactivated, they get their notice again', async () => {
  const { lib, admin } = await givenSchool()

  const pushed = await admin('POST', '/api/v1/patrons', JSON.stringify([{ username: 'asilva', enabled: false }]))
  expect(await pushed.json()).toEqual({ created: 0, updated: 1, unchanged: 0 })
  const first = await night(lib, '2026-03-10')
  await lib.send('POST', '/api/v1/patrons', [{ username: 'asilva', enabled: true }])
  const afterReactivation = await night(lib, '2026-03-11')

  expect(first).toEqual([expect.stringMatching(/ for bchen: to bchen.parent@example.org \| Overdue of bchen \+28$/)])
  expect(afterReactivation).toEqual([expect.stringMatching(/ for asilva: to asilva.parent@example.org \| Overdue of asilva \+29$/)])
})

test('a patrons file from the admin key deactivates in bulk, and the night skips them; the staff key’s file reactivates', async () => {
  const { lib, admin } = await givenSchool()

  const imported = await admin('POST', '/api/v1/imports/patrons', 'username,enabled\nasilva,false\nBCHEN,FALSE\n', 'text/csv')
  expect(imported.status).toBe(200)
  const first = await night(lib, '2026-03-10')
  const reactivated = await lib.app.request('/api/v1/imports/patrons', {
    method: 'POST',
    headers: { authorization: `Bearer ${lib.key}`, 'content-type': 'text/csv' },
    body: 'username,enabled\nbchen,true\n',
  })
  expect(reactivated.status).toBe(200)
  const second = await night(lib, '2026-03-11')

  expect(first).toEqual([])
  expect(second).toEqual([expect.stringMatching(/ for bchen: to bchen.parent@example.org \| Overdue of bchen \+29$/)])
})

test('a patron deactivated with PATCH gets no recall: the call answers not sent, inactive, and nothing is queued', async () => {
  const { lib, admin } = await givenSchool()
  await lib.send('POST', '/api/v1/loans', checkout('L1', 'asilva', { title: 'Matilda' }))

  await admin('PATCH', '/api/v1/patrons/asilva', JSON.stringify({ enabled: false }))
  const recalled = await lib.send('POST', '/api/v1/loans/L1/recall', { dueDate: '2026-03-13' })

  expect(recalled.status).toBe(200)
  expect((await recalled.json()).notice).toEqual({ scenario: 'circulation.recall', status: 'not_sent', reason: 'inactive' })
  expect((await lib.messages()).filter((m) => m.scenario === 'circulation.recall')).toEqual([])
})
