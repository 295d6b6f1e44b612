import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../src/db/database.ts'
import { runNightlyTick, startNightlySchedule } from '../../src/jobs/nightly.ts'
import { capturedLog } from '../bot/captured-log.ts'
import { fixedClock, type GivenLibrary, givenLibrary, testDeps } from '../support/builders.ts'
import { openTestDatabase } from '../support/database.ts'
import { emailsOut, listingRender, setScenario } from '../support/nights.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

/**
 * An instance of the service's schedule on a clock the test moves: each `at` is one minute's
 * tick at that instant. Other tests' libraries may be due at the same instants; each test looks
 * at its own library only.
 */
function givenSchedule() {
  const clock = fixedClock()
  const log = capturedLog()
  const reports: string[] = []
  const deps = testDeps(handle, { clock, logger: log.logger })
  const options = { render: listingRender, report: async (_: unknown, text: string) => void reports.push(text) }
  return {
    deps,
    clock,
    options,
    reports,
    log,
    async at(instant: string) {
      clock.set(instant)
      await runNightlyTick(deps, options)
    },
  }
}

/** A library in `timeZone` starting its night at `runAt`, sending overdue notices daily, and a pupil with a loan due `dueDate`. */
async function givenLibraryIn(timeZone: string, runAt: string, dueDate = '2026-03-01') {
  const lib = await givenLibrary(testDeps(handle), { timeZone })
  await handle.db.updateTable('libraries').set({ run_at: runAt, slack_channel: 'C0NOTICES' }).where('id', '=', lib.id).execute()
  await setScenario(handle.db, lib.id, 'circulation.overdue', { frequency: { every: 'day' } })
  const ana = await lib.patron({ username: 'ana' })
  await lib.contact(ana, { address: 'mum@example.org' })
  await lib.loan(ana, { dueDate, title: 'Dracula' })
  return lib
}

const libraryName = async (lib: GivenLibrary) =>
  (await handle.db.selectFrom('libraries').select('name').where('id', '=', lib.id).executeTakeFirstOrThrow()).name

const nightsRun = async (lib: GivenLibrary) =>
  (await handle.db.selectFrom('job_runs').select('as_of').where('library_id', '=', lib.id).orderBy('id').execute()).map((run) => run.as_of)

describe('the nightly run fires at the start time in the library’s time zone', () => {
  test('in Sydney, where 2 am on 10 March is still 9 March in UTC', async () => {
    const schedule = givenSchedule()
    const lib = await givenLibraryIn('Australia/Sydney', '02:00', '2026-03-09')

    await schedule.at('2026-03-09T14:59:00Z')
    const before = await nightsRun(lib)
    await schedule.at('2026-03-09T15:00:00Z')
    await schedule.at('2026-03-09T15:01:00Z')

    expect(before).toEqual([])
    expect(await nightsRun(lib)).toEqual(['2026-03-10'])
    expect(await emailsOut(handle.db, lib.id)).toEqual(['overdue for ana: to mum@example.org | Dracula +1'])
    const line = `Night of 2026-03-10 for ${await libraryName(lib)}: 1 queued (Overdue notice 1)`
    expect(schedule.reports).toContain(line)
    expect(schedule.log.lines().filter((l) => l.libraryId === lib.id)).toEqual([expect.objectContaining({ level: 30, msg: line, asOf: '2026-03-10' })])
    // No personal data in the log: no username, address or title.
    expect(schedule.log.raw()).not.toMatch(/ana|mum@|Dracula/)
  })

  test('a start time that the spring-forward skips runs at the first minute after it', async () => {
    const schedule = givenSchedule()
    // New York, 8 March 2026: 2:00 EST becomes 3:00 EDT; 2:30 never comes.
    const lib = await givenLibraryIn('America/New_York', '02:30')

    await schedule.at('2026-03-08T06:59:00Z')
    const before = await nightsRun(lib)
    await schedule.at('2026-03-08T07:00:00Z')

    expect(before).toEqual([])
    expect(await nightsRun(lib)).toEqual(['2026-03-08'])
  })

  test('a start time that the autumn night repeats runs once', async () => {
    const schedule = givenSchedule()
    // London, 25 October 2026: 1:30 comes at 00:30 UTC (BST), and again at 01:30 UTC (GMT).
    const lib = await givenLibraryIn('Europe/London', '01:30')

    await schedule.at('2026-10-25T00:29:00Z')
    await schedule.at('2026-10-25T00:30:00Z')
    await schedule.at('2026-10-25T01:30:00Z')

    expect(await nightsRun(lib)).toEqual(['2026-10-25'])
    expect(await emailsOut(handle.db, lib.id)).toHaveLength(1)
  })

  test('a change of start time takes effect at the next tick, without a restart', async () => {
    const schedule = givenSchedule()
    const lib = await givenLibraryIn('Australia/Sydney', '05:00')

    await schedule.at('2026-03-09T16:30:00Z') // 3:30 in Sydney
    const before = await nightsRun(lib)
    await handle.db.updateTable('libraries').set({ run_at: '03:00' }).where('id', '=', lib.id).execute()
    await schedule.at('2026-03-09T16:31:00Z')

    expect(before).toEqual([])
    expect(await nightsRun(lib)).toEqual(['2026-03-10'])
  })
})

describe('after downtime, and with several instances', () => {
  test('at start, the night whose time has passed is run once: one notice, not one per missed night', async () => {
    const schedule = givenSchedule()
    const lib = await givenLibraryIn('Australia/Sydney', '02:00', '2026-03-01')
    // The service was down from 2 to 5 March; it starts at 11:00 on the 6th, Sydney time.
    schedule.clock.set('2026-03-06T00:00:00Z')

    const started = startNightlySchedule(schedule.deps, schedule.options)
    await started.started
    await started.stop()

    expect(await nightsRun(lib)).toEqual(['2026-03-06'])
    expect(await emailsOut(handle.db, lib.id)).toEqual(['overdue for ana: to mum@example.org | Dracula +5'])
  })

  test('started before the night’s time, it waits for it: yesterday is not replayed', async () => {
    const schedule = givenSchedule()
    const lib = await givenLibraryIn('Australia/Sydney', '02:00', '2026-03-01')

    await schedule.at('2026-03-05T14:00:00Z') // 1:00 on the 6th in Sydney
    const before = await nightsRun(lib)
    await schedule.at('2026-03-05T15:00:00Z')

    expect(before).toEqual([])
    expect(await nightsRun(lib)).toEqual(['2026-03-06'])
  })

  test('two instances tick at the same minute: one runs the night, the other finds it done', async () => {
    const one = givenSchedule()
    const other = givenSchedule()
    const lib = await givenLibraryIn('Australia/Sydney', '02:00', '2026-03-01')
    one.clock.set('2026-03-06T00:00:00Z')
    other.clock.set('2026-03-06T00:00:00Z')

    await Promise.all([runNightlyTick(one.deps, one.options), runNightlyTick(other.deps, other.options)])

    expect(await nightsRun(lib)).toEqual(['2026-03-06'])
    expect(await emailsOut(handle.db, lib.id)).toHaveLength(1)
    const name = await libraryName(lib)
    expect([...one.reports, ...other.reports].filter((text) => text.includes(name))).toEqual([`Night of 2026-03-06 for ${name}: 1 queued (Overdue notice 1)`])
  })
})
