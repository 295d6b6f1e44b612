import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import { recallLoan } from '../../../src/domain/circulation/recall-loan.ts'
import { givenLibrary, staffActor, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'
import { plainRenderer } from '../../support/notice-renderer.ts'

let handle: DatabaseHandle
beforeAll(async () => (handle = await openTestDatabase()))
afterAll(async () => handle.close())

// The patron's card in Slack recalls a loan by our id, as the member who pressed the button.
describe('recalling a loan from Slack', () => {
  test('a staff member recalls a loan: the notice is queued at once, and the audit log names the member', async () => {
    const deps = { ...testDeps(handle), renderer: plainRenderer }
    const lib = await givenLibrary(deps)
    const pupil = await lib.patron({ username: 'asilva' })
    await lib.contact(pupil, { role: 'guardian', address: 'mum@example.org', addressee: 'Mrs Silva' })
    const loan = await lib.loan(pupil, { dueDate: '2026-03-24', title: 'Matilda', externalId: 'L1' })

    const result = await recallLoan(deps, { libraryId: lib.id, loan: { loanId: loan.id }, actor: staffActor('staff', 'slack:U0STAFF') })

    expect(result).toMatchObject({ ok: true, value: { result: 'updated', record: { id: 'L1' }, notice: { status: 'queued' } } })
    const messages = await handle.db.selectFrom('messages').where('library_id', '=', lib.id).select(['scenario', 'text', 'requested_by']).execute()
    expect(messages).toEqual([
      { scenario: 'circulation.recall', text: 'Dear Mrs Silva\nMatilda by A. Author, due Tuesday 24 March 2026', requested_by: 'slack:U0STAFF' },
    ])
    expect((await lib.auditActions()).map((entry) => [entry.action, entry.actor])).toEqual([['loan.recalled', 'slack:U0STAFF']])
  })

  test('a viewer may not recall: nothing changes, and the refusal names the permission', async () => {
    const deps = { ...testDeps(handle), renderer: plainRenderer }
    const lib = await givenLibrary(deps)
    const pupil = await lib.patron({ username: 'asilva' })
    const loan = await lib.loan(pupil, { dueDate: '2026-03-24' })

    const result = await recallLoan(deps, { libraryId: lib.id, loan: { loanId: loan.id }, actor: staffActor('viewer') })

    expect(result).toEqual({ ok: false, error: { code: 'not_allowed', permission: 'sendNotices', needed: 'staff', role: 'viewer' } })
    const stored = await handle.db.selectFrom('loans').where('id', '=', loan.id).select('recalled_at').executeTakeFirstOrThrow()
    expect(stored.recalled_at).toBeNull()
  })

  test('a loan of another library is no loan of this one', async () => {
    const deps = { ...testDeps(handle), renderer: plainRenderer }
    const lib = await givenLibrary(deps)
    const other = await givenLibrary(deps)
    const loan = await other.loan(await other.patron(), { dueDate: '2026-03-24' })

    const result = await recallLoan(deps, { libraryId: lib.id, loan: { loanId: loan.id }, actor: staffActor() })

    expect(result).toEqual({ ok: false, error: { code: 'loan_not_found', loanId: `#${loan.id}` } })
  })
})
