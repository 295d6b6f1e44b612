import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/database.ts'
import type { AppDeps } from '../../../src/domain/deps.ts'
import { previewTemplate } from '../../../src/domain/templates/preview-template.ts'
import { saveTemplate } from '../../../src/domain/templates/save-template.ts'
import { sendTestTemplate } from '../../../src/domain/templates/send-test-template.ts'
import { type GivenLibrary, givenLibrary, staffActor, testDeps } from '../../support/builders.ts'
import { openTestDatabase } from '../../support/database.ts'

// The clock of testDeps says 2026-03-10T09:00Z: the evening of 10 March in Sydney, the libraries' time zone.

let handle: DatabaseHandle
let deps: AppDeps
beforeAll(async () => {
  handle = await openTestDatabase()
  deps = testDeps(handle)
})
afterAll(async () => handle.close())

const admin = staffActor('admin', 'slack:UADMIN')

async function libraryWithOverdueLoans() {
  const lib = await givenLibrary(deps, { name: 'Riverside Library' })
  const ana = await lib.patron({ username: 'asilva', firstName: 'Ana', lastName: 'Silva' })
  await lib.contact(ana, { role: 'guardian', address: 'maria.silva@example.org', addressee: 'Mrs Silva', bcc: 'no' })
  await lib.loan(ana, { dueDate: '2026-03-01', title: 'Matilda', author: 'Roald Dahl', barcode: 'B1', checkedOutAt: '2026-02-15T01:00:00Z' })
  await lib.loan(ana, { dueDate: '2026-02-20', title: 'The Hobbit', author: 'J. R. R. Tolkien' })
  await lib.loan(ana, { dueDate: '2026-03-20', title: 'Not yet due' })
  await lib.loan(ana, { dueDate: '2026-02-01', title: 'Returned long ago', status: 'returned' })
  const ben = await lib.patron({ username: 'bjones', firstName: 'Ben', lastName: 'Jones' })
  await lib.loan(ben, { dueDate: '2026-03-08', title: 'Holes' })
  return { lib, ana, ben }
}

const preview = (lib: GivenLibrary, scenario: string, more: { username?: string; draft?: { subject: string; html: string; text: string } } = {}) =>
  previewTemplate(deps, { libraryId: lib.id, scenario, actor: admin, ...more })

async function previewed(lib: GivenLibrary, scenario: string, more: Parameters<typeof preview>[2] = {}) {
  const result = await preview(lib, scenario, more)
  if (!result.ok) throw new Error(`preview refused: ${JSON.stringify(result.error)}`)
  return result.value
}

describe('a preview renders the template with a real patron’s data', () => {
  test('without a username, the patron of the most overdue loan, with the loans the notice would list, most overdue first', async () => {
    const { lib } = await libraryWithOverdueLoans()

    const shown = await previewed(lib, 'circulation.overdue')

    expect(shown.source).toEqual({ kind: 'patron', username: 'asilva', fullName: 'Ana Silva' })
    expect(shown.recipients).toEqual([{ kind: 'to', address: 'maria.silva@example.org' }])
    expect(shown.email.subject).toBe('Overdue library books for Ana')
    expect(shown.email.text).toContain('Dear Mrs Silva,')
    expect(shown.email.text).toContain(
      '- The Hobbit, by J. R. R. Tolkien: was due back Friday 20 February 2026 (18 days overdue)\n- Matilda, by Roald Dahl: was due back Sunday 1 March 2026 (9 days overdue)\n\n',
    )
    expect(shown.email.text).not.toContain('Not yet due')
    expect(shown.email.text).not.toContain('Returned long ago')
  })

  test('a patron named by username, in any case', async () => {
    const { lib } = await libraryWithOverdueLoans()

    const shown = await previewed(lib, 'circulation.overdue', { username: ' BJones ' })

    expect(shown.source).toEqual({ kind: 'patron', username: 'bjones', fullName: 'Ben Jones' })
    expect(shown.email.text).toContain('Dear Ben,')
    expect(shown.email.text).toContain('- Holes, by A. Author: was due back Sunday 8 March 2026 (2 days overdue)')
  })

  test('a pre-overdue reminder shows the loans not yet due, soonest first', async () => {
    const { lib } = await libraryWithOverdueLoans()
    const shown = await previewed(lib, 'circulation.pre_overdue')
    expect(shown.email.text).toContain('- Not yet due, by A. Author: due back Friday 20 March 2026 (in 10 days)')
  })

  test('a named patron with nothing for this notice is shown with made-up loans, and the preview says so', async () => {
    const { lib } = await libraryWithOverdueLoans()
    await lib.patron({ username: 'cnew', firstName: 'Cara', lastName: 'New' })

    const shown = await previewed(lib, 'circulation.overdue', { username: 'cnew' })

    expect(shown.source).toEqual({ kind: 'patron_without_data', username: 'cnew', fullName: 'Cara New' })
    expect(shown.email.text).toContain('Dear Cara,')
    expect(shown.email.text).toContain('Charlotte’s Web')
  })

  test('an unknown username is said to be unknown', async () => {
    const { lib } = await libraryWithOverdueLoans()
    expect(await preview(lib, 'circulation.overdue', { username: 'nobody' })).toEqual({ ok: false, error: { code: 'patron_not_found', username: 'nobody' } })
  })

  test('a library with no data for the notice gets a made-up example, marked as such', async () => {
    const lib = await givenLibrary(deps, { name: 'Quiet Library' })
    const shown = await previewed(lib, 'circulation.escalation_2')
    expect(shown.source).toEqual({ kind: 'example' })
    expect(shown.recipients).toEqual([])
    expect(shown.email.text).toContain('Dear Mrs Example,')
    expect(shown.email.text).toContain('Quiet Library')
  })

  test('a reservation ready to collect shows the patron’s reservation and its pickup-by date', async () => {
    const lib = await givenLibrary(deps)
    const ana = await lib.patron({ username: 'asilva', firstName: 'Ana', lastName: 'Silva' })
    await lib.reservation(ana, { status: 'ready', pickupBy: '2026-03-14', title: 'Wonder' })
    await lib.reservation(ana, { status: 'placed', title: 'Only placed' })

    const shown = await previewed(lib, 'reservation.ready')

    expect(shown.source).toMatchObject({ kind: 'patron', username: 'asilva' })
    expect(shown.email.subject).toBe('Ready to collect: Wonder')
    expect(shown.email.text).toContain('Please collect it by Saturday 14 March 2026.')
  })

  test('a purchase order shows the latest order, its lines and its supplier', async () => {
    const lib = await givenLibrary(deps, { name: 'Riverside Library' })
    const supplier = await handle.db
      .insertInto('suppliers')
      .values({ library_id: lib.id, external_id: 'S1', name: 'Books & Co', email: 'orders@books.example' })
      .returning('id')
      .executeTakeFirstOrThrow()
    for (const [number, placedAt] of [
      ['PO-1', '2026-03-01T00:00:00Z'],
      ['PO-2', '2026-03-09T23:00:00Z'],
    ]) {
      const order = await handle.db
        .insertInto('purchase_orders')
        .values({ library_id: lib.id, external_id: number, supplier_id: supplier.id, placed_at: placedAt })
        .returning('id')
        .executeTakeFirstOrThrow()
      await handle.db
        .insertInto('order_lines')
        .values([
          { order_id: order.id, line_no: 1, title: `${number} first`, quantity: 3, details: sql`cast(${JSON.stringify({ isbn: '978-1' })}::text as jsonb)` },
          { order_id: order.id, line_no: 2, title: `${number} second`, quantity: 1 },
        ])
        .execute()
    }
    const draft = {
      subject: 'Order {{ order.number }}',
      html: '<p>{{ addressee }}</p>',
      text: '{{ order.placed_on_text }}\n{% for line in order.lines %}{{ line.line_no }} {{ line.title }} x{{ line.quantity }} {{ line.isbn }}\n{% endfor %}',
    }

    const shown = await previewed(lib, 'acquisitions.order', { draft })

    expect(shown.source).toEqual({ kind: 'order', number: 'PO-2', supplierName: 'Books & Co' })
    expect(shown.recipients).toEqual([{ kind: 'to', address: 'orders@books.example' }])
    expect(shown.email.subject).toBe('Order PO-2')
    expect(shown.email.html).toContain('<p>Books &amp; Co</p>')
    expect(shown.email.text).toBe('Tuesday 10 March 2026\n1 PO-2 first x3 978-1\n2 PO-2 second x1\n')
  })

  test('a password reset shows a real patron with an example link, never a real one', async () => {
    const lib = await givenLibrary(deps)
    await lib.patron({ username: 'asilva', firstName: 'Ana', lastName: 'Silva' })
    const shown = await previewed(lib, 'account.password_reset')
    expect(shown.source).toMatchObject({ kind: 'patron', username: 'asilva' })
    expect(shown.email.text).toContain('https://library.example.org/reset-password?example=1')
  })
})

describe('a draft', () => {
  test('is previewed as it is written, before it is saved', async () => {
    const { lib } = await libraryWithOverdueLoans()
    await saveTemplate(deps, { libraryId: lib.id, scenario: 'circulation.overdue', source: { subject: 'Saved', html: 'Saved', text: 'Saved' }, actor: admin })

    const draft = await previewed(lib, 'circulation.overdue', { draft: { subject: 'Draft for {{ patron.first_name }}', html: '<p>x</p>', text: 'x' } })
    const saved = await previewed(lib, 'circulation.overdue')

    expect(draft.email.subject).toBe('Draft for Ana')
    expect(saved.email.subject).toBe('Saved')
  })

  test('with a fault is refused with the fault, as saving would be', async () => {
    const { lib } = await libraryWithOverdueLoans()
    expect(await preview(lib, 'circulation.overdue', { draft: { subject: '{{ patron.nick }}', html: 'x', text: 'x' } })).toMatchObject({
      ok: false,
      error: { code: 'invalid_template', faults: [{ part: 'subject', line: 1, column: 4 }] },
    })
  })
})

test('a preview shows patrons’ data, so it takes the admin role that editing takes', async () => {
  const { lib } = await libraryWithOverdueLoans()
  expect(await previewTemplate(deps, { libraryId: lib.id, scenario: 'circulation.overdue', actor: staffActor('staff') })).toEqual({
    ok: false,
    error: { code: 'not_allowed', permission: 'editTemplates', needed: 'admin', role: 'staff' },
  })
})

describe('sending a test', () => {
  async function messagesOf(lib: GivenLibrary) {
    const messages = await handle.db
      .selectFrom('messages')
      .where('library_id', '=', lib.id)
      .select(['id', 'scenario', 'status', 'subject', 'text', 'patron_id', 'requested_by', 'dedupe_key'])
      .orderBy('id')
      .execute()
    const recipients = await handle.db
      .selectFrom('message_recipients')
      .where(
        'message_id',
        'in',
        messages.map((m) => m.id),
      )
      .select(['message_id', 'kind', 'address'])
      .execute()
    return messages.map((m) => ({ ...m, recipients: recipients.filter((r) => r.message_id === m.id).map((r) => `${r.kind} ${r.address}`) }))
  }

  test('queues one message, to the staff member’s own address only, marked as a test and naming no patron', async () => {
    const { lib } = await libraryWithOverdueLoans()

    const sent = await sendTestTemplate(deps, { libraryId: lib.id, scenario: 'circulation.overdue', to: 'librarian@school.example', actor: admin })

    expect(sent).toMatchObject({ ok: true, value: { to: 'librarian@school.example', preview: { source: { username: 'asilva' } } } })
    const [message] = await messagesOf(lib)
    expect(await messagesOf(lib)).toHaveLength(1)
    expect(message).toMatchObject({
      scenario: 'circulation.overdue',
      status: 'queued',
      subject: '[Test] Overdue library books for Ana',
      patron_id: null,
      requested_by: 'slack:UADMIN',
      recipients: ['to librarian@school.example'],
    })
    expect(message.text).toContain('The Hobbit')
    expect(sent.ok && sent.value.messageId).toBe(message.id)
    expect(await handle.db.selectFrom('notice_sends').where('library_id', '=', lib.id).selectAll().execute()).toEqual([])
  })

  test('each test is a message of its own', async () => {
    const { lib } = await libraryWithOverdueLoans()
    const input = { libraryId: lib.id, scenario: 'circulation.overdue', to: 'librarian@school.example', actor: admin }
    await sendTestTemplate(deps, input)
    await sendTestTemplate(deps, input)
    const messages = await messagesOf(lib)
    expect(messages).toHaveLength(2)
    expect(new Set(messages.map((m) => m.dedupe_key)).size).toBe(2)
  })

  test('a draft is sent as it is written; a draft with a fault, or no address, sends nothing', async () => {
    const { lib } = await libraryWithOverdueLoans()
    const base = { libraryId: lib.id, scenario: 'circulation.overdue', actor: admin }

    await sendTestTemplate(deps, { ...base, to: 'me@school.example', draft: { subject: 'Draft {{ loans.size }}', html: '<p>x</p>', text: 'x' } })
    const broken = await sendTestTemplate(deps, { ...base, to: 'me@school.example', draft: { subject: '{% if %}', html: 'x', text: 'x' } })
    const nowhere = await sendTestTemplate(deps, { ...base, to: 'not an address' })
    const refused = await sendTestTemplate(deps, { ...base, to: 'me@school.example', actor: staffActor('staff') })

    expect((await messagesOf(lib)).map((m) => m.subject)).toEqual(['[Test] Draft 2'])
    expect(broken).toMatchObject({ ok: false, error: { code: 'invalid_template' } })
    expect(nowhere).toEqual({ ok: false, error: { code: 'invalid_address', address: 'not an address' } })
    expect(refused).toMatchObject({ ok: false, error: { code: 'not_allowed' } })
  })
})
