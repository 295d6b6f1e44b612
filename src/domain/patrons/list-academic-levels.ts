import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission, type NotAllowed } from '../staff/permissions.ts'

// "Year 10" after "Year 9", as a librarian counts them, not as text sorts them.
const byLevelOrder = new Intl.Collator('en', { numeric: true, sensitivity: 'base' }).compare

/** The library's academic levels by name, in school order ("Year 7" … "Year 12"). */
export async function listAcademicLevels(deps: Pick<AppDeps, 'db'>, input: { libraryId: number; actor: Actor }): Promise<Result<string[], NotAllowed>> {
  const refused = checkPermission(input.actor, 'lookUpContacts')
  if (refused) return err(refused)
  const rows = await deps.db.selectFrom('academic_levels').where('library_id', '=', input.libraryId).select('name').execute()
  return ok(rows.map((row) => row.name).sort(byLevelOrder))
}
