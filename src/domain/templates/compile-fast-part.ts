import { defaultOperators, ForTag, filters, IfTag, Output, type Template, type Token, TokenKind, toValue, toValueSync } from 'liquidjs'

/**
 * Compiles a parsed part into a plain function when it uses only the Liquid notices are written
 * in, so the nightly run renders tens of thousands of notices in a fraction of the time: Liquid
 * drives a generator for every node and value, about 50 µs a part, where this takes 1 to 3 µs
 * (a replay of B3's 44,541 notices: about 3.1 s of CPU in Liquid, 0.3 s compiled, with the
 * subject tidied and the page built around the HTML). What it compiles: text, `{{ value }}`
 * (a variable path or a literal, alone or compared, with the `escape` filter the HTML part adds),
 * `{% if %}`/`{% elsif %}`/`{% else %}` with the comparison operators, `and`, `or` and `not`, and
 * `{% for x in list %}` without modifiers nor `forloop`. Any other tag or filter returns
 * undefined, and the part is rendered by Liquid, as before.
 *
 * The compiled part follows Liquid's own rules, and uses Liquid's own operators wherever an
 * object (`nil`, `empty`, `blank`, an array) is compared with anything but a plain value. It renders data as JSON holds it (what composers build): given
 * anything else, a Drop, a function, a class instance, it throws `LeaveToLiquid`, and so it does
 * when a render grows past `fastLimits`: Liquid then renders that notice within its own limits,
 * and fails exactly as it would have. test/domain/templates/compile-fast-part.test.ts holds the
 * two to the same output.
 */
export function compileFastPart(templates: readonly Template[]): FastPart | undefined {
  let render: Emit
  try {
    render = compileNodes(templates, [])
  } catch (error) {
    if (error instanceof Unsupported) return undefined
    throw error
  }
  return (scope) => {
    if (!isJson(scope, 0)) throw new LeaveToLiquid()
    const state: RenderState = { scope: scope as Record<string, unknown>, loops: [], out: '', steps: 0 }
    render(state)
    // The last value written may be the one that makes the output too long.
    if (state.out.length > fastLimits.outputChars) throw new LeaveToLiquid()
    return state.out
  }
}

/** A compiled part: renders a scope, or throws `LeaveToLiquid` for Liquid to render it. */
export type FastPart = (scope: object) => string

/** The compiled part cannot render this scope as Liquid would: render it with Liquid. */
export class LeaveToLiquid extends Error {}

/**
 * How far a compiled render goes before it leaves the notice to Liquid. A notice with fifty loans
 * takes about a thousand steps; the limits keep a hostile template's compiled render to a few
 * milliseconds and its output below what Liquid would refuse (`templateLimits`).
 */
export const fastLimits = {
  /** Nodes written and loop turns taken, plus the operands of every expression evaluated. */
  steps: 50_000,
  /** Characters written: Liquid refuses a part past 1,000,000, and counts values escaped towards its memory limit. */
  outputChars: 500_000,
}

class Unsupported extends Error {}

type RenderState = { scope: Record<string, unknown>; loops: unknown[]; out: string; steps: number }
type Emit = (state: RenderState) => void
type Evaluate = (state: RenderState) => unknown

function spend(state: RenderState, steps: number): void {
  state.steps += steps
  if (state.steps > fastLimits.steps || state.out.length > fastLimits.outputChars) throw new LeaveToLiquid()
}

function compileNodes(templates: readonly Template[], loopNames: readonly string[]): Emit {
  const nodes = templates.map((template) => compileNode(template, loopNames))
  return (state) => {
    for (const node of nodes) node(state)
  }
}

function compileNode(template: Template, loopNames: readonly string[]): Emit {
  if (template.token.kind === TokenKind.HTML) {
    // Liquid's HTML node: the text between tags, already trimmed where a tag says `-`.
    const text = (template as unknown as { str: unknown }).str
    if (typeof text !== 'string') throw new Unsupported()
    return (state) => {
      spend(state, 1)
      state.out += text
    }
  }
  if (template instanceof Output) {
    const { initial, filters: applied } = template.value
    // The HTML engine adds `escape` to every output; more filters, or any other, are Liquid's.
    const escapes = applied.length === 1 && (applied[0] as unknown as { handler: unknown }).handler === filters.escape
    if (applied.length > (escapes ? 1 : 0)) throw new Unsupported()
    const value = compileExpression(initial.postfix, loopNames)
    return (state) => {
      spend(state, 1)
      const text = stringify(value(state))
      state.out += escapes ? escapeHtml(text) : text
    }
  }
  if (template instanceof IfTag) {
    const branches = template.branches.map((branch) => {
      if (branch.value.filters.length > 0) throw new Unsupported()
      return { test: compileExpression(branch.value.initial.postfix, loopNames), body: compileNodes(branch.templates, loopNames) }
    })
    const otherwise = compileNodes(template.elseTemplates ?? [], loopNames)
    return (state) => {
      spend(state, 1)
      for (const branch of branches) {
        if (isTruthy(branch.test(state))) return branch.body(state)
      }
      otherwise(state)
    }
  }
  if (template instanceof ForTag) {
    if (Object.keys(template.hash.hash).length > 0 || template.variable === 'forloop') throw new Unsupported()
    const collection = compileOperand(template.collection, loopNames)
    const body = compileNodes(template.templates, [...loopNames, template.variable])
    const otherwise = compileNodes(template.elseTemplates, loopNames)
    const depth = loopNames.length
    return (state) => {
      spend(state, 1)
      const items = toEnumerable(collection(state))
      if (items.length === 0) return otherwise(state)
      for (const item of items) {
        spend(state, 1)
        state.loops[depth] = item
        body(state)
      }
      state.loops.length = depth
    }
  }
  throw new Unsupported()
}

type BinaryOperator = '==' | '!=' | '>' | '<' | '>=' | '<=' | 'contains'
const comparisons: Record<BinaryOperator, (left: unknown, right: unknown) => unknown> = {
  '==': (left, right) => left === right,
  '!=': (left, right) => left !== right,
  '>': (left, right) => (left as number) > (right as number),
  '<': (left, right) => (left as number) < (right as number),
  '>=': (left, right) => (left as number) >= (right as number),
  '<=': (left, right) => (left as number) <= (right as number),
  contains: (left, right) => typeof left === 'string' && left.indexOf(right as string) > -1,
}

// `x == nil`, `x == empty` and `x == blank` for a plain value x (not an object), as Liquid's
// NullDrop, EmptyDrop and BlankDrop answer: every default template asks `author != blank`.
const isMarkerEqual: Record<string, (value: unknown) => boolean> = {
  nil: (value) => value === null || value === undefined,
  null: (value) => value === null || value === undefined,
  empty: (value) => value === '',
  blank: (value) => value === false || value === null || value === undefined || (typeof value === 'string' && /^\s*$/.test(value)),
}

type Operand = { evaluate: Evaluate; marker?: string }

// The expression as Liquid parsed it, in postfix order: operands are pushed, operators take theirs.
function compileExpression(postfix: readonly Token[], loopNames: readonly string[]): Evaluate {
  const stack: Operand[] = []
  for (const token of postfix) {
    if (token.kind !== TokenKind.Operator) {
      const literal = (token as unknown as { literal?: string }).literal
      const marker = token.kind === TokenKind.Literal && literal !== undefined && Object.hasOwn(isMarkerEqual, literal) ? literal : undefined
      stack.push({ evaluate: compileOperand(token, loopNames), marker })
      continue
    }
    const operator = (token as unknown as { operator: string }).operator
    const right = stack.pop()
    if (right === undefined) throw new Unsupported()
    if (operator === 'not') {
      stack.push({ evaluate: (state) => !isTruthy(right.evaluate(state)) })
      continue
    }
    const left = stack.pop()
    if (left === undefined) throw new Unsupported()
    stack.push({ evaluate: compileBinary(operator, left, right) })
  }
  if (stack.length !== 1) throw new Unsupported()
  const [{ evaluate }] = stack
  const steps = postfix.length
  return (state) => {
    spend(state, steps)
    return evaluate(state)
  }
}

function compileBinary(operator: string, left: Operand, right: Operand): Evaluate {
  const [a, b] = [left.evaluate, right.evaluate]
  if (operator === 'and') return (state) => isTruthy(a(state)) && isTruthy(b(state))
  if (operator === 'or') return (state) => isTruthy(a(state)) || isTruthy(b(state))
  if (!Object.hasOwn(comparisons, operator)) throw new Unsupported()
  const liquidOperator = defaultOperators[operator]
  // Anything compared with an object (a marker, an array, a hash) is compared by Liquid's own operator.
  const byLiquid = (x: unknown, y: unknown) => toValueSync(liquidOperator(x, y, undefined as never))
  const marker = left.marker ?? right.marker
  if ((operator === '==' || operator === '!=') && marker !== undefined && (left.marker === undefined || right.marker === undefined)) {
    const isEqual = isMarkerEqual[marker]
    const expected = operator === '=='
    const isMarkerLeft = left.marker !== undefined
    return (state) => {
      const x = a(state)
      const y = b(state)
      const plain = isMarkerLeft ? y : x
      return isObject(plain) ? byLiquid(x, y) : isEqual(plain) === expected
    }
  }
  // Two plain values compare as in JavaScript, as Liquid compares them.
  const compare = comparisons[operator as BinaryOperator]
  return (state) => {
    const x = a(state)
    const y = b(state)
    return isObject(x) || isObject(y) ? byLiquid(x, y) : compare(x, y)
  }
}

function compileOperand(token: Token, loopNames: readonly string[]): Evaluate {
  switch (token.kind) {
    case TokenKind.Number:
    case TokenKind.Quoted:
    case TokenKind.Literal: {
      // A number, a quoted string, or true, false, nil, empty and blank as Liquid's own values.
      const value = (token as unknown as { content: unknown }).content
      return () => value
    }
    case TokenKind.PropertyAccess:
      return compilePath(token as unknown as PathToken, loopNames)
    default:
      throw new Unsupported()
  }
}

type PathToken = { variable?: unknown; props: Array<{ kind: TokenKind; content?: unknown }> }

function compilePath(token: PathToken, loopNames: readonly string[]): Evaluate {
  if (token.variable !== undefined || token.props.length === 0) throw new Unsupported()
  const keys = token.props.map((prop) => {
    const isKey = prop.kind === TokenKind.Word || prop.kind === TokenKind.Number || prop.kind === TokenKind.Quoted
    if (!isKey || (typeof prop.content !== 'string' && typeof prop.content !== 'number')) throw new Unsupported()
    return prop.content
  })
  const [name, ...rest] = keys
  if (typeof name !== 'string' || name === 'forloop') throw new Unsupported()
  // Liquid looks a name up in the loops, innermost first, then in the scope; a name the scope
  // lacks is read from Liquid's empty globals, where `size` is 0.
  const loop = loopNames.lastIndexOf(name)
  return (state) => {
    let value = loop >= 0 ? state.loops[loop] : name in state.scope ? readProperty(state.scope, name) : readProperty(noGlobals, name)
    for (const key of rest) value = readProperty(value, key)
    return value
  }
}

const noGlobals = {}

// Liquid's Context.readProperty with ownPropertyOnly, for JSON data.
function readProperty(object: unknown, key: string | number): unknown {
  if (object === null || object === undefined) return object
  if (Array.isArray(object) && typeof key === 'number') {
    const index = key < 0 ? object.length + key : key
    return Object.hasOwn(object, index) ? object[index] : undefined
  }
  const value = Object.hasOwn(Object(object), key) ? (object as Record<string | number, unknown>)[key] : undefined
  if (key === 'size') return readSize(object as object)
  if (key === 'first') return Array.isArray(object) ? readProperty(object, 0) : value
  if (key === 'last') return Array.isArray(object) ? readProperty(object, -1) : value
  return value
}

function readSize(object: object): unknown {
  const size = (object as { size?: unknown }).size
  if (Object.hasOwn(object, 'size') || size !== undefined) return size
  if (Array.isArray(object) || typeof object === 'string') return object.length
  if (typeof object === 'object') return Object.keys(object).length
  return undefined
}

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null

// Liquid's truthiness: only false, nil and undefined are false ('' and 0 are true).
function isTruthy(value: unknown): boolean {
  const plain = toValue(value)
  return plain !== false && plain !== null && plain !== undefined
}

// Liquid's stringify: what `{{ value }}` writes.
function stringify(value: unknown): string {
  const plain = toValue(value)
  if (typeof plain === 'string') return plain
  if (plain === null || plain === undefined) return ''
  if (Array.isArray(plain)) return plain.map(stringify).join('')
  return String(plain)
}

// Liquid's toEnumerable: what `{% for %}` walks.
function toEnumerable(value: unknown): unknown[] {
  const plain = toValue(value)
  if (Array.isArray(plain)) return plain
  if (typeof plain === 'string') return plain.length > 0 ? [plain] : []
  if (isObject(plain)) return Object.keys(plain).map((key) => [key, (plain as Record<string, unknown>)[key]])
  return []
}

// Liquid's escape filter.
const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' }
const escapeHtml = (text: string) => (/[&<>"']/.test(text) ? text.replace(/[&<>"']/g, (c) => escapes[c]) : text)

// JSON as composers build it: plain objects and arrays of strings, numbers, booleans and null
// (and undefined, for a part of the context a scenario leaves out). Liquid reads anything else
// differently (a Drop, `toLiquid`, a function, a Map), so it is left to Liquid.
function isJson(value: unknown, depth: number): boolean {
  if (value === null || value === undefined) return true
  const type = typeof value
  if (type === 'string' || type === 'number' || type === 'boolean') return true
  if (type !== 'object' || depth > 32) return false
  if (Array.isArray(value)) {
    for (const item of value) if (!isJson(item, depth + 1)) return false
    return true
  }
  const prototype = Object.getPrototypeOf(value)
  if (prototype !== Object.prototype && prototype !== null) return false
  for (const key in value) if (!isJson((value as Record<string, unknown>)[key], depth + 1)) return false
  return true
}
