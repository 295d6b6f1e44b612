import { type CopyValue, valuesInOrder } from '../../db/bulk-load.ts'
import type { ImportPatronRowsTable } from '../../db/schema.ts'
import { type PatronType, patronTypes } from '../patrons/patron-view.ts'
import { quoted } from '../text.ts'
import { parseYesNo, type patronColumns } from './columns.ts'
import type { ImportProblem } from './errors.ts'

type Positions = Partial<Record<(typeof patronColumns)[number]['name'], number>>

/** The staging table's columns, in the order COPY writes them (each a column of ImportPatronRowsTable). */
export const stagedPatronColumns = [
  'batch_id',
  'line',
  'username',
  'first_name',
  'last_name',
  'type',
  'academic_level',
  'groups',
  'enabled',
] as const satisfies readonly (keyof ImportPatronRowsTable)[]

/**
 * Checks one patrons row. A column the file leaves out is staged as null and keeps the stored
 * value, so `username,enabled` touches nothing but `enabled` (seed 004's bulk deactivation).
 */
export function readPatronRow(
  batchId: number,
  line: number,
  fields: readonly string[],
  positions: Positions,
): { row: CopyValue[]; username: string } | { problems: ImportProblem[] } {
  const cell = (name: keyof Positions): string | null => {
    const index = positions[name]
    return index === undefined ? null : (fields[index] ?? '').trim()
  }
  const problems: ImportProblem[] = []
  const username = cell('username') ?? ''
  if (username === '') problems.push({ line, column: 'username', message: 'username is empty' })
  else if (username.length > 100) problems.push({ line, column: 'username', message: 'username is longer than 100 characters' })

  const typeCell = cell('type')
  let type: PatronType | null = null
  if (typeCell !== null && typeCell !== '') {
    const value = typeCell.toLowerCase()
    if ((patronTypes as readonly string[]).includes(value)) type = value as PatronType
    else problems.push({ line, column: 'type', message: `unknown type ${quoted(typeCell)} (student or staff)` })
  }
  const enabledCell = cell('enabled')
  let enabled: boolean | null = null
  if (enabledCell !== null) {
    const value = parseYesNo(enabledCell, null)
    if (value === undefined) problems.push({ line, column: 'enabled', message: `${quoted(enabledCell)} is not true or false` })
    else enabled = value
  }
  if (problems.length > 0) return { problems }
  const groupsCell = cell('groups')
  const groups =
    groupsCell === null
      ? null
      : groupsCell
          .split(';')
          .map((g) => g.trim())
          .filter(Boolean)
          .join(';')
  return {
    username,
    // An empty level cell clears the level (staged as ''); a missing column keeps it (null).
    row: valuesInOrder(stagedPatronColumns, {
      batch_id: batchId,
      line,
      username,
      first_name: cell('first_name'),
      last_name: cell('last_name'),
      type,
      academic_level: cell('academic_level'),
      groups,
      enabled,
    }),
  }
}
