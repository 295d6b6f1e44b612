import { describe, expect, test } from 'vitest'
import { scenarioNames } from '../../../src/domain/scenarios/catalogue.ts'
import type { NoticeContext } from '../../../src/domain/templates/context.ts'
import { defaultTemplates } from '../../../src/domain/templates/defaults.ts'
import { exampleContext } from '../../../src/domain/templates/example-context.ts'
import { compileTemplate } from '../../../src/domain/templates/render.ts'

// The templates every library starts with: they must render whatever the notice holds, and read
// well to a parent, a student or a supplier as they are.

const library = { libraryName: 'Riverside School Library', today: '2026-03-10' }
const rendered = (scenario: (typeof scenarioNames)[number], patch: Partial<NoticeContext> = {}) =>
  compileTemplate(defaultTemplates[scenario]).render({ ...exampleContext(scenario, library), ...patch })

describe.each(scenarioNames)('the default template of %s', (scenario) => {
  test('renders a full notice and one with empty lists, without error or leftover Liquid', () => {
    const full = exampleContext(scenario, library)
    const empty: NoticeContext = { ...full, ...(full.loans && { loans: [] }), ...(full.order && { order: { ...full.order, lines: [] } }) }
    for (const context of [full, empty]) {
      const email = compileTemplate(defaultTemplates[scenario]).render(context)
      for (const part of [email.subject, email.html, email.text]) {
        expect(part).not.toMatch(/\{\{|\{%|%\}|\}\}|undefined|\[object/)
      }
      expect(email.subject).not.toBe('')
      expect(email.text).toContain('Riverside School Library')
    }
  })

  test('greets its reader, and has simple HTML with no images, scripts or outside resources', () => {
    const email = rendered(scenario)
    const greeting = scenario === 'acquisitions.order' ? 'Dear Example Books Ltd,' : 'Dear Mrs Example,'
    expect(email.text.startsWith(greeting)).toBe(true)
    expect(email.html).toContain(`<p>${greeting}</p>`)
    expect(email.html).not.toMatch(/<img|<script|<link|<iframe|url\(|src=/i)
    for (const part of ['html', 'text'] as const) expect(defaultTemplates[scenario][part].length).toBeLessThanOrEqual(3000)
  })
})

test('circulation notices list every loan with its title, author and due date written out', () => {
  const email = rendered('circulation.overdue')
  expect(email.text).toContain('- Charlotte’s Web, by E. B. White: was due back Tuesday 17 February 2026 (21 days overdue)')
  expect(email.text).toContain('- Matilda, by Roald Dahl: was due back Sunday 1 March 2026 (9 days overdue)')
  expect(email.html).toContain('<th scope="col" align="left" style="border-bottom:2px solid #999">Title</th>')
  expect(email.html).toContain('<strong>Charlotte’s Web</strong><br>E. B. White</td>')
  expect(email.html).toContain('Tuesday 17 February 2026<br>21 days overdue')

  const reminder = rendered('circulation.pre_overdue')
  expect(reminder.text).toContain('- Matilda, by Roald Dahl: due back Friday 13 March 2026 (in 3 days)')
  expect(reminder.subject).toBe('Reminder: library books are due back soon')
})

test('one loan is spoken of in the singular', () => {
  const one = exampleContext('circulation.overdue', library).loans!.slice(0, 1)
  const email = rendered('circulation.overdue', { loans: one })
  expect(email.subject).toBe('Overdue library book for Sam')
  expect(email.text).toContain('This book borrowed by Sam Example is now past its due date:')
  expect(email.text).toContain('If you have already returned it, thank you')
  expect(rendered('circulation.overdue').text).toContain('These books borrowed by Sam Example are now past their due date:')
})

test('the escalations grow firmer, level by level, and stay polite', () => {
  const subjects = ['circulation.overdue', 'circulation.escalation_1', 'circulation.escalation_2', 'circulation.escalation_3'].map(
    (scenario) => rendered(scenario as 'circulation.overdue').subject,
  )
  expect(subjects).toEqual([
    'Overdue library books for Sam',
    'Second reminder: overdue library books for Sam',
    'Important: library books still overdue for Sam',
    'Final notice: overdue library books for Sam',
  ])
  expect(rendered('circulation.escalation_3').text).toContain('the library will have to treat them as lost')
})

test('the password reset gives the link, says it expires, and to ignore it if they did not ask', () => {
  const email = rendered('account.password_reset', { reset_link: '⟦reset link⟧' })
  expect(email.text).toContain('To choose a new password, open this link:\n⟦reset link⟧')
  expect(email.html).toContain('<a href="⟦reset link⟧"')
  expect(email.text).toContain('expires')
  expect(email.text).toContain('If you did not ask to reset your password, you can safely ignore this email')
})

test('the order to a supplier lists its lines and quantities, and asks for the order number to be quoted', () => {
  const email = rendered('acquisitions.order')
  expect(email.subject).toBe('Purchase order PO-EXAMPLE-1 from Riverside School Library')
  expect(email.text).toContain('1. The Secret Garden, quantity 2\n2. Matilda, quantity 1')
  expect(email.html).toMatch(/<td [^>]*>The Secret Garden<\/td><td [^>]*align="right">2<\/td>/)
  expect(email.text).toContain('Please quote the order number PO-EXAMPLE-1')
})

test('a reservation ready to collect says by when', () => {
  const email = rendered('reservation.ready')
  expect(email.subject).toBe('Ready to collect: The Secret Garden')
  expect(email.text).toContain('Please collect it by Tuesday 17 March 2026. After that it goes to the next reader.')
})
