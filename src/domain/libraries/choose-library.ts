import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import type { ChooseLibraryError, LibrarySummary } from './errors.ts'
import { selectLibraries } from './queries.ts'

/**
 * The library a request works on: the one it names, which must exist (a typo must not read as
 * an empty library), or, when it names none, the deployment's only library: most deployments
 * serve one school.
 */
export async function chooseLibrary(deps: Pick<AppDeps, 'db'>, input: { libraryId: number | undefined }): Promise<Result<LibrarySummary, ChooseLibraryError>> {
  const libraries = await selectLibraries(deps.db)
  if (input.libraryId === undefined) return libraries.length === 1 ? ok(libraries[0]) : err({ code: 'library_needed', libraryCount: libraries.length })
  const library = libraries.find((candidate) => candidate.id === input.libraryId)
  return library ? ok(library) : err({ code: 'library_not_found', libraryId: input.libraryId })
}
