import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import type { AppDeps } from '../deps.ts'
import { queueMessages } from '../notices/outbox.ts'
import { err, ok, type Result } from '../result.ts'
import { actorLabel } from '../staff/actors.ts'
import type { TemplateError } from './errors.ts'
import { type PreviewInput, previewTemplate, type TemplatePreview } from './preview-template.ts'

/** What a test queued: the message, the address it goes to, and the preview it carries. */
export type TestSent = { messageId: string; to: string; preview: TemplatePreview }

const emailSyntax = z.email()

/**
 * Mails a template, or a draft of it, as Preview renders it, to one address only: the staff
 * member's own (the door finds it: Slack's profile of the member). It is queued like any notice
 * and sent by the dispatcher, its subject marked "[Test]"; it names no patron, so no patron's
 * email log shows it, and it counts as no notice sent.
 */
export async function sendTestTemplate(deps: Pick<AppDeps, 'db' | 'clock'>, input: PreviewInput & { to: string }): Promise<Result<TestSent, TemplateError>> {
  const to = input.to.trim()
  const preview = await previewTemplate(deps, input)
  if (!preview.ok) return preview
  if (!emailSyntax.safeParse(to).success) return err({ code: 'invalid_address', address: to })
  const { email, scenario } = preview.value
  const dedupeKey = `test:${scenario}:${deps.clock.now().toISOString()}:${randomUUID()}`
  const queued = await queueMessages(deps.db, [
    {
      libraryId: input.libraryId,
      scenario,
      dedupeKey,
      subject: `[Test] ${email.subject}`,
      html: email.html,
      text: email.text,
      status: 'queued',
      requestedBy: actorLabel(input.actor.ref),
      recipients: [{ kind: 'to', address: to }],
    },
  ])
  return ok({ messageId: queued.ids.get(dedupeKey)!, to, preview: preview.value })
}
