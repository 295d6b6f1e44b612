import { Drop } from 'liquidjs'
import { describe, expect, test } from 'vitest'
import { scenarioNames } from '../../../src/domain/scenarios/catalogue.ts'
import { compileFastPart, LeaveToLiquid } from '../../../src/domain/templates/compile-fast-part.ts'
import type { NoticeContext } from '../../../src/domain/templates/context.ts'
import { defaultTemplates } from '../../../src/domain/templates/defaults.ts'
import { exampleContext } from '../../../src/domain/templates/example-context.ts'
import { compileTemplate, type TemplateRenderError } from '../../../src/domain/templates/render.ts'
import { engineFor, type TemplatePart, templateParts } from '../../../src/domain/templates/sandbox.ts'

// The nightly run renders notices with compiled parts (compile-fast-part.ts) instead of Liquid's
// own renderer: a notice must read the same, letter for letter, either way. Each case renders a
// template with Liquid and compiled, with the HTML engine (values escaped) and the text engine.

type Scope = Record<string, unknown>

function renderBothWays(part: TemplatePart, source: string, scope: Scope): { liquid: string; compiled: string } {
  const engine = engineFor(part)
  const templates = engine.parse(source)
  const compiled = compileFastPart(templates)
  if (compiled === undefined) throw new Error(`not compiled: ${source}`)
  return { liquid: String(engine.renderSync(templates, scope)), compiled: compiled(scope) }
}

function expectSameEitherWay(source: string, scopes: Scope[]): void {
  for (const part of ['html', 'text'] as const) {
    for (const scope of scopes) {
      const { liquid, compiled } = renderBothWays(part, source, scope)
      expect(compiled, `${part}: ${source} with ${JSON.stringify(scope)}`).toBe(liquid)
    }
  }
}

const library = { libraryName: 'Riverside <School> & “Library”', today: '2026-03-10' }

// What the composers fill, and what a hostile or careless one might: markup, quotes, blanks, unicode.
function awkwardContexts(scenario: (typeof scenarioNames)[number]): NoticeContext[] {
  const full = exampleContext(scenario, library)
  const sly = { first_name: '<b>Ana</b> & "Bo"', last_name: "O'Brien", full_name: ' \t ', username: 'ana\u2028bcc' }
  const loans = (full.loans ?? []).map((loan, index) => ({ ...loan, title: `${loan.title} <i>&amp;</i> 😀`, author: index === 0 ? '' : '  ', days_overdue: 1 }))
  return [
    full,
    { ...full, patron: sly, addressee: '' },
    { ...full, ...(full.loans && { loans }), ...(full.reservation && { reservation: { ...full.reservation, author: '', pickup_by_text: null } }) },
    { ...full, ...(full.loans && { loans: full.loans.slice(0, 1) }), ...(full.order && { order: { ...full.order, lines: [] } }) },
    { library: { name: '' }, addressee: 'Ms Ünïcødé' },
  ]
}

describe.each(scenarioNames)('the default template of %s', (scenario) => {
  test.each(templateParts)('is compiled, and its %s reads as Liquid writes it', (part) => {
    const source = defaultTemplates[scenario][part]
    expect(compileFastPart(engineFor(part).parse(source))).toBeDefined()
    for (const scope of awkwardContexts(scenario)) {
      const { liquid, compiled } = renderBothWays(part, source, scope)
      expect(compiled).toBe(liquid)
    }
  })
})

const scopes: Scope[] = [
  {
    name: 'Ana <b>&</b> "Bo" \'Cy\'',
    blank_text: ' \n\t',
    empty_text: '',
    zero: 0,
    one: 1,
    price: -2.5,
    yes: true,
    no: false,
    none: null,
    words: ['a', '<b>', ''],
    nested: [[1, 2], [], [['x']]],
    loans: [
      { title: 'Matilda', author: 'Roald Dahl', days: 1, tags: ['new'] },
      { title: 'Émile & <Co>', author: '', days: 12, tags: [] },
      { title: '😀', author: ' ', days: 0, size: 'large' },
    ],
    patron: { first_name: 'Sam', size: 3, first: 'F', last: null, 'two words': 'quoted key' },
    object: { a: 1, b: [2] },
    size: 'scope size',
  },
  { loans: [], words: [], patron: {}, object: {}, name: '' },
  {},
]

describe('values and tags a notice uses read the same compiled', () => {
  test.each([
    ['text and values', 'Dear {{ name }}, {{ patron.first_name }} {{ zero }} {{ one }} {{ price }} {{ yes }} {{ no }} {{ none }}.'],
    ['missing keys and reads past nil', '[{{ missing }}][{{ missing.deeper.still }}][{{ none.size }}][{{ patron.missing }}]'],
    ['literals', '{{ "quoted <&>" }}{{ 42 }}{{ 1.50 }}{{ true }}{{ false }}{{ nil }}{{ null }}{{ empty }}{{ blank }}'],
    ['arrays and objects written out', '{{ words }}|{{ nested }}|{{ object }}|{{ loans }}|{{ patron }}'],
    [
      'size, first and last',
      '{{ words.size }} {{ name.size }} {{ patron.size }} {{ object.size }} {{ loans.first.title }} {{ loans.last.title }} {{ patron.first }} {{ patron.last }} {{ size }} {{ loans.size.size }}',
    ],
    [
      'indexes',
      '{{ words[0] }}{{ words[-1] }}{{ words[9] }}{{ loans[1].title }}{{ loans[-3]["title"] }}{{ patron["two words"] }}{{ name[0] }}{{ nested[2][0][0] }}',
    ],
    [
      'what objects inherit',
      '[{{ constructor }}][{{ patron.constructor }}][{{ words.constructor.name }}][{{ patron.__proto__ }}][{{ toString }}][{{ name.length }}][{{ words.length }}]',
    ],
    ['whitespace control', 'a  {{- name -}}  b\n{%- if yes -%}\n  c  \n{%- endif -%}\n  d {% for w in words -%} [{{ w }}] {%- endfor %}'],
    ['if, elsif and else', '{% if no %}1{% elsif none %}2{% elsif zero %}3{% else %}4{% endif %}{% if empty_text %}5{% endif %}'],
    [
      'comparisons of values',
      '{% if one == 1 %}a{% endif %}{% if one != "1" %}b{% endif %}{% if price < 0 %}c{% endif %}{% if zero >= 0 and one <= 1 %}d{% endif %}{% if name > "A" %}e{% endif %}{% if missing < 1 %}f{% endif %}{% if none == missing %}g{% endif %}',
    ],
    [
      'nil, empty and blank',
      '{% if none == nil %}a{% endif %}{% if missing == nil %}b{% endif %}{% if empty_text == empty %}c{% endif %}{% if blank_text == blank %}d{% endif %}{% if blank_text == empty %}e{% endif %}{% if words == empty %}f{% endif %}{% if object == empty %}g{% endif %}{% if no == blank %}h{% endif %}{% if zero == blank %}i{% endif %}{% if nil == blank %}j{% endif %}{% if empty == empty %}k{% endif %}{% if blank == nil %}l{% endif %}{% if none > nil %}m{% endif %}{% if empty < 1 %}n{% endif %}{% if missing != blank %}o{% endif %}{% if patron == empty %}p{% endif %}{% if none == empty %}q{% endif %}{% if missing != empty %}r{% endif %}{% if no == empty %}s{% endif %}{% if empty == empty_text %}t{% endif %}{% if blank != name %}u{% endif %}{% if nil == zero %}v{% endif %}',
    ],
    [
      'contains, and, or, not',
      '{% if name contains "Bo" %}a{% endif %}{% if words contains "<b>" %}b{% endif %}{% if object contains "a" %}c{% endif %}{% if name contains one %}d{% endif %}{% if one contains 1 %}e{% endif %}{% if name contains missing %}f{% endif %}{% if yes and no or yes %}g{% endif %}{% if no or yes and no %}h{% endif %}{% if not no %}i{% endif %}{% if not name %}j{% endif %}{% if name contains empty %}k{% endif %}',
    ],
    ['comparisons written out', '{{ one == 1 }} {{ words == words }} {{ none == nil }} {{ loans == empty }} {{ name contains "x" }}'],
    [
      'loops, nested and shadowing',
      '{% for loan in loans %}{{ loan.title }}:{% for tag in loan.tags %}{{ tag }}{{ loan.days }}{% else %}none{% endfor %};{% for loan in words %}{{ loan }}{% endfor %}{{ loan.author }}|{% endfor %}{{ loan.title }}',
    ],
    [
      'loops over odd things',
      '{% for x in name %}[{{ x }}]{% endfor %}{% for x in object %}[{{ x }}]{% endfor %}{% for x in one %}[{{ x }}]{% endfor %}{% for x in missing %}[x]{% else %}[else]{% endfor %}{% for x in empty_text %}y{% else %}z{% endfor %}{% for n in nested %}{% for m in n %}({{ m }}){% endfor %}{% endfor %}',
    ],
    ['a loop variable called like a scope key', '{% for name in words %}{{ name }}{% endfor %}{{ name }}{% for size in loans %}{{ size.title }}{% endfor %}'],
  ])('%s', (_, source) => {
    expectSameEitherWay(source, scopes)
  })
})

describe('templates generated at random read the same compiled', () => {
  // A seeded generator of the Liquid the compiler takes, so a failure can be replayed.
  function generator(seed: number) {
    let state = seed
    const random = () => {
      state = (state + 0x6d2b79f5) | 0
      let t = Math.imul(state ^ (state >>> 15), 1 | state)
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296
    }
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]
    const names = 'name blank_text empty_text zero one price yes no none words nested loans patron object missing size'.split(' ')
    const keys = ['.title', '.author', '.size', '.first', '.last', '[0]', '[-1]', '.days', '.tags', '.first_name', '.a', '.missing']
    const path = (loops: string[]) => pick([...names, ...loops, ...loops]) + (random() < 0.5 ? pick(keys) : '') + (random() < 0.2 ? pick(keys) : '')
    const operand = (loops: string[]) =>
      random() < 0.6 ? path(loops) : pick(['0', '1', '-2.5', '"Bo"', '""', '" "', 'true', 'false', 'nil', 'empty', 'blank', '"<b>"'])
    const condition = (loops: string[]): string => {
      const comparison = random() < 0.3 ? operand(loops) : `${operand(loops)} ${pick(['==', '!=', '>', '<', '>=', '<=', 'contains'])} ${operand(loops)}`
      const negated = random() < 0.15 ? `not ${comparison}` : comparison
      return random() < 0.3 ? `${negated} ${pick(['and', 'or'])} ${condition(loops)}` : negated
    }
    const dash = () => (random() < 0.2 ? '-' : '')
    const nodes = (loops: string[], depth: number): string => Array.from({ length: 1 + Math.floor(random() * 4) }, () => node(loops, depth)).join('')
    const node = (loops: string[], depth: number): string => {
      const roll = random()
      if (roll < 0.35 || depth > 3) return pick(['Hi ', '<p>', ' & ', '\n', '  ', 'é€😀', '"q"', "'", '\n\n\n', ' \t\n', ','])
      if (roll < 0.65) return `{{${dash()} ${random() < 0.8 ? operand(loops) : condition(loops)} ${dash()}}}`
      if (roll < 0.85) {
        const elsif = random() < 0.3 ? `{% elsif ${condition(loops)} %}${nodes(loops, depth + 1)}` : ''
        const otherwise = random() < 0.5 ? `{%${dash()} else ${dash()}%}${nodes(loops, depth + 1)}` : ''
        return `{%${dash()} if ${condition(loops)} ${dash()}%}${nodes(loops, depth + 1)}${elsif}${otherwise}{% endif ${dash()}%}`
      }
      const variable = pick(['item', 'x', 'name', 'loan'])
      const otherwise = random() < 0.3 ? `{% else %}${nodes(loops, depth + 1)}` : ''
      return `{%${dash()} for ${variable} in ${path(loops)} %}${nodes([...loops, variable], depth + 1)}${otherwise}{% endfor %}`
    }
    return () => nodes([], 0)
  }

  test('five hundred of them, with each scope', () => {
    const template = generator(20260310)
    for (let index = 0; index < 500; index += 1) expectSameEitherWay(template(), scopes)
  })
})

describe('what the compiler leaves to Liquid', () => {
  test.each([
    '{{ name | upcase }}',
    '{% assign x = 1 %}{{ x }}',
    '{% for loan in loans limit: 1 %}{{ loan.title }}{% endfor %}',
    '{% for loan in loans %}{{ forloop.index }}{% endfor %}',
    '{% for i in (1..3) %}{{ i }}{% endfor %}',
    '{% case name %}{% when "x" %}x{% endcase %}',
    '{% unless no %}x{% endunless %}',
    '{% if name | size %}x{% endif %}',
    '{% comment %}x{% endcomment %}',
    '{{ loans[one] }}',
  ])('%s is rendered by Liquid', (source) => {
    expect(compileFastPart(engineFor('text').parse(source))).toBeUndefined()
  })

  test('data Liquid reads differently from JSON, such as a Drop, is rendered by Liquid', () => {
    class Shout extends Drop {
      liquidMethodMissing(key: string) {
        return key.toUpperCase()
      }
    }
    const compiled = compileFastPart(engineFor('text').parse('{{ patron.first_name }}'))
    expect(() => compiled?.({ patron: new Shout() })).toThrow(LeaveToLiquid)
    expect(() => compiled?.({ patron: { first_name: () => 'Ana' } })).toThrow(LeaveToLiquid)
    const email = compileTemplate({ subject: 'Hi', html: '<p>Hi</p>', text: 'Hi {{ patron.first_name }}' }).render({
      patron: new Shout(),
    } as unknown as NoticeContext)
    expect(email.text).toBe('Hi FIRST_NAME\n')
  })

  test('a value too long to send is left to Liquid, which refuses it', () => {
    const compiled = compileFastPart(engineFor('text').parse('Dear {{ patron.first_name }}'))
    expect(() => compiled?.({ patron: { first_name: 'x'.repeat(600_000) } })).toThrow(LeaveToLiquid)

    const source = { subject: 'Hi', html: '<p>Hi</p>', text: 'Dear {{ patron.first_name }}' }
    const context = { library: { name: 'L' }, addressee: 'A', patron: { first_name: 'x'.repeat(1_000_001) } } as unknown as NoticeContext
    expect(() => compileTemplate(source).render(context)).toThrow(/writes far too much/)
  })

  test('a render that grows too long is left to Liquid, which stops it within its limits', () => {
    const loans = Array.from({ length: 30 }, (_, index) => ({ title: `Book ${index}` }))
    const text = `${'{% for a in loans %}'.repeat(8)}x${'{% endfor %}'.repeat(8)}`
    const compiled = compileFastPart(engineFor('text').parse(text))
    expect(() => compiled?.({ loans })).toThrow(LeaveToLiquid)

    const started = performance.now()
    let error: TemplateRenderError | undefined
    try {
      compileTemplate({ subject: 'Hi', html: '<p>Hi</p>', text }).render({ library: { name: 'L' }, addressee: 'A', loans } as unknown as NoticeContext)
    } catch (thrown) {
      error = thrown as TemplateRenderError
    }
    expect(performance.now() - started).toBeLessThan(5_000)
    expect(error?.name).toBe('TemplateRenderError')
    expect(error?.message).toMatch(/takes far too long|builds far too much|writes far too much/)
  })
})
