import { type CopyValue, valuesInOrder } from '../../db/bulk-load.ts'
import type { ImportContactRowsTable } from '../../db/schema.ts'
import {
  type BccPreference,
  bccPreferences,
  type ContactField,
  type ContactRole,
  type ContactType,
  type ContactUsage,
  contactRoles,
  contactTypes,
  contactUsages,
  validateContactFields,
} from '../contacts/contact-fields.ts'
import { contactScenarioNames } from '../scenarios/catalogue.ts'
import { quoted } from '../text.ts'
import { type contactColumns, parseYesNo } from './columns.ts'
import type { ImportProblem } from './errors.ts'

type Positions = Partial<Record<(typeof contactColumns)[number]['name'], number>>

/** The staging table's columns, in the order COPY writes them (each a column of ImportContactRowsTable). */
export const stagedContactColumns = [
  'batch_id',
  'line',
  'username',
  'role',
  'type',
  'address',
  'address_key',
  'is_primary',
  'addressee',
  'bcc',
  'usage',
  'scenarios',
  'patron_id',
] as const satisfies readonly (keyof ImportContactRowsTable)[]

const aliases: Record<string, string> = { 'social media': 'social', 'school default': 'default', 'record keeping only': 'none', 'any scenario': 'any' }

function pick<T extends string>(allowed: readonly T[], raw: string, fallback: T | undefined): T | undefined {
  const value = raw.trim().toLowerCase()
  if (value === '') return fallback
  const canonical = aliases[value] ?? value
  return (allowed as readonly string[]).includes(canonical) ? (canonical as T) : undefined
}

const fieldColumn: Record<ContactField, string> = {
  role: 'role',
  type: 'type',
  address: 'address',
  primary: 'primary',
  addressee: 'addressee',
  bcc: 'bcc',
  usage: 'usage',
  scenarios: 'scenarios',
}

/**
 * Checks one contacts row against the documented columns and the library's patrons (`patronIdOf`
 * finds one by username, in any case). Returns the staged values, or the row's problems, each
 * with its line and column.
 */
export function readContactRow(
  batchId: number,
  line: number,
  fields: readonly string[],
  positions: Positions,
  patronIdOf: (username: string) => number | undefined,
): { row: CopyValue[]; username: string; patronId: number; isPrimary: boolean } | { problems: ImportProblem[] } {
  const cell = (name: keyof Positions) => {
    const index = positions[name]
    return index === undefined ? '' : (fields[index] ?? '')
  }
  const problems: ImportProblem[] = []
  const problem = (column: string, message: string) => problems.push({ line, column, message })

  const username = cell('username').trim()
  const patronId = username === '' ? undefined : patronIdOf(username)
  if (username === '') problem('username', 'username is empty')
  else if (patronId === undefined) problem('username', `no patron with username ${quoted(username)} in this library`)
  const roleRaw = cell('role')
  const role = pick<ContactRole>(contactRoles, roleRaw, undefined)
  if (!role)
    problem('role', roleRaw.trim() === '' ? 'role is empty (patron, guardian or other)' : `unknown role ${quoted(roleRaw)} (patron, guardian or other)`)
  const typeRaw = cell('type')
  const type = pick<ContactType>(contactTypes, typeRaw, 'email')
  if (!type) problem('type', `unknown type ${quoted(typeRaw)} (email, phone or social)`)
  const primaryRaw = cell('primary')
  const isPrimary = parseYesNo(primaryRaw, false)
  if (isPrimary === undefined || isPrimary === null) problem('primary', `${quoted(primaryRaw)} is not yes or no`)
  const bccRaw = cell('bcc')
  const bcc = pick<BccPreference>(bccPreferences, bccRaw, 'default')
  if (!bcc) problem('bcc', `unknown BCC preference ${quoted(bccRaw)} (yes, no or default)`)
  const usageRaw = cell('usage')
  const usage = pick<ContactUsage>(contactUsages, usageRaw, 'any')
  if (!usage) problem('usage', `unknown usage ${quoted(usageRaw)} (any, none or custom)`)

  // Scenario names match in any case; an empty list for custom usage means every scenario.
  const scenarioCell = cell('scenarios').trim()
  let scenarios: string[] | undefined
  if (usage === 'custom' && scenarioCell !== '') {
    scenarios = []
    for (const name of scenarioCell
      .split(';')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const known = contactScenarioNames.find((s) => s === name.toLowerCase())
      if (known) scenarios.push(known)
      else problem('scenarios', `unknown scenario ${quoted(name)}`)
    }
  }
  if (problems.length > 0 || !role || !type || !bcc || !usage || typeof isPrimary !== 'boolean' || patronId === undefined) return { problems }

  const valid = validateContactFields({ role, type, address: cell('address'), isPrimary, addressee: cell('addressee'), bcc, usage, scenarios })
  if (!valid.ok) {
    return { problems: valid.error.map((p) => ({ line, column: fieldColumn[p.field], message: lowerFirst(p.message) })) }
  }
  const c = valid.value
  return {
    username,
    patronId,
    isPrimary: c.isPrimary,
    row: valuesInOrder(stagedContactColumns, {
      batch_id: batchId,
      line,
      username,
      role: c.role,
      type: c.type,
      address: c.address,
      address_key: c.addressKey,
      is_primary: c.isPrimary,
      addressee: c.addressee,
      bcc: c.bcc,
      usage: c.usage,
      // Sorted as the plan compares them with a contact's (matchFileRows, collate "C").
      scenarios: c.scenarios.sort().join(';'),
      patron_id: patronId,
    }),
  }
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1)
