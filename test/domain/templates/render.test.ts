import { describe, expect, test } from 'vitest'
import type { NoticeContext } from '../../../src/domain/templates/context.ts'
import { exampleContext } from '../../../src/domain/templates/example-context.ts'
import { compileTemplate, type TemplateRenderError, type TemplateSource } from '../../../src/domain/templates/render.ts'

// What a template does with the values it is given, and what it is not allowed to do.

const overdue = (patch: Partial<NoticeContext> = {}): NoticeContext => ({
  ...exampleContext('circulation.overdue', { libraryName: 'Riverside Library', today: '2026-03-10' }),
  ...patch,
})

const template = (parts: Partial<TemplateSource>): TemplateSource => ({ subject: 'Hello', html: '<p>Hello</p>', text: 'Hello', ...parts })

function renderError(source: TemplateSource, context = overdue()): TemplateRenderError {
  try {
    compileTemplate(source).render(context)
  } catch (error) {
    return error as TemplateRenderError
  }
  throw new Error('the template rendered')
}

describe('values', () => {
  const sly = { first_name: '<b>Ana</b> & "Bo"', last_name: "O'Brien", full_name: '<b>Ana</b> O’Brien', username: 'ana' }

  test('are HTML-escaped in the HTML part, and written as they are in the subject and the plain text', () => {
    const email = compileTemplate(
      template({
        subject: 'For {{ patron.first_name }}',
        html: '<p>Dear {{ patron.first_name }} {{ patron.last_name }}</p>',
        text: 'Dear {{ patron.first_name }}',
      }),
    ).render(overdue({ patron: sly }))

    expect(email.html).toContain('<p>Dear &lt;b&gt;Ana&lt;/b&gt; &amp; &#34;Bo&#34; O&#39;Brien</p>')
    expect(email.html).not.toContain('<b>Ana</b>')
    expect(email.subject).toBe('For <b>Ana</b> & "Bo"')
    expect(email.text).toBe('Dear <b>Ana</b> & "Bo"\n')
  })

  test('are escaped by echo and inside loops too, and the raw filter that would let them through is refused', () => {
    const loans = [{ ...overdue().loans![0], title: '<script>alert(1)</script>' }]
    const email = compileTemplate(template({ html: '{% for loan in loans %}{% echo loan.title %}|{{ loan.title | upcase }}{% endfor %}' })).render(
      overdue({ loans }),
    )
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;|&lt;SCRIPT&gt;')
    expect(email.html).not.toContain('<script>')

    expect(renderError(template({ html: '<p>{{ patron.first_name | raw }}</p>' })).message).toContain('the raw filter is not available')
  })

  test('reach only what the context holds itself, not what JavaScript objects inherit', () => {
    const email = compileTemplate(template({ text: '[{{ patron.constructor }}][{{ loans.constructor.name }}][{{ patron.__proto__ }}]' })).render(overdue())
    expect(email.text).toBe('[][][]\n')
  })

  test('a reset link renders as the composer passes it: the marker the dispatcher replaces with the secret', () => {
    const context = { ...overdue(), loans: undefined, reset_link: '⟦reset link⟧' }
    const email = compileTemplate(template({ html: '<a href="{{ reset_link }}">Reset</a>', text: 'Open {{ reset_link }}' })).render(context)
    expect(email.html).toContain('<a href="⟦reset link⟧">Reset</a>')
    expect(email.text).toBe('Open ⟦reset link⟧\n')
  })
})

describe('the subject', () => {
  test('is one line, trimmed, with its whitespace collapsed: a value cannot add a header', () => {
    const patron = { first_name: 'Ana\r\nBcc: everyone@example.org', last_name: '', full_name: 'Ana', username: 'ana' }
    const email = compileTemplate(template({ subject: '  Overdue\n\tbooks   for {{ patron.first_name }}\u2028 ' })).render(overdue({ patron }))
    expect(email.subject).toBe('Overdue books for Ana Bcc: everyone@example.org')
  })

  test('is cut at 250 characters', () => {
    const email = compileTemplate(template({ subject: '{% for i in (1..100) %}word {% endfor %}' })).render(overdue())
    expect(email.subject).toHaveLength(250)
    expect(email.subject.endsWith('…')).toBe(true)
  })
})

describe('the HTML part', () => {
  test('is a whole page, in English, titled with the subject', () => {
    const email = compileTemplate(template({ subject: 'Books & more', html: '<p>Hi</p>' })).render(overdue())
    expect(email.html).toMatch(/^<!DOCTYPE html>\n<html lang="en">/)
    expect(email.html).toContain('<title>Books &amp; more</title>')
    expect(email.html).toContain('<p>Hi</p>')
  })

  test('a template that is a whole page already is sent as it is', () => {
    const email = compileTemplate(template({ html: '<html><body><p>Mine</p></body></html>' })).render(overdue())
    expect(email.html).toBe('<html><body><p>Mine</p></body></html>')
  })
})

test('the plain text part keeps one blank line where loops and ifs left several', () => {
  const email = compileTemplate(template({ text: 'Dear you,\n\n{% for loan in loans %}\n- {{ loan.title }}\n{% endfor %}\n\n\nBye  \n' })).render(overdue())
  expect(email.text).toBe('Dear you,\n\n- Charlotte’s Web\n\n- Matilda\n\nBye\n')
})

test('dates are calendar dates: the date filter keeps their day whatever the server’s time zone', () => {
  const zone = process.env.TZ
  process.env.TZ = 'America/Los_Angeles'
  try {
    const loans = [{ ...overdue().loans![0], due_date: '2026-03-02' }]
    const email = compileTemplate(template({ text: '{{ loans.first.due_date | date: "%A %-d %B %Y" }}|{{ loans.first.due_date | date }}' })).render(
      overdue({ loans }),
    )
    expect(email.text).toBe('Monday 2 March 2026|Monday 2 March 2026\n')
  } finally {
    if (zone === undefined) delete process.env.TZ
    else process.env.TZ = zone
  }
})

describe('a template cannot hang or exhaust the service', () => {
  test.each([
    ['a loop that runs a billion times', '{% for i in (1..1000000000) %}x{% endfor %}', 'takes far too long|builds far too much'],
    ['nested loops', '{% for a in (1..100000) %}{% for b in (1..100000) %}{{ a }}{% endfor %}{% endfor %}', 'takes far too long|builds far too much'],
    [
      'a string doubled forty times',
      '{% assign s = "xxxxxxxx" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s }}',
      'builds far too much',
    ],
  ])('%s is stopped with a render error', (_, text, words) => {
    const started = performance.now()
    const error = renderError(template({ text }))
    expect(performance.now() - started).toBeLessThan(5_000)
    expect(error.name).toBe('TemplateRenderError')
    expect(error.fault.part).toBe('text')
    expect(error.message).toMatch(new RegExp(words))
  })
})

describe('a template cannot reach files or run unknown code', () => {
  test.each(['{% include "secrets" %}', '{% render "../../.env" %}', '{% layout "base" %}', '{% liquid\ninclude "x" %}'])('%s is refused', (html) => {
    const error = renderError(template({ html: `<p>\n  ${html}</p>` }))
    expect(error.fault).toMatchObject({ part: 'html', line: 2 + html.split('\n').length - 1 })
    expect(error.message).toContain('is not available: a template cannot load other templates or files')
  })

  test('an unknown filter is refused', () => {
    const error = renderError(template({ subject: 'Hi {{ patron.first_name | shout }}' }))
    expect(error.fault).toMatchObject({ part: 'subject', line: 1, message: 'there is no filter called “shout”' })
  })
})

test('a template is compiled once and renders many notices', () => {
  const compiled = compileTemplate(template({ subject: '{{ loans.size }} for {{ patron.first_name }}' }))
  const names = ['Ana', 'Ben', 'Cara']
  const subjects = names.map(
    (first_name) => compiled.render(overdue({ patron: { first_name, last_name: 'X', full_name: first_name, username: first_name } })).subject,
  )
  expect(subjects).toEqual(['2 for Ana', '2 for Ben', '2 for Cara'])
})
