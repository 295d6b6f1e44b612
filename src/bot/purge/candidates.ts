import type { types } from '@slack/bolt'
import type { AppDeps } from '../../domain/deps.ts'
import { listAcademicLevels } from '../../domain/patrons/list-academic-levels.ts'
import { listLibraryGroups } from '../../domain/patrons/list-library-groups.ts'
import type { PurgeError } from '../../domain/purge/errors.ts'
import { listPurgeCandidates } from '../../domain/purge/list-purge-candidates.ts'
import { err, ok, type Result } from '../../domain/result.ts'
import type { BotContext } from '../workspace.ts'
import { type CandidatesState, candidatesModal } from './modal-views.ts'

/** The candidates modal for `state`, read afresh: the command, Show, Previous/Next and a return from the loans dialog all draw it. */
export async function candidatesView(
  deps: AppDeps,
  context: BotContext,
  state: CandidatesState,
  notice?: string,
): Promise<Result<types.ModalView, PurgeError>> {
  const { library, actor } = context
  const page = await listPurgeCandidates(deps, { libraryId: library.id, actor, page: state.page, pageSize: state.pageSize, filter: state.filter })
  if (!page.ok) return page
  // A page past the end (patrons purged meanwhile) shows the last one.
  if (page.value.candidates.length === 0 && state.page > 1 && page.value.pages >= 1 && state.page > page.value.pages) {
    return candidatesView(deps, context, { ...state, page: page.value.pages }, notice)
  }
  const levels = await listAcademicLevels(deps, { libraryId: library.id, actor })
  if (!levels.ok) return err(levels.error)
  const groups = await listLibraryGroups(deps, { libraryId: library.id, actor })
  if (!groups.ok) return err(groups.error)
  const shown = { ...state, page: page.value.page }
  return ok(candidatesModal({ state: shown, page: page.value, levels: levels.value, groups: groups.value, libraryName: library.name, notice }))
}
