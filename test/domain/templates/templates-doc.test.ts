import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { dateText } from '../../../src/domain/calendar.ts'
import { scenarioCatalogue } from '../../../src/domain/scenarios/catalogue.ts'
import { placeholdersOf } from '../../../src/domain/templates/placeholders.ts'
import { compileTemplate } from '../../../src/domain/templates/render.ts'
import { validateTemplate } from '../../../src/domain/templates/validate-template.ts'

// docs/staff/templates.md lists each scenario's placeholders; this holds it to what the code offers.

/** The guide's section, as the code would write it. */
function placeholderSection(): string {
  return scenarioCatalogue
    .map((scenario) => {
      const rows = placeholdersOf(scenario.name).map(
        (placeholder) => `| \`${placeholder.name}\` | ${placeholder.about.replace(/\{%[^%]*%\}/g, (tag) => `\`${tag}\``)} |`,
      )
      return [`### ${scenario.title} (\`${scenario.name}\`)`, '', '| placeholder | what it is |', '| --- | --- |', ...rows].join('\n')
    })
    .join('\n\n')
}

test('the staff guide lists the placeholders each scenario offers, as the code offers them', () => {
  const guide = readFileSync(new URL('../../../docs/staff/templates.md', import.meta.url), 'utf8')
  const start = guide.indexOf('\n', guide.indexOf('<!-- placeholders')) + 1
  const section = guide.slice(start, guide.indexOf('<!-- end placeholders -->')).trim()
  expect(section).toEqual(placeholderSection())
})

test('the guide’s example template is valid, and renders as the guide shows it', () => {
  const guide = readFileSync(new URL('../../../docs/staff/templates.md', import.meta.url), 'utf8')
  const example = guide.slice(guide.indexOf('## An example'), guide.indexOf('## The placeholders of each scenario'))
  const blocks = [...example.matchAll(/```(?:liquid)?\n([\s\S]*?)```/g)].map((match) => match[1])
  expect(blocks).toHaveLength(4)
  const [subject, html, text, output] = blocks
  const source = { subject, html, text }

  expect(validateTemplate('circulation.overdue', source, { libraryName: 'Riverside School Library', today: '2026-03-10' })).toEqual([])
  const loan = (title: string, dueDate: string, daysOverdue: number) => ({
    title,
    author: '',
    barcode: '',
    checked_out_on: '2026-02-01',
    checked_out_on_text: dateText('2026-02-01'),
    due_date: dueDate,
    due_date_text: dateText(dueDate),
    days_overdue: daysOverdue,
    days_until_due: -daysOverdue,
  })
  const email = compileTemplate(source).render({
    library: { name: 'Riverside School Library' },
    addressee: 'Mrs Silva',
    patron: { first_name: 'Ana', last_name: 'Silva', full_name: 'Ana Silva', username: 'asilva' },
    loans: [loan('The Hobbit', '2026-02-20', 18), loan('Matilda', '2026-03-01', 9)],
  })
  expect(email.text).toBe(output)
  expect(email.subject).toBe("Ana's library books are overdue")
})
