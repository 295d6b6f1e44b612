import { type FS, Liquid, LiquidError, Tag, type TagToken, type Template, type TopLevelToken } from 'liquidjs'
import { compileFastPart, type FastPart, LeaveToLiquid } from './compile-fast-part.ts'

/** The three parts of an email template, as staff edit them. */
export const templateParts = ['subject', 'html', 'text'] as const
export type TemplatePart = (typeof templateParts)[number]

/**
 * What a template may cost. Staff text never runs as code, but Liquid has loops and filters: a
 * range of a billion, or a string doubled forty times, would hang or exhaust the service. A real
 * notice renders in well under a millisecond, so these only ever stop a hostile or broken one.
 */
export const templateLimits = {
  /** Characters of template one part may hold; parsing more is refused. */
  parseChars: 20_000,
  /** Milliseconds one part may take to render. */
  renderMs: 250,
  /** Liquid's count of what filters, ranges and loops allocate (characters and array items). */
  memory: 5_000_000,
  /** Characters one rendered part may hold. */
  outputChars: 1_000_000,
}

/** Where a template went wrong: the part, and the line and column in it (from 1), when known. */
export type TemplateFault = { part: TemplatePart; message: string; line?: number; column?: number }

// Templates cannot load other files: `include`, `render` and `layout` are refused where they are
// written, and the engine's file system refuses every read besides.
class RefusedTag extends Tag {
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
    super(token, remainTokens, liquid)
    throw new Error(`{% ${token.name} %} is not available: a template cannot load other templates or files`)
  }
  render(): void {}
}

const refuse = (): never => {
  throw new Error('templates cannot read files')
}
const noFiles: FS = { exists: async () => false, existsSync: () => false, readFile: refuse, readFileSync: refuse, resolve: refuse }

function sandboxedEngine(options: { escapeValues: boolean }): Liquid {
  const engine = new Liquid({
    fs: noFiles,
    relativeReference: false,
    cache: false,
    strictFilters: true,
    strictVariables: false,
    ownPropertyOnly: true,
    // Dates are 'YYYY-MM-DD' calendar dates, read as midnight UTC: formatted in UTC they keep their day.
    timezoneOffset: 0,
    locale: 'en-GB',
    dateFormat: '%A %-d %B %Y',
    ...(options.escapeValues && { outputEscape: 'escape' as const }),
    parseLimit: templateLimits.parseChars,
    renderLimit: templateLimits.renderMs,
    memoryLimit: templateLimits.memory,
  })
  for (const name of ['include', 'render', 'layout']) engine.registerTag(name, RefusedTag)
  // `raw` would let a value through unescaped into the HTML part; it is no use in plain text either.
  engine.unregisterFilter('raw')
  return engine
}

// The HTML part escapes every value it outputs; the subject and the plain text part are text.
const htmlEngine = sandboxedEngine({ escapeValues: true })
const textEngine = sandboxedEngine({ escapeValues: false })

/** The engine a part is parsed and rendered with. */
export const engineFor = (part: TemplatePart): Liquid => (part === 'html' ? htmlEngine : textEngine)

// Each parsed part's compiled form, where it has one (see compile-fast-part.ts): the nightly run
// renders a part tens of thousands of times, and Liquid's own renderer is fifty times slower.
const fastParts = new WeakMap<Template[], FastPart>()

/** Parses one part; throws a LiquidError (see `faultOf`) when it is not a valid template. */
export function parsePart(part: TemplatePart, source: string): Template[] {
  const templates = engineFor(part).parse(source)
  const fast = compileFastPart(templates)
  if (fast !== undefined) fastParts.set(templates, fast)
  return templates
}

/** Renders one parsed part, within the limits; throws a LiquidError when it fails. */
export function renderPart(part: TemplatePart, templates: Template[], scope: object): string {
  const fast = fastParts.get(templates)
  if (fast !== undefined) {
    try {
      return fast(scope)
    } catch (error) {
      if (!(error instanceof LeaveToLiquid)) throw error
    }
  }
  const output = String(engineFor(part).renderSync(templates, scope))
  if (output.length > templateLimits.outputChars) throw new Error('output limit exceeded')
  return output
}

/** A parse or render failure as staff read it: the part, line and column, and plain words. */
export function faultOf(part: TemplatePart, error: unknown): TemplateFault {
  if (error instanceof LiquidError) {
    const [line, column] = error.token?.getPosition() ?? []
    const message = plainWords(error.message.replace(/, line:\d+, col:\d+$/, ''))
    return line === undefined ? { part, message } : { part, message, line, column }
  }
  return { part, message: plainWords(error instanceof Error ? error.message : String(error)) }
}

// Liquid's own messages, in the words of someone who writes templates rather than Liquid.
function plainWords(message: string): string {
  const rules: Array<[RegExp, (match: RegExpExecArray) => string]> = [
    [/^undefined filter: raw$/, () => 'the raw filter is not available: every value is written as text'],
    [/^undefined filter: (.+)$/, (m) => `there is no filter called “${m[1]}”`],
    [/^tag "(.+)" not found$/, (m) => `there is no tag called “${m[1]}”`],
    [/^tag \{%-?\s*(\w+)([\s\S]*?)-?%\} not closed$/, (m) => `{% ${m[1]}${m[2].trimEnd()} %} is not closed: end it with {% end${m[1]} %}`],
    [/^output "([\s\S]*)" not closed$/, (m) => `${m[1]} is not closed: end it with }}`],
    [/^tag "([\s\S]*)" not closed$/, (m) => `${m[1]} is not closed: end it with %}`],
    [/^memory alloc limit exceeded$/, () => 'the template builds far too much text (a loop or filter making a huge value)'],
    [/^template render limit exceeded$/, () => 'the template takes far too long to render (a loop that runs too many times)'],
    [/^output limit exceeded$/, () => 'the template writes far too much text'],
    [/^parse length limit exceeded$/, () => `the template is longer than ${templateLimits.parseChars} characters`],
  ]
  for (const [pattern, words] of rules) {
    const match = pattern.exec(message)
    if (match) return words(match)
  }
  return message
}

/** A fault in one sentence, as staff read it beside the part it is in: "Line 3, column 5: …". */
export function faultText(fault: TemplateFault): string {
  if (fault.line === undefined) return fault.message.charAt(0).toUpperCase() + fault.message.slice(1)
  return `Line ${fault.line}, column ${fault.column}: ${fault.message}`
}
