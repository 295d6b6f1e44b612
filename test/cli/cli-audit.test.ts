import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { givenAuditEntry } from '../support/audit.ts'
import { givenLibrary } from '../support/builders.ts'
import { testDatabaseKind } from '../support/database.ts'
import { type Deployment, startDeployment } from './deployment.ts'

let deployment: Deployment
const cli = (...args: string[]) => deployment.cli(...args)
let teamCounter = 0
const newTeamId = () => `T0AUD${process.pid}X${++teamCounter}`

beforeAll(async () => {
  deployment = await startDeployment()
})
afterAll(async () => {
  await deployment?.stop()
})

/** A school in London (UTC+0 in winter, +1 from 29 March 2026) whose pupil's guardian was changed. */
async function givenLondonLibraryWithHistory() {
  const lib = await givenLibrary(deployment.deps, { timeZone: 'Europe/London' })
  const ana = await lib.patron({ username: 'asilva' })
  const entry = (at: string, actor: string, action: string, more: { subjectType: string; subjectId: string; patronId?: number; approver?: string }) =>
    givenAuditEntry(deployment.deps.db, { libraryId: lib.id, at, actor, action, ...more })
  await entry('2026-03-27T09:00:00Z', 'api-key:4', 'contact.added', { subjectType: 'contact', subjectId: '41', patronId: ana.id })
  await entry('2026-03-28T23:30:00Z', 'slack:UANNA', 'contacts.imported', { subjectType: 'import', subjectId: '7', approver: 'slack:UHEAD' })
  await entry('2026-03-30T08:15:00Z', 'slack:UANNA', 'contact.updated', { subjectType: 'contact', subjectId: '41', patronId: ana.id })
  return lib
}

describe(`library-comms audit on the ${testDatabaseKind} database`, () => {
  test("prints the log newest first as a table, in the library's time zone, with who approved what", async () => {
    const lib = await givenLondonLibraryWithHistory()

    const shown = await cli('audit', '--library', String(lib.id))

    expect(shown).toMatchObject({ exitCode: 0, stderr: '' })
    expect(shown.stdout.split('\n').map((line) => line.trimEnd())).toEqual([
      'at (Europe/London)   actor                                 action             subject     patron',
      '2026-03-30 09:15:00  slack:UANNA                           contact.updated    contact 41  asilva',
      '2026-03-28 23:30:00  slack:UANNA, approved by slack:UHEAD  contacts.imported  import 7    -',
      '2026-03-27 09:00:00  api-key:4                             contact.added      contact 41  asilva',
      '',
    ])
  })

  test('filters by days, patron and kind of action, and --json gives the entries as the API does', async () => {
    const lib = await givenLondonLibraryWithHistory()

    const shown = await cli(
      'audit',
      '--library',
      String(lib.id),
      '--from',
      '2026-03-28',
      '--to',
      '2026-03-30',
      '--patron',
      'ASILVA',
      '--action',
      'contact.',
      '--json',
    )

    expect(shown.exitCode).toBe(0)
    const page = JSON.parse(shown.stdout)
    expect(page).toEqual({
      entries: [
        {
          id: expect.any(String),
          at: '2026-03-30T08:15:00.000Z',
          actor: 'slack:UANNA',
          approver: null,
          action: 'contact.updated',
          subjectType: 'contact',
          subjectId: '41',
          patron: 'asilva',
          before: null,
          after: null,
          details: null,
        },
      ],
      nextCursor: null,
    })
  })

  test('a long log is shown a page at a time, and stderr says how to see the older entries', async () => {
    const lib = await givenLondonLibraryWithHistory()

    const newest = await cli('audit', '--library', String(lib.id), '--limit', '2')
    const cursor = /--cursor (\S+)/.exec(newest.stderr)?.[1]
    const older = await cli('audit', '--library', String(lib.id), '--limit', '2', '--cursor', cursor ?? '')

    expect(
      newest.stdout
        .split('\n')
        .slice(1, -1)
        .map((line) => line.split(/\s{2,}/)[2]),
    ).toEqual(['contact.updated', 'contacts.imported'])
    expect(newest.stderr).toMatch(/^library-comms: older entries follow: add --cursor \S+ for the next 2\n$/)
    expect(
      older.stdout
        .split('\n')
        .slice(1, -1)
        .map((line) => line.split(/\s{2,}/)[2]),
    ).toEqual(['contact.added'])
    expect(older.stderr).toBe('')
  })

  test('filters that cannot be used are refused with exit code 2, each named', async () => {
    const lib = await givenLondonLibraryWithHistory()

    const refused = await cli('audit', '--library', String(lib.id), '--from', 'yesterday', '--limit', '0', '--patron', 'asilva')
    const notANumber = await cli('audit', '--library', String(lib.id), '--limit', 'ten')
    const unknownPatron = await cli('audit', '--library', String(lib.id), '--patron', 'zsmith')

    expect(refused).toMatchObject({ exitCode: 2, stdout: '' })
    expect(refused.stderr).toBe(
      'library-comms: --from: "yesterday" is not a date such as 2026-03-01, nor an instant such as 2026-03-01T08:00:00Z\n' +
        'library-comms: --limit: give a whole number from 1 to 500\n',
    )
    expect(notANumber).toMatchObject({ exitCode: 2, stderr: 'library-comms: --limit: "ten" is not valid; expected a whole number from 1 to 500\n' })
    expect(unknownPatron).toMatchObject({ exitCode: 2, stderr: 'library-comms: --patron: no patron with username "zsmith" in this library\n' })
  })

  test('with several libraries, --library is needed; one that does not exist is refused', async () => {
    await givenLibrary(deployment.deps)
    await givenLibrary(deployment.deps)

    const unnamed = await cli('audit')
    const unknown = await cli('audit', '--library', '999999')

    expect(unnamed.exitCode).toBe(2)
    expect(unnamed.stderr).toMatch(/--library: this deployment has \d+ libraries; name one/)
    expect(unknown).toMatchObject({ exitCode: 2, stderr: 'library-comms: --library: there is no library 999999 (see library-comms library list)\n' })
  })
})

describe('library-comms audit in a deployment of one library', () => {
  let single: Deployment
  beforeAll(async () => {
    single = await startDeployment()
  })
  afterAll(async () => {
    await single?.stop()
  })

  test('--library may be left out: the one library is shown', async () => {
    const added = await single.cli('library', 'add', '--name', 'Hillside', '--slack-team', newTeamId(), '--time-zone', 'Australia/Sydney')
    await single.cli('staff', 'add', '--library', added.stdout.trim(), '--user', 'U0ALICE', '--role', 'admin')

    const shown = await single.cli('audit')

    expect(shown.exitCode).toBe(0)
    expect(shown.stdout).toMatch(/^at \(Australia\/Sydney\)\s+actor\s+action\s+subject\s+patron\n/)
    expect(
      shown.stdout
        .split('\n')
        .slice(1, -1)
        .map((line) => line.split(/\s{2,}/).slice(1)),
    ).toEqual([
      ['cli', 'staff.added', 'staff U0ALICE', '-'],
      ['cli', 'library.added', `library ${added.stdout.trim()}`, '-'],
    ])
  })
})
