import type { ScenarioName } from '../scenarios/catalogue.ts'

/** A placeholder as staff read it in the template modal and in docs/staff/templates.md. */
export type Placeholder = { name: string; about: string }

/**
 * What a scenario offers, as a tree of the names of `NoticeContext` (src/domain/templates/context.ts):
 * a value, a group of named values, or a list that templates loop over (`{% for loan in loans %}`),
 * whose items are named `item` inside the loop. `more` is said of a list whose items may carry
 * other fields, by any name (an order line's details, as the library system sent them).
 */
export type PlaceholderShape =
  | { kind: 'value'; about: string }
  | { kind: 'group'; fields: Record<string, PlaceholderShape> }
  | { kind: 'list'; about: string; item: string; fields: Record<string, PlaceholderShape>; more?: string }

const value = (about: string): PlaceholderShape => ({ kind: 'value', about })
const group = (fields: Record<string, PlaceholderShape>): PlaceholderShape => ({ kind: 'group', fields })

const library = { library: group({ name: value('The library’s name') }) }

const patron = {
  addressee: value('Who the email greets: the names of its recipients (“Mrs Silva and Mr Silva”), or else the patron’s first name'),
  patron: group({
    first_name: value('The patron’s first name'),
    last_name: value('The patron’s last name'),
    full_name: value('The patron’s first and last name'),
    username: value('The patron’s username in the library system'),
  }),
}

const loanFields = {
  title: value('The title of the item'),
  author: value('Its author'),
  barcode: value('Its barcode'),
  checked_out_on: value('The day it was checked out, as 2026-03-02'),
  checked_out_on_text: value('The same day written out: Monday 2 March 2026'),
  due_date: value('The due date, as 2026-03-02'),
  due_date_text: value('The due date written out: Monday 2 March 2026'),
  days_overdue: value('How many days past its due date it is'),
  days_until_due: value('How many days are left until it is due'),
}

type LoanField = keyof typeof loanFields

function loans(about: string, fields: readonly LoanField[]): Record<string, PlaceholderShape> {
  return {
    loans: {
      kind: 'list',
      about: `${about}: loop over them with {% for loan in loans %} … {% endfor %}`,
      item: 'loan',
      fields: Object.fromEntries(fields.map((field) => [field, loanFields[field]])),
    },
  }
}

const itemFields: LoanField[] = ['title', 'author', 'barcode', 'checked_out_on', 'checked_out_on_text', 'due_date', 'due_date_text']
const overdueLoans = (about: string) => loans(about, [...itemFields, 'days_overdue'])

function reservation(withPickup: boolean): Record<string, PlaceholderShape> {
  return {
    reservation: group({
      title: value('The title of the reserved item'),
      author: value('Its author'),
      barcode: value('Its barcode'),
      placed_on: value('The day the reservation was placed, as 2026-03-02'),
      placed_on_text: value('The same day written out: Monday 2 March 2026'),
      ...(withPickup && {
        pickup_by: value('The last day to collect it, as 2026-03-02'),
        pickup_by_text: value('The same day written out: Monday 2 March 2026'),
      }),
    }),
  }
}

const order = {
  addressee: value('The supplier’s name'),
  order: group({
    number: value('The order’s number in the library system'),
    placed_on: value('The day the order was placed, as 2026-03-02'),
    placed_on_text: value('The same day written out: Monday 2 March 2026'),
    supplier: group({ name: value('The supplier’s name') }),
    lines: {
      kind: 'list',
      about: 'The lines of the order, in order: loop over them with {% for line in order.lines %} … {% endfor %}',
      item: 'line',
      fields: {
        line_no: value('The line’s number'),
        title: value('The title ordered'),
        quantity: value('How many copies'),
      },
      more: 'Anything else the library system sent with the line, by its name, such as line.isbn',
    },
  }),
}

const resetLink = {
  reset_link: value('The link that lets the patron choose a new password. It is put in when the email is sent, and never stored where anyone can read it'),
}

/** The placeholders each scenario offers, as its composer fills them. */
export const scenarioPlaceholders: Record<ScenarioName, Record<string, PlaceholderShape>> = {
  'circulation.pre_overdue': { ...library, ...patron, ...loans('The loans falling due soon, soonest first', [...itemFields, 'days_until_due']) },
  'circulation.overdue': { ...library, ...patron, ...overdueLoans('The overdue loans, most overdue first') },
  'circulation.escalation_1': { ...library, ...patron, ...overdueLoans('The overdue loans, most overdue first') },
  'circulation.escalation_2': { ...library, ...patron, ...overdueLoans('The overdue loans, most overdue first') },
  'circulation.escalation_3': { ...library, ...patron, ...overdueLoans('The overdue loans, most overdue first') },
  'circulation.recall': { ...library, ...patron, ...loans('The recalled loans', [...itemFields, 'days_overdue', 'days_until_due']) },
  'reservation.requested': { ...library, ...patron, ...reservation(false) },
  'reservation.ready': { ...library, ...patron, ...reservation(true) },
  'reservation.expiring': { ...library, ...patron, ...reservation(true) },
  'reservation.expired': { ...library, ...patron, ...reservation(true) },
  'reservation.cancelled': { ...library, ...patron, ...reservation(false) },
  'lending.loan_receipt': { ...library, ...patron, ...loans('The items just checked out', itemFields) },
  'account.password_reset': { ...library, ...patron, ...resetLink },
  'acquisitions.order': { ...library, ...order },
}

/** A scenario's placeholders, one line each, in the order staff read them. */
export function placeholdersOf(scenario: ScenarioName): Placeholder[] {
  const listed: Placeholder[] = []
  const walk = (fields: Record<string, PlaceholderShape>, prefix: string) => {
    for (const [name, shape] of Object.entries(fields)) {
      const path = `${prefix}${name}`
      if (shape.kind === 'value') listed.push({ name: path, about: shape.about })
      else if (shape.kind === 'group') walk(shape.fields, `${path}.`)
      else {
        listed.push({ name: path, about: shape.about })
        walk(shape.fields, `${shape.item}.`)
        if (shape.more) listed.push({ name: `${shape.item}.…`, about: shape.more })
      }
    }
  }
  walk(scenarioPlaceholders[scenario], '')
  return listed
}

/** A path into the context as Liquid reads it: names, list indexes, and `loans[i]`'s variable index. */
export type PlaceholderPath = ReadonlyArray<string | number | { dynamic: true }>

/**
 * Whether `path` names something `fields` offers. Lists take an index (`loans[0]`, `loans[i]`),
 * `first` and `last`; lists and values take `size`, as Liquid gives them.
 */
export function isOffered(fields: Record<string, PlaceholderShape>, path: PlaceholderPath): boolean {
  let shape: PlaceholderShape | 'anything' | 'size' = { kind: 'group', fields }
  for (const segment of path) {
    if (shape === 'anything') return true
    if (shape === 'size') return false
    if (shape.kind === 'group') {
      const next: PlaceholderShape | undefined = typeof segment === 'string' && Object.hasOwn(shape.fields, segment) ? shape.fields[segment] : undefined
      if (next === undefined) return false
      shape = next
    } else if (shape.kind === 'list') {
      if (segment === 'size') shape = 'size'
      else if (typeof segment === 'number' || typeof segment === 'object' || segment === 'first' || segment === 'last') shape = itemShape(shape)
      else return false
    } else if (segment === 'size') shape = 'size'
    else return false
  }
  return true
}

/** What a loop's item is: `loan` in `{% for loan in loans %}`. */
export function itemShape(list: Extract<PlaceholderShape, { kind: 'list' }>): PlaceholderShape | 'anything' {
  return list.more ? 'anything' : { kind: 'group', fields: list.fields }
}

/** The list a loop goes over, by its path as written (`loans`, `order.lines`), if the scenario offers it. */
export function listAt(fields: Record<string, PlaceholderShape>, path: readonly string[]): Extract<PlaceholderShape, { kind: 'list' }> | undefined {
  let shape: PlaceholderShape = { kind: 'group', fields }
  for (const name of path) {
    if (shape.kind !== 'group' || !Object.hasOwn(shape.fields, name)) return undefined
    shape = shape.fields[name]
  }
  return shape.kind === 'list' ? shape : undefined
}
