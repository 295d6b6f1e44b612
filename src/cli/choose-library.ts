import { listLibraries } from '../domain/libraries/add-library.ts'
import { err, ok, type Result } from '../domain/result.ts'
import type { CliDeps, CliError } from './command.ts'

/**
 * The library a command works on: the one given, which must exist (a typo must not read as an
 * empty library), or, when none is given, the deployment's only library.
 */
export async function chooseLibrary(deps: Pick<CliDeps, 'db'>, libraryId: number | undefined): Promise<Result<number, CliError>> {
  const libraries = await listLibraries(deps)
  if (libraryId === undefined) return libraries.length === 1 ? ok(libraries[0].id) : err({ code: 'library_needed', libraryCount: libraries.length })
  return libraries.some((library) => library.id === libraryId) ? ok(libraryId) : err({ code: 'library_not_found', libraryId })
}
