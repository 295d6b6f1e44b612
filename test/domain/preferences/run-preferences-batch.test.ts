import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { systemClock } from '../../../src/domain/deps.ts'
import { noticeGroups } from '../../../src/domain/preferences/groups.ts'
import type { PreferencesBatchAsked } from '../../../src/domain/preferences/preferences-batch.ts'
import { runPreferencesBatch } from '../../../src/domain/preferences/run-preferences-batch.ts'
import { contactScenarioNames } from '../../../src/domain/scenarios/catalogue.ts'
import { type GivenLibrary, givenLibrary, staffActor, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

const admin = staffActor('admin', 'slack:UADMIN')
const scenariosOf = (group: string): string[] => [...noticeGroups.find((g) => g.name === group)!.scenarios]
const everyBut = (...groups: string[]) => contactScenarioNames.filter((s) => !groups.flatMap(scenariosOf).includes(s)).sort()

async function run(lib: GivenLibrary, asked: Partial<PreferencesBatchAsked & { dryRun: boolean; batchId: number }>, actor = admin) {
  const { dryRun = false, batchId, ...request } = asked
  return runPreferencesBatch(
    { db: handle.db, clock: systemClock },
    { libraryId: lib.id, actor, request: { mode: 'guardians', set: {}, overwriteRecipientChoices: false, ...request }, dryRun, batchId },
  )
}

const preferencesOf = (lib: GivenLibrary) => lib.preferences()

/** A small library: two pupils in two levels and groups, each with a guardian, themself and a teacher. */
async function givenSmallLibrary() {
  const lib = await givenLibrary(testDeps(handle))
  const ana = await lib.patron({ username: 'ana', level: 'Year 3', groups: ['Chess club'] })
  const ben = await lib.patron({ username: 'ben', level: 'Year 5', groups: ['Choir'] })
  for (const [pupil, name] of [
    [ana, 'ana'],
    [ben, 'ben'],
  ] as const) {
    await lib.contact(pupil, { address: `${name}-mum@example.org`, role: 'guardian' })
    await lib.contact(pupil, { address: `${name}@school.example`, role: 'patron' })
    await lib.contact(pupil, { address: `${name}-teacher@school.example`, role: 'other' })
  }
  return { lib, ana, ben }
}

describe('each mode with each filter changes only the contacts it selects', () => {
  const modes = [
    ['guardians', 'mum@example.org'],
    ['patrons', '@school.example'],
    ['others', 'teacher@school.example'],
  ] as const
  const filters = [
    ['academic levels', { academicLevels: ['Year 3'] }],
    ['library groups', { groups: ['Chess club'] }],
    ['usernames', { usernames: ['ana'] }],
  ] as const
  for (const [mode, suffix] of modes) {
    for (const [filterName, filter] of filters) {
      test(`${mode}, filtered by ${filterName}: only Ana's ${mode} stop overdue notices`, async () => {
        const { lib } = await givenSmallLibrary()

        const result = await run(lib, { mode, filter, set: { overdue: 'off' } })

        expect(result).toMatchObject({
          ok: true,
          value: { contactsToChange: 1, skippedNoAddress: 0, recipientChoicesOverwritten: 0, recipientChoicesKept: 0, preferencesUpdated: 1 },
        })
        const after = await preferencesOf(lib)
        for (const [address, preference] of Object.entries(after)) {
          const chosen = address.startsWith('ana') && address.endsWith(suffix) && !(mode === 'patrons' && address.includes('teacher'))
          expect(preference, address).toEqual(chosen ? { usage: 'custom', scenarios: everyBut('overdue') } : { usage: 'any', scenarios: [] })
        }
      })
    }
    test(`${mode} without a filter: everyone's ${mode}`, async () => {
      const { lib } = await givenSmallLibrary()
      const result = await run(lib, { mode, set: { loan_receipts: 'off' } })
      expect(result.ok && result.value.preferencesUpdated).toBe(2)
    })
  }
})

describe('On, Off and No change for every group', () => {
  for (const group of noticeGroups) {
    const key = group.name
    test(`${group.title}: Off on "any" leaves every other scenario; On brings it back to "any"`, async () => {
      const { lib } = await givenSmallLibrary()

      await run(lib, { set: { [key]: 'off' } })
      expect((await preferencesOf(lib))['ana-mum@example.org']).toEqual({ usage: 'custom', scenarios: everyBut(group.name) })

      await run(lib, { set: { [key]: 'on' } })
      expect((await preferencesOf(lib))['ana-mum@example.org']).toEqual({ usage: 'any', scenarios: [] })
    })

    test(`${group.title}: On adds its scenarios to a custom contact; No change leaves it`, async () => {
      const lib = await givenLibrary(testDeps(handle))
      const ana = await lib.patron({ username: 'ana' })
      await lib.contact(ana, { address: 'mum@example.org', usage: 'custom', scenarios: ['account.password_reset'] })

      const unchanged = await run(lib, { set: { [key]: 'no_change' } })
      expect(unchanged.ok && unchanged.value.contactsToChange).toBe(0)

      await run(lib, { set: { [key]: 'on' } })
      expect((await preferencesOf(lib))['mum@example.org']).toEqual({ usage: 'custom', scenarios: ['account.password_reset', ...group.scenarios].sort() })
    })
  }

  test('a contact left with every scenario goes back to "any"', async () => {
    const lib = await givenLibrary(testDeps(handle))
    const ana = await lib.patron({ username: 'ana' })
    await lib.contact(ana, { address: 'mum@example.org', usage: 'custom', scenarios: everyBut('recalls', 'reservations') })

    await run(lib, { set: { recalls: 'on', reservations: 'on', overdue: 'no_change' } })

    expect((await preferencesOf(lib))['mum@example.org']).toEqual({ usage: 'any', scenarios: [] })
  })

  test('On makes a record-keeping-only contact custom with that group; Off leaves it as it is', async () => {
    const lib = await givenLibrary(testDeps(handle))
    const ana = await lib.patron({ username: 'ana' })
    await lib.contact(ana, { address: 'mum@example.org', usage: 'none' })
    await lib.contact(ana, { address: 'dad@example.org', usage: 'none' })

    const off = await run(lib, { set: { overdue: 'off' } })
    expect(off.ok && off.value.contactsToChange).toBe(0)
    await run(lib, { filter: { usernames: ['ana'] }, set: { recalls: 'on' } })

    expect(await preferencesOf(lib)).toEqual({
      'mum@example.org': { usage: 'custom', scenarios: ['circulation.recall'] },
      'dad@example.org': { usage: 'custom', scenarios: ['circulation.recall'] },
    })
  })
})

describe('what the preview says is what the apply does', () => {
  test('a dry run changes nothing and counts what the apply then changes', async () => {
    const { lib } = await givenSmallLibrary()
    const before = await preferencesOf(lib)

    const preview = await run(lib, { set: { overdue: 'off', recalls: 'on' }, dryRun: true })
    expect(await preferencesOf(lib)).toEqual(before)
    const applied = await run(lib, { set: { overdue: 'off', recalls: 'on' } })

    expect(preview.ok && applied.ok).toBe(true)
    if (!preview.ok || !applied.ok) return
    expect(preview.value).toEqual({ ...applied.value, preferencesUpdated: 0, batchId: preview.value.batchId })
    expect(applied.value.preferencesUpdated).toBe(applied.value.contactsToChange)
    expect(applied.value.contactsToChange).toBe(2)
  })

  test('the apply is audited with who asked and the counts; a dry run is not', async () => {
    const { lib } = await givenSmallLibrary()
    await run(lib, { set: { overdue: 'off' }, dryRun: true })
    await run(lib, { set: { overdue: 'off' } })

    const audit = await lib.auditActions()
    expect(audit.map((entry) => [entry.action, entry.actor])).toEqual([['preferences.batch_applied', 'slack:UADMIN']])
    expect(audit[0].details).toMatchObject({ mode: 'guardians', contactsToChange: 2, preferencesUpdated: 2, set: { overdue: 'off' } })
  })
})

describe("the families' own choices", () => {
  async function givenMumWhoStoppedRecalls() {
    const lib = await givenLibrary(testDeps(handle))
    const ana = await lib.patron({ username: 'ana' })
    const mum = await lib.contact(ana, { address: 'mum@example.org', usage: 'custom', scenarios: ['circulation.overdue'] })
    await handle.db.insertInto('recipient_choices').values({ contact_id: mum, notice_group: 'recalls', stopped: true }).execute()
    return { lib, mum }
  }
  const choicesOf = (contactId: number) =>
    handle.db.selectFrom('recipient_choices').where('contact_id', '=', contactId).select(['notice_group', 'stopped']).execute()

  test('a stop the recipient chose is kept, and counted, unless overwrite is ticked', async () => {
    const { lib, mum } = await givenMumWhoStoppedRecalls()

    const result = await run(lib, { set: { recalls: 'on' } })

    expect(result.ok && result.value).toMatchObject({ contactsToChange: 0, recipientChoicesKept: 1, recipientChoicesOverwritten: 0 })
    expect((await preferencesOf(lib))['mum@example.org']).toEqual({ usage: 'custom', scenarios: ['circulation.overdue'] })
    expect(await choicesOf(mum)).toEqual([{ notice_group: 'recalls', stopped: true }])
  })

  test('with overwrite ticked the choice goes and the group is on', async () => {
    const { lib, mum } = await givenMumWhoStoppedRecalls()

    const preview = await run(lib, { set: { recalls: 'on' }, overwriteRecipientChoices: true, dryRun: true })
    const result = await run(lib, { set: { recalls: 'on' }, overwriteRecipientChoices: true })

    expect(preview.ok && preview.value).toMatchObject({ contactsToChange: 1, recipientChoicesOverwritten: 1 })
    expect(result.ok && result.value).toMatchObject({ contactsToChange: 1, recipientChoicesOverwritten: 1, preferencesUpdated: 1 })
    expect((await preferencesOf(lib))['mum@example.org']).toEqual({ usage: 'custom', scenarios: ['circulation.overdue', 'circulation.recall'] })
    expect(await choicesOf(mum)).toEqual([])
  })
})

test('contacts without a usable email address are skipped, counted and untouched', async () => {
  const lib = await givenLibrary(testDeps(handle))
  const ana = await lib.patron({ username: 'ana' })
  await lib.contact(ana, { address: '+61 400 000 000', type: 'phone' })
  await lib.contact(ana, { address: 'bounced@example.org' })
  await lib.contact(ana, { address: 'mum@example.org' })
  await handle.db
    .insertInto('blacklist')
    .values({ address_key: 'bounced@example.org', address: 'bounced@example.org', reason: 'bounce', source: 'ses', library_id: lib.id } as never)
    .execute()

  const result = await run(lib, { set: { overdue: 'off' } })

  expect(result.ok && result.value).toMatchObject({ contactsToChange: 1, skippedNoAddress: 2, preferencesUpdated: 1 })
  const after = await preferencesOf(lib)
  expect(after['+61 400 000 000']).toEqual({ usage: 'any', scenarios: [] })
  expect(after['bounced@example.org']).toEqual({ usage: 'any', scenarios: [] })
  expect(after['mum@example.org'].usage).toBe('custom')
})

test('unknown usernames, levels or groups in the filter are named, and nothing changes', async () => {
  const { lib } = await givenSmallLibrary()
  expect(await run(lib, { filter: { usernames: ['ana', 'zed', 'yan'] }, set: { overdue: 'off' } })).toEqual({
    ok: false,
    error: { code: 'unknown_in_filter', field: 'usernames', values: ['zed', 'yan'] },
  })
  expect(await run(lib, { filter: { groups: ['Knitting'] }, set: { overdue: 'off' } })).toMatchObject({ error: { field: 'groups', values: ['Knitting'] } })
  expect(Object.values(await preferencesOf(lib)).every((p) => p.usage === 'any')).toBe(true)
})

test('staff and viewers are refused: the batch is for admins', async () => {
  const { lib } = await givenSmallLibrary()
  for (const role of ['staff', 'viewer', null] as const) {
    const result = await run(lib, { set: { overdue: 'off' } }, staffActor(role))
    expect(result).toMatchObject({ ok: false, error: { code: 'not_allowed', permission: 'runPreferencesBatch' } })
  }
  expect(Object.values(await preferencesOf(lib)).every((p) => p.usage === 'any')).toBe(true)
})

test('On for a contact that receives everything already changes nothing', async () => {
  const { lib } = await givenSmallLibrary()
  const result = await run(lib, { mode: 'others', set: { overdue: 'on', recalls: 'on', reservations: 'on', loan_receipts: 'on' } })
  expect(result.ok && result.value).toMatchObject({ contactsToChange: 0, preferencesUpdated: 0 })
})

test('a confirmation applies what its preview showed, or says the contacts changed meanwhile', async () => {
  const { lib, ana } = await givenSmallLibrary()
  const request = { set: { overdue: 'off' as const } }
  const preview = await run(lib, { ...request, dryRun: true })
  if (!preview.ok) throw new Error(preview.error.code)
  await lib.contact(ana, { address: 'ana-dad@example.org', role: 'guardian' })

  const stale = await run(lib, { ...request, batchId: preview.value.batchId })
  expect(stale).toEqual({ ok: false, error: { code: 'preview_out_of_date', contactsToChange: 3 } })
  expect((await preferencesOf(lib))['ana-mum@example.org'].usage).toBe('any')
  // The stale preview is closed: confirming it again is refused too.
  expect(await run(lib, { ...request, batchId: preview.value.batchId })).toMatchObject({ ok: false, error: { code: 'batch_not_ready', status: 'invalid' } })

  const again = await run(lib, { ...request, dryRun: true })
  if (!again.ok) throw new Error(again.error.code)
  // A confirmation names its preview and asks the same: another request is refused.
  expect(await run(lib, { set: { overdue: 'on' }, batchId: again.value.batchId })).toMatchObject({ ok: false, error: { code: 'batch_request_differs' } })
  const confirmed = await run(lib, { ...request, batchId: again.value.batchId })
  expect(confirmed.ok && confirmed.value.preferencesUpdated).toBe(3)
  expect(await run(lib, { ...request, batchId: again.value.batchId })).toMatchObject({ ok: false, error: { code: 'batch_not_ready', status: 'applied' } })
})

test('a preview left a day unconfirmed expires and changes nothing', async () => {
  const { lib } = await givenSmallLibrary()
  const request = { set: { overdue: 'off' as const } }
  const preview = await run(lib, { ...request, dryRun: true })
  if (!preview.ok) throw new Error(preview.error.code)
  const tomorrow = { now: () => new Date(Date.now() + 24 * 60 * 60_000 + 1_000) }
  const late = await runPreferencesBatch(
    { db: handle.db, clock: tomorrow },
    {
      libraryId: lib.id,
      actor: admin,
      request: { mode: 'guardians', ...request, overwriteRecipientChoices: false },
      dryRun: false,
      batchId: preview.value.batchId,
    },
  )
  expect(late).toMatchObject({ ok: false, error: { code: 'batch_not_ready', status: 'expired' } })
  expect(Object.values(await preferencesOf(lib)).every((p) => p.usage === 'any')).toBe(true)
})

test('two admins applying at once: one applies, the other is refused and changes nothing', async () => {
  const { lib } = await givenSmallLibrary()
  const [first, second] = await Promise.all([run(lib, { set: { overdue: 'off' } }), run(lib, { set: { overdue: 'off' } })])
  const [applied, refused] = first.ok ? [first, second] : [second, first]
  expect(applied.ok && applied.value.preferencesUpdated).toBe(2)
  // Refused while the other applies (its lock is held), or because its preview no longer holds once it has.
  expect(refused.ok ? String(refused.value.preferencesUpdated) : refused.error.code).toMatch(/^(batch_running|batch_not_ready|preview_out_of_date|0)$/)
})
