import { quoted } from '../text.ts'

/** A documented CSV column: its header name, and whether every file must have it. */
export type ColumnSpec = { name: string; mandatory: boolean }

export const contactColumns = [
  { name: 'username', mandatory: true },
  { name: 'role', mandatory: true },
  { name: 'type', mandatory: false },
  { name: 'address', mandatory: true },
  { name: 'primary', mandatory: false },
  { name: 'addressee', mandatory: false },
  { name: 'bcc', mandatory: false },
  { name: 'usage', mandatory: false },
  { name: 'scenarios', mandatory: false },
] as const satisfies readonly ColumnSpec[]

export const patronColumns = [
  { name: 'username', mandatory: true },
  { name: 'first_name', mandatory: false },
  { name: 'last_name', mandatory: false },
  { name: 'type', mandatory: false },
  { name: 'academic_level', mandatory: false },
  { name: 'groups', mandatory: false },
  { name: 'enabled', mandatory: false },
] as const satisfies readonly ColumnSpec[]

// "First Name", "first_name", "FIRSTNAME" and " first-name " are one header.
const headerKey = (header: string) => header.toLowerCase().replace(/[\s_-]/g, '')

type HeaderProblem = { line: 1; column: string; message: string; severity: 'error' | 'warning' }

/** Maps each documented column to its index in the file, and names what is missing or unknown. */
export function matchHeader<C extends readonly ColumnSpec[]>(
  specs: C,
  header: readonly string[],
): { positions: Partial<Record<C[number]['name'], number>>; problems: HeaderProblem[] } {
  const positions: Partial<Record<string, number>> = {}
  const problems: HeaderProblem[] = []
  header.forEach((raw, index) => {
    const name = raw.trim()
    if (name === '') return
    const spec = specs.find((s) => headerKey(s.name) === headerKey(name))
    if (!spec) {
      problems.push({ line: 1, column: name, severity: 'warning', message: `unknown column ${quoted(name)} is ignored` })
    } else if (positions[spec.name] !== undefined) {
      problems.push({ line: 1, column: name, severity: 'error', message: `column ${spec.name} appears twice` })
    } else positions[spec.name] = index
  })
  for (const spec of specs) {
    if (spec.mandatory && positions[spec.name] === undefined) {
      problems.push({ line: 1, column: spec.name, severity: 'error', message: `mandatory column ${spec.name} is missing` })
    }
  }
  return { positions: positions as Partial<Record<C[number]['name'], number>>, problems }
}

const truthy = new Set(['true', 'yes', 'y', '1'])
const falsy = new Set(['false', 'no', 'n', '0'])

/** true/false, yes/no, y/n, 1/0 in any case; empty is `fallback`; anything else is undefined. */
export function parseYesNo(value: string, fallback: boolean | null): boolean | null | undefined {
  const v = value.trim().toLowerCase()
  if (v === '') return fallback
  if (truthy.has(v)) return true
  if (falsy.has(v)) return false
  return undefined
}
