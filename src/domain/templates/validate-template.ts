import { ForTag, TablerowTag, type Template, toValueSync, Variable } from 'liquidjs'
import type { ScenarioName } from '../scenarios/catalogue.ts'
import { unstorableText } from '../text.ts'
import type { NoticeContext } from './context.ts'
import { exampleContext } from './example-context.ts'
import { isOffered, itemShape, listAt, type PlaceholderPath, type PlaceholderShape, placeholdersOf, scenarioPlaceholders } from './placeholders.ts'
import type { TemplateSource } from './render.ts'
import { engineFor, faultOf, parsePart, renderPart, type TemplateFault, type TemplatePart, templateParts } from './sandbox.ts'

/**
 * The most each part may hold, in characters. HTML and text stop at 3,000 because a Slack text
 * input holds no more: every template can then be edited in Slack, whichever door saved it.
 */
export const maxTemplateChars: Record<TemplatePart, number> = { subject: 250, html: 3000, text: 3000 }

const partNames: Record<TemplatePart, string> = { subject: 'The subject', html: 'The HTML part', text: 'The plain text part' }

/**
 * What is wrong with a template for `scenario`, part by part (none: it may be saved): a part
 * empty or too long, a Liquid syntax error (with its line and column), a placeholder the scenario
 * does not offer, including a loop item's (`loan.titel` in `{% for loan in loans %}`), or a
 * failure to render a made-up notice, with everything filled in and with empty lists.
 */
export function validateTemplate(scenario: ScenarioName, source: TemplateSource, example: { libraryName: string; today: string }): TemplateFault[] {
  const faults: TemplateFault[] = []
  const full = exampleContext(scenario, example)
  const empty: NoticeContext = { ...full, ...(full.loans && { loans: [] }), ...(full.order && { order: { ...full.order, lines: [] } }) }
  for (const part of templateParts) {
    const text = source[part]
    if (text.trim() === '') {
      faults.push({ part, message: `${partNames[part]} is empty` })
      continue
    }
    const unstorable = unstorableText(text)
    if (unstorable) {
      faults.push({ part, message: `${partNames[part]} ${unstorable}` })
      continue
    }
    if (text.length > maxTemplateChars[part]) {
      faults.push({
        part,
        message: `${partNames[part]} is ${text.length.toLocaleString('en')} characters long; it may be at most ${maxTemplateChars[part].toLocaleString('en')}`,
      })
      continue
    }
    let templates: Template[]
    try {
      templates = parsePart(part, text)
    } catch (error) {
      faults.push(faultOf(part, error))
      continue
    }
    const unknown = unknownPlaceholders(scenario, part, templates)
    if (unknown.length > 0) {
      faults.push(...unknown)
      continue
    }
    for (const context of [full, empty]) {
      try {
        renderPart(part, templates, context)
      } catch (error) {
        faults.push(faultOf(part, error))
        break
      }
    }
  }
  return faults
}

/** The placeholders a part uses that its scenario does not offer, each once, where first used. */
function unknownPlaceholders(scenario: ScenarioName, part: TemplatePart, templates: Template[]): TemplateFault[] {
  const offered = scenarioPlaceholders[scenario]
  const seen = new Set<string>()
  const faults: TemplateFault[] = []
  const report = (variable: Variable, fields: Record<string, PlaceholderShape> | 'anything') => {
    const name = variable.toString()
    if (fields === 'anything' || seen.has(name) || isOffered(fields, pathOf(variable))) return
    seen.add(name)
    const { row, col } = variable.location
    faults.push({ part, line: row, column: col, message: `${quoted(name)} is not a placeholder of this notice${suggestion(scenario, name)}` })
  }
  const { globals } = engineFor(part).analyzeSync(templates, { partials: false })
  for (const variable of Object.values(globals).flat()) report(variable, offered)

  // A loop's item (`loan` in `{% for loan in loans %}`) is local to the loop, so Liquid does not
  // list it among the globals: its uses are checked against the list's item here.
  forEachLoop(templates, (loop) => {
    const list = listAt(offered, loop.collection.getText().replace(/\s+/g, '').split('.'))
    if (list === undefined) return
    const item = itemShape(list)
    const { globals: inLoop } = engineFor(part).analyzeSync(loop.templates, { partials: false })
    for (const variable of inLoop[loop.variable] ?? []) report(variable, item === 'anything' ? 'anything' : { [loop.variable]: item })
  })
  return faults.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0))
}

type Loop = { variable: string; collection: { getText(): string }; templates: Template[] }

function forEachLoop(templates: readonly Template[], visit: (loop: Loop) => void): void {
  for (const template of templates) {
    if (template instanceof ForTag || template instanceof TablerowTag) visit(template as unknown as Loop)
    const withChildren = template as Template & { children?: (partials: boolean, sync: boolean) => Generator<unknown, Template[]> }
    if (typeof withChildren.children === 'function') forEachLoop(toValueSync(withChildren.children(false, true)), visit)
  }
}

function pathOf(variable: Variable): PlaceholderPath {
  return variable.segments.map((segment) => (segment instanceof Variable ? { dynamic: true as const } : segment))
}

const quoted = (name: string) => `“${name}”`

// A near miss (`patron.frist_name`) is most likely a typing mistake: name the placeholder meant.
function suggestion(scenario: ScenarioName, name: string): string {
  const near = placeholdersOf(scenario)
    .map((placeholder) => placeholder.name)
    .filter((candidate) => !candidate.endsWith('…'))
    .map((candidate) => ({ candidate, distance: editDistance(candidate, name) }))
    .filter(({ distance }) => distance <= 2)
    .sort((a, b) => a.distance - b.distance)[0]
  return near ? `; did you mean ${quoted(near.candidate)}?` : ''
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]
}
