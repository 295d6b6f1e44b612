import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission, type NotAllowed } from '../staff/permissions.ts'

const byName = new Intl.Collator('en', { numeric: true, sensitivity: 'base' }).compare

/** The library's patron groups by name (the purge's filter, among others). */
export async function listLibraryGroups(deps: Pick<AppDeps, 'db'>, input: { libraryId: number; actor: Actor }): Promise<Result<string[], NotAllowed>> {
  const refused = checkPermission(input.actor, 'lookUpContacts')
  if (refused) return err(refused)
  const rows = await deps.db.selectFrom('library_groups').where('library_id', '=', input.libraryId).select('name').execute()
  return ok(rows.map((row) => row.name).sort(byName))
}
