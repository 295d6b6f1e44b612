import { z } from 'zod'
import { recordAudit } from '../audit/record-audit.ts'
import type { AppDeps } from '../deps.ts'
import { isTimeZone } from '../libraries/add-library.ts'
import { err, ok, type Result } from '../result.ts'
import { type Actor, actorLabel } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import { quoted, unstorableText } from '../text.ts'
import type { LibrarySettingsError, LibrarySettingsProblem } from './errors.ts'
import { lockLibrarySettings, updateLibrarySettingsRow } from './queries.ts'
import type { LibrarySettings } from './scenario-view.ts'

/** The settings to change; what is left out keeps its value. null clears the reply-to address and the report channel. */
export type LibrarySettingsChanges = Partial<LibrarySettings>

export const maxSenderNameLength = 100

/** 'HH:MM' on a 24-hour clock: 00:00 to 23:59. */
export const isRunTime = (value: string): boolean => /^([01][0-9]|2[0-3]):[0-5][0-9]$/.test(value)

/** A Slack channel id as Slack writes them: C… (G… for an older private channel), capitals and digits. */
export const isSlackChannelId = (value: string): boolean => /^[CG][A-Z0-9]{2,}$/.test(value)

const emailSyntax = z.email()

/** Changes the library's notice settings, all checked first; audited with before and after. */
export async function updateLibrarySettings(
  deps: Pick<AppDeps, 'db'>,
  input: { libraryId: number; changes: LibrarySettingsChanges; actor: Actor },
): Promise<Result<LibrarySettings, LibrarySettingsError>> {
  const refused = checkPermission(input.actor, 'changeNoticeSettings')
  if (refused) return err(refused)
  const changes = { ...input.changes, ...(typeof input.changes.senderName === 'string' && { senderName: input.changes.senderName.trim() }) }
  const problems = checkLibrarySettings(changes)
  if (problems.length > 0) return err({ code: 'invalid_library_settings', problems })

  return deps.db.transaction().execute(async (tx) => {
    const before = await lockLibrarySettings(tx, input.libraryId)
    if (!before) return err({ code: 'library_not_found', libraryId: input.libraryId } as const)
    const after: LibrarySettings = {
      timeZone: changes.timeZone ?? before.timeZone,
      runAt: changes.runAt ?? before.runAt,
      bccDefault: changes.bccDefault ?? before.bccDefault,
      senderName: changes.senderName ?? before.senderName,
      replyTo: changes.replyTo !== undefined ? changes.replyTo : before.replyTo,
      slackChannel: changes.slackChannel !== undefined ? changes.slackChannel : before.slackChannel,
      retainDeletedPatronLoans: changes.retainDeletedPatronLoans ?? before.retainDeletedPatronLoans,
    }
    await updateLibrarySettingsRow(tx, input.libraryId, after)
    await recordAudit(tx, {
      libraryId: input.libraryId,
      actor: actorLabel(input.actor.ref),
      action: 'library.settings_updated',
      subjectType: 'library',
      subjectId: input.libraryId,
      before,
      after,
    })
    return ok(after)
  })
}

/** Each change's problem, named by its field. */
function checkLibrarySettings(changes: LibrarySettingsChanges): LibrarySettingsProblem[] {
  const problems: LibrarySettingsProblem[] = []
  const { timeZone, runAt, senderName, replyTo, slackChannel } = changes
  if (timeZone !== undefined && !isTimeZone(timeZone)) {
    problems.push({ field: 'timeZone', message: `${quoted(timeZone)} is not a time zone: give one such as Australia/Sydney or Europe/London` })
  }
  if (runAt !== undefined && !isRunTime(runAt)) {
    problems.push({ field: 'runAt', message: `${quoted(runAt)} is not a time: give hours and minutes on a 24-hour clock, such as 02:00` })
  }
  if (senderName !== undefined) {
    const text = unstorableText(senderName)
    if (text) problems.push({ field: 'senderName', message: `The sender name ${text}` })
    else if (/[\r\n\u2028\u2029]/.test(senderName)) problems.push({ field: 'senderName', message: 'The sender name must be on one line' })
    else if (senderName.length > maxSenderNameLength) {
      problems.push({ field: 'senderName', message: `The sender name is longer than ${maxSenderNameLength} characters` })
    }
  }
  if (replyTo !== undefined && replyTo !== null && !(replyTo.length <= 320 && emailSyntax.safeParse(replyTo).success)) {
    problems.push({ field: 'replyTo', message: `${quoted(replyTo)} is not an email address` })
  }
  if (slackChannel !== undefined && slackChannel !== null && !isSlackChannelId(slackChannel)) {
    problems.push({ field: 'slackChannel', message: `${quoted(slackChannel)} is not a Slack channel id, such as C0123ABCD` })
  }
  return problems
}
