import { describe, expect, test } from 'vitest'
import { type ScenarioName, scenarioNames } from '../../../src/domain/scenarios/catalogue.ts'
import { defaultTemplates } from '../../../src/domain/templates/defaults.ts'
import type { TemplateSource } from '../../../src/domain/templates/render.ts'
import { faultText } from '../../../src/domain/templates/sandbox.ts'
import { validateTemplate } from '../../../src/domain/templates/validate-template.ts'

const library = { libraryName: 'Riverside Library', today: '2026-03-10' }
const template = (parts: Partial<TemplateSource>): TemplateSource => ({ subject: 'Hello', html: '<p>Hello</p>', text: 'Hello', ...parts })
const faultsOf = (scenario: ScenarioName, parts: Partial<TemplateSource>) => validateTemplate(scenario, template(parts), library)

test('a good template has no faults, whatever Liquid it uses on what the scenario offers', () => {
  const html = [
    '<p>Dear {{ addressee }}, {{ patron.first_name | capitalize }}</p>',
    '{% assign count = loans.size %}{% if count > 1 %}{{ count }} books{% endif %}',
    '{% for loan in loans limit: 3 %}{{ forloop.index }}. {{ loan.title }} {{ loan.due_date | date: "%-d %b" }} {{ loans[forloop.index0].author }}{% endfor %}',
    '{{ loans.first.days_overdue }} {{ loans.last.title }} {% capture who %}{{ patron.full_name }}{% endcapture %}{{ who }}',
  ].join('\n')
  expect(faultsOf('circulation.overdue', { html })).toEqual([])
})

describe('a syntax error names its part, line and column', () => {
  test.each([
    [
      'an if never closed',
      'text',
      'Dear you,\n\n  {% if loans.size > 1 %}many',
      { line: 3, column: 3, message: '{% if loans.size > 1 %} is not closed: end it with {% endif %}' },
    ],
    [
      'an output never closed',
      'subject',
      'Books for {{ patron.first_name',
      { line: 1, column: 11, message: '{{ patron.first_name is not closed: end it with }}' },
    ],
    ['an unknown tag', 'html', '<p>\n{% loop loan in loans %}</p>', { line: 2, column: 1, message: 'there is no tag called “loop”' }],
    ['an unknown filter', 'html', '<p>{{ patron.first_name | shout }}</p>', { line: 1, column: 4, message: 'there is no filter called “shout”' }],
  ] as const)('%s', (_, part, source, fault) => {
    expect(faultsOf('circulation.overdue', { [part]: source })).toEqual([{ part, ...fault }])
  })
})

describe('a placeholder the scenario does not offer is a fault where it is first used', () => {
  test('a misspelt one, with the one meant', () => {
    expect(faultsOf('circulation.overdue', { subject: 'Hi {{ patron.frist_name }}, {{ patron.frist_name }}' })).toEqual([
      { part: 'subject', line: 1, column: 7, message: '“patron.frist_name” is not a placeholder of this notice; did you mean “patron.first_name”?' },
    ])
  })

  test('one of another scenario: the reset link is the password reset’s only, loans are not a reservation’s', () => {
    expect(faultsOf('circulation.overdue', { text: 'Go to {{ reset_link }}' }).map(faultText)).toEqual([
      'Line 1, column 10: “reset_link” is not a placeholder of this notice',
    ])
    expect(faultsOf('reservation.ready', { html: '{% for loan in loans %}x{% endfor %}' }).map(faultText)).toEqual([
      'Line 1, column 16: “loans” is not a placeholder of this notice',
    ])
    expect(faultsOf('account.password_reset', { text: '{{ reset_link }}' })).toEqual([])
  })

  test('a loop’s item is checked against the list’s items, whatever it is called', () => {
    const html = '<ul>\n{% for book in loans %}<li>{{ book.title }} {{ book.titel }}</li>{% endfor %}</ul>'
    expect(faultsOf('circulation.overdue', { html })).toEqual([
      { part: 'html', line: 2, column: 48, message: '“book.titel” is not a placeholder of this notice' },
    ])
  })

  test('an order line takes whatever the library system sent with it', () => {
    expect(faultsOf('acquisitions.order', { text: '{% for line in order.lines %}{{ line.isbn }} {{ line.quantity }}{% endfor %}' })).toEqual([])
    expect(faultsOf('acquisitions.order', { text: '{{ patron.first_name }}' }).map((fault) => fault.message)).toEqual([
      '“patron.first_name” is not a placeholder of this notice',
    ])
  })

  test('a variable the template assigns itself is no placeholder, but one used before it is assigned is unknown', () => {
    expect(faultsOf('circulation.overdue', { text: '{% assign n = loans.size %}{{ n }}' })).toEqual([])
    expect(faultsOf('circulation.overdue', { text: '{{ n }}{% assign n = 1 %}' }).map((fault) => fault.message)).toEqual([
      '“n” is not a placeholder of this notice',
    ])
  })
})

test('every part is checked, and each part’s faults are given', () => {
  const faults = faultsOf('circulation.overdue', { subject: '   ', html: 'x'.repeat(3001), text: 'Hi {{ patron.nickname }}\u0000' })
  expect(faults.map((fault) => [fault.part, faultText(fault)])).toEqual([
    ['subject', 'The subject is empty'],
    ['html', 'The HTML part is 3,001 characters long; it may be at most 3,000'],
    ['text', 'The plain text part contains a NUL character (byte 0), which cannot be stored'],
  ])
})

test('a template that fails to render a made-up notice is refused, though it parses', () => {
  const faults = faultsOf('circulation.overdue', { text: 'Dear you\n{% for i in (1..100000000) %}{{ i }}{% endfor %}' })
  expect(faults).toEqual([{ part: 'text', line: 2, column: 1, message: expect.stringMatching(/far too (much|long)/) }])
})

test('include and render are refused when the template is saved', () => {
  expect(faultsOf('circulation.overdue', { html: '<p>\n{% include "header" %}</p>' })).toEqual([
    { part: 'html', line: 2, column: 1, message: '{% include %} is not available: a template cannot load other templates or files' },
  ])
})

test.each(scenarioNames)('the default template of %s has no faults', (scenario) => {
  expect(validateTemplate(scenario, defaultTemplates[scenario], library)).toEqual([])
})
