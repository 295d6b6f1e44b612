import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { LibrarySettingsError } from './errors.ts'
import { findLibrarySettings } from './queries.ts'
import type { LibrarySettings } from './scenario-view.ts'

/** The library's notice settings. Viewers may look. */
export async function getLibrarySettings(
  deps: Pick<AppDeps, 'db'>,
  input: { libraryId: number; actor: Actor },
): Promise<Result<LibrarySettings, LibrarySettingsError>> {
  const refused = checkPermission(input.actor, 'lookUpContacts')
  if (refused) return err(refused)
  const settings = await findLibrarySettings(deps.db, input.libraryId)
  return settings ? ok(settings) : err({ code: 'library_not_found', libraryId: input.libraryId })
}
