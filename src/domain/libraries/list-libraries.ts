import type { AppDeps } from '../deps.ts'
import type { LibrarySummary } from './errors.ts'
import { selectLibraries } from './queries.ts'

/** Every library of the deployment, oldest first (the IT admin's view: the tool). */
export async function listLibraries(deps: Pick<AppDeps, 'db'>): Promise<LibrarySummary[]> {
  return selectLibraries(deps.db)
}
