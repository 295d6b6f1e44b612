import { createHash } from 'node:crypto'
import { recordAudit } from '../audit/record-audit.ts'
import { queueMessages, secretMarker } from '../notices/outbox.ts'
import { err, ok, type Result } from '../result.ts'
import { type Actor, actorLabel } from '../staff/actors.ts'
import { checkPermission } from '../staff/permissions.ts'
import type { Change, NoticeOutcome } from './circulation-view.ts'
import type { CirculationError } from './errors.ts'
import { type CirculationDeps, composeEventNotice } from './event-notices.ts'
import { findPatronId, hasMessage, inTransaction } from './queries.ts'

/**
 * Mails a patron the password-reset link of the library system, to the patron's own address only
 * (seed 001). The link is a secret: the stored email holds `secretMarker` where it goes, and the
 * link itself waits in `message_secrets` for the dispatcher, which puts it in the email it sends.
 * It is never logged, audited or shown. The same link again queues nothing new.
 */
export async function requestPasswordReset(
  deps: CirculationDeps,
  input: { libraryId: number; username: string; link: string; actor: Actor },
): Promise<Result<{ result: Change; notice: NoticeOutcome | null }, CirculationError>> {
  const refused = checkPermission(input.actor, 'feedCirculation')
  if (refused) return err(refused)
  const { libraryId } = input

  return inTransaction<{ result: Change; notice: NoticeOutcome | null }, CirculationError>(deps.db, async (tx) => {
    const patron = await findPatronId(tx, { libraryId, username: input.username })
    if (!patron) return err({ code: 'patron_not_found', field: 'username', username: input.username } as const)
    // A digest of the link names the request: a repeat of the same link is the same request.
    const dedupeKey = `account.password_reset:${patron.id}:${createHash('sha256').update(input.link).digest('hex').slice(0, 32)}`
    if (await hasMessage(tx, { libraryId, dedupeKey })) return ok({ result: 'unchanged' as Change, notice: null })

    const composed = await composeEventNotice(tx, deps.renderer, {
      libraryId,
      scenario: 'account.password_reset',
      draft: { patronId: patron.id, dedupeKey, context: { reset_link: secretMarker }, secret: input.link },
    })
    let { message, notice } = composed
    if (message) {
      // An email without its link is no use to the patron: a template that leaves it out is an error.
      if (message.status === 'queued' && !message.text.includes(secretMarker) && !message.html.includes(secretMarker)) {
        message = { ...message, status: 'skipped', reason: 'template_error' }
        notice = { scenario: message.scenario, status: 'skipped', reason: 'template_error' }
      }
      // A message that will never be sent keeps no secret.
      if (message.status !== 'queued') message = { ...message, secret: undefined }
      // The same link sent twice at once: the second finds the first's message, and is a repeat.
      const { duplicates } = await queueMessages(tx, [message])
      if (duplicates > 0) return ok({ result: 'unchanged' as Change, notice: null })
    }
    await recordAudit(tx, {
      libraryId,
      actor: actorLabel(input.actor.ref),
      action: 'password_reset.requested',
      subjectType: 'patron',
      subjectId: patron.id,
      patronId: patron.id,
      details: { notice },
    })
    return ok({ result: 'created' as Change, notice })
  })
}
