import type { AppDeps } from '../deps.ts'
import { err, type Result } from '../result.ts'
import type { Actor } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { PreferencesFilterIds } from './choose-preferences-filter.ts'
import type { PreferencesWizardError } from './errors.ts'
import type { PreferencesBatchRequest } from './preferences-batch.ts'
import { type PreferencesBatchPreview, previewPreferencesBatch } from './preview-preferences-batch.ts'
import { findFilterNames } from './queries.ts'

/** The wizard's answers: the batch's request, with the filter its earlier step checked, as ids. */
export type ChosenPreferences = Omit<PreferencesBatchRequest, 'filter'> & { filter: PreferencesFilterIds }

/**
 * The preview of the preferences batch from the wizard's steps: the filter chosen at an earlier
 * step, as ids, is named again and previewed (and staged) as the batch's request. A level, group or patron the
 * library no longer has refuses the preview: dropping it would widen the batch.
 */
export async function previewChosenPreferences(
  deps: Pick<AppDeps, 'db' | 'clock'>,
  input: { libraryId: number; actor: Actor; chosen: ChosenPreferences },
): Promise<Result<PreferencesBatchPreview, PreferencesWizardError>> {
  const refused = checkPermission(input.actor, 'runPreferencesBatch')
  if (refused) return err(refused)
  const { filter, ...chosen } = input.chosen
  const names = await findFilterNames(deps.db, { libraryId: input.libraryId, ...filter })
  const stillThere =
    names.academicLevels.length === filter.academicLevelIds.length &&
    names.groups.length === filter.groupIds.length &&
    names.usernames.length === filter.patronIds.length
  if (!stillThere) return err({ code: 'filter_out_of_date' })
  return previewPreferencesBatch(deps, { libraryId: input.libraryId, actor: input.actor, request: { ...chosen, filter: names } })
}
