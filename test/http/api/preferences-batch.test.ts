import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { createApiKey } from '../../../src/domain/api-keys/create-api-key.ts'
import { cliActor } from '../../../src/domain/staff/actors.ts'
import { testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'
import { type GivenApiLibrary, givenApiLibrary, pointersOf, problemOf } from './given-api.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

/** The school's IT admin runs the batch with a key of the admin role; the library system's key is staff. */
async function givenAdminKey(lib: GivenApiLibrary) {
  const created = await createApiKey(testDeps(handle), { libraryId: lib.id, name: 'Preferences admin', role: 'admin', actor: cliActor })
  if (!created.ok) throw new Error(created.error.code)
  const { key, apiKey } = created.value
  return {
    actor: `api-key:${apiKey.id}`,
    send: (json: unknown) =>
      lib.app.request('/api/v1/preferences/batch', {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(json),
      }),
  }
}

async function givenFamilies() {
  const lib = await givenApiLibrary(testDeps(handle))
  const ana = await lib.patron({ username: 'ana', level: 'Year 3' })
  const ben = await lib.patron({ username: 'ben', level: 'Year 5' })
  await lib.contact(ana, { address: 'ana-mum@example.org', role: 'guardian' })
  await lib.contact(ben, { address: 'ben-mum@example.org', role: 'guardian' })
  await lib.contact(ben, { address: 'ben@school.example', role: 'patron' })
  return { lib, admin: await givenAdminKey(lib) }
}

const usageOf = async (lib: GivenApiLibrary, address: string) =>
  (await handle.db.selectFrom('contacts').where('library_id', '=', lib.id).where('address', '=', address).select('usage').executeTakeFirstOrThrow()).usage

describe('POST /api/v1/preferences/batch', () => {
  test('a dry run answers the counts the apply then gives, and changes nothing until applied', async () => {
    const { lib, admin } = await givenFamilies()
    const request = { mode: 'guardians', set: { overdue: 'off', loanReceipts: 'no_change' }, overwriteRecipientChoices: false }

    const preview = await admin.send({ ...request, dryRun: true })
    const previewed = await preview.json()
    expect(previewed).toEqual({
      contactsToChange: 2,
      skippedNoAddress: 0,
      recipientChoicesOverwritten: 0,
      recipientChoicesKept: 0,
      preferencesUpdated: 0,
      batchId: expect.any(Number),
    })
    expect(await usageOf(lib, 'ana-mum@example.org')).toBe('any')

    const applied = await admin.send({ ...request, dryRun: false, batchId: previewed.batchId })
    expect(applied.status).toBe(200)
    expect(await applied.json()).toEqual({ ...previewed, preferencesUpdated: 2 })
    expect([await usageOf(lib, 'ana-mum@example.org'), await usageOf(lib, 'ben-mum@example.org'), await usageOf(lib, 'ben@school.example')]).toEqual([
      'custom',
      'custom',
      'any',
    ])
    expect((await lib.auditActions()).at(-1)).toMatchObject({ action: 'preferences.batch_applied', actor: admin.actor })
    // Applied once: the same preview cannot be applied again.
    expect((await problemOf(await admin.send({ ...request, dryRun: false, batchId: previewed.batchId }), 409)).type).toBe(
      'urn:library-comms:problem:batch-not-ready',
    )
  })

  test('a filter by academic level takes only its patrons; loanReceipts is the loan receipts group', async () => {
    const { lib, admin } = await givenFamilies()
    const answer = await admin.send({ mode: 'guardians', filter: { academicLevels: ['Year 5'] }, set: { loanReceipts: 'off' }, dryRun: false })
    expect((await answer.json()).preferencesUpdated).toBe(1)
    const scenarios = await handle.db
      .selectFrom('contact_scenarios as s')
      .innerJoin('contacts as c', 'c.id', 's.contact_id')
      .where('c.library_id', '=', lib.id)
      .where('c.address', '=', 'ben-mum@example.org')
      .select('s.scenario')
      .execute()
    expect(scenarios.map((row) => row.scenario)).not.toContain('lending.loan_receipt')
    expect(scenarios.length).toBeGreaterThan(5)
    expect(await usageOf(lib, 'ana-mum@example.org')).toBe('any')
  })

  test('filter names are matched as everywhere else: without regard to case or surrounding spaces', async () => {
    const { lib, admin } = await givenFamilies()
    await handle.db.insertInto('library_groups').values({ library_id: lib.id, name: 'Chess club' }).execute()

    const byUsername = await admin.send({ mode: 'guardians', filter: { usernames: ['ANA', ' Ben '] }, set: { overdue: 'off' } })
    const byLevel = await admin.send({ mode: 'guardians', filter: { academicLevels: ['year 3 '] }, set: { overdue: 'off' }, dryRun: false })
    const byGroup = await admin.send({ mode: 'guardians', filter: { groups: ['CHESS CLUB'] }, set: { overdue: 'off' } })

    expect(await byUsername.json()).toMatchObject({ contactsToChange: 2 })
    expect(await byLevel.json()).toMatchObject({ preferencesUpdated: 1 })
    expect(await byGroup.json()).toMatchObject({ contactsToChange: 0 })
    expect(await usageOf(lib, 'ana-mum@example.org')).toBe('custom')
    expect(await usageOf(lib, 'ben-mum@example.org')).toBe('any')
  })

  test('unknown usernames in the filter are named in a problem+json, and nothing changes', async () => {
    const { lib, admin } = await givenFamilies()
    const problem = await problemOf(await admin.send({ mode: 'guardians', filter: { usernames: ['ana', 'zed'] }, set: { overdue: 'off' }, dryRun: false }), 422)
    expect(problem).toMatchObject({
      type: 'urn:library-comms:problem:unknown-in-filter',
      errors: [{ pointer: '/filter/usernames', detail: 'No patron has the username "zed"' }],
    })
    expect(await usageOf(lib, 'ana-mum@example.org')).toBe('any')
  })

  test('a confirmation of a preview that no longer holds is a 409, and nothing changes', async () => {
    const { lib, admin } = await givenFamilies()
    const request = { mode: 'guardians', set: { overdue: 'off' } }
    const { batchId } = await (await admin.send({ ...request, dryRun: true })).json()
    await lib.contact(await lib.patron({ username: 'cy' }), { address: 'cy-dad@example.org', role: 'guardian' })
    const problem = await problemOf(await admin.send({ ...request, dryRun: false, batchId }), 409)
    expect(problem).toMatchObject({
      type: 'urn:library-comms:problem:preview-out-of-date',
      detail: 'Contacts changed since the preview: it would now change 3. Nothing was changed; preview again',
    })
    expect(await usageOf(lib, 'ana-mum@example.org')).toBe('any')
    // A batch id sent with another request than its preview's is refused on the field.
    const { batchId: fresh } = await (await admin.send({ ...request, dryRun: true })).json()
    expect(pointersOf(await problemOf(await admin.send({ ...request, set: { overdue: 'on' }, dryRun: false, batchId: fresh }), 422))).toEqual(['/batchId'])
  })

  test('a bad mode or setting is a 422 naming the field', async () => {
    const { admin } = await givenFamilies()
    const problem = await problemOf(await admin.send({ mode: 'parents', set: { overdue: 'maybe', passwordResets: 'off' } }), 422)
    expect(pointersOf(problem).sort()).toEqual(['/mode', '/set/overdue', '/set/passwordResets'])
  })

  test('a batchId past what the database numbers (2^31, 2^53) names no batch: a 422 on it, never a 500, and nothing changes', async () => {
    const { lib, admin } = await givenFamilies()
    const request = { mode: 'guardians', set: { overdue: 'off' }, dryRun: false }
    for (const batchId of [2_147_483_648, 9_007_199_254_740_991]) {
      expect(pointersOf(await problemOf(await admin.send({ ...request, batchId }), 422))).toEqual(['/batchId'])
    }
    expect(await usageOf(lib, 'ana-mum@example.org')).toBe('any')
  })

  test("a staff key is refused: it is the admin's batch", async () => {
    const { lib } = await givenFamilies()
    const problem = await problemOf(await lib.send('POST', '/api/v1/preferences/batch', { mode: 'guardians', set: { overdue: 'off' }, dryRun: false }), 403)
    expect(problem.type).toBe('urn:library-comms:problem:not-allowed')
    expect(await usageOf(lib, 'ana-mum@example.org')).toBe('any')
  })
})
