import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import type { UnsubscribeError } from './errors.ts'
import { type NoticeGroup, noticeGroupOf } from './groups.ts'
import { findUnsubscribeSubject, type UnsubscribeSubject } from './queries.ts'
import { readUnsubscribeToken } from './unsubscribe-token.ts'

/**
 * What the unsubscribe page says: which kind of notice about which patron (the first name only:
 * no more than the email showed), and, when the email had one recipient, whether they stopped it.
 * With several, the page cannot know who reads it, and asks for the address.
 */
export type UnsubscribeView = {
  libraryName: string
  patronFirstName: string
  group: NoticeGroup
  reader: { kind: 'one'; stopped: boolean } | { kind: 'several' }
}

export type UnsubscribeDeps = Pick<AppDeps, 'db'> & { unsubscribeSecret: string }

/** The link's page, as it stands: reading it changes nothing (mail scanners open links). */
export async function showUnsubscribe(deps: UnsubscribeDeps, input: { token: string }): Promise<Result<UnsubscribeView, UnsubscribeError>> {
  const found = await findLinkSubject(deps, input.token)
  if (!found.ok) return found
  return ok(viewOf(found.value.subject, found.value.group))
}

/** The message a token names, if the token is genuine and the message a notice a recipient may stop. */
export async function findLinkSubject(
  deps: UnsubscribeDeps,
  token: string,
): Promise<Result<{ subject: UnsubscribeSubject; group: NoticeGroup }, UnsubscribeError>> {
  const messageId = readUnsubscribeToken(deps.unsubscribeSecret, token)
  if (messageId === null) return err({ code: 'invalid_link' })
  const subject = await findUnsubscribeSubject(deps.db, messageId)
  const group = subject === undefined ? null : noticeGroupOf(subject.scenario)
  if (subject === undefined || group === null || subject.contacts.length === 0) return err({ code: 'invalid_link' })
  return ok({ subject, group })
}

export function viewOf(subject: UnsubscribeSubject, group: NoticeGroup): UnsubscribeView {
  const [only] = subject.contacts
  return {
    libraryName: subject.libraryName,
    patronFirstName: subject.patronFirstName,
    group,
    reader: subject.contacts.length === 1 ? { kind: 'one', stopped: only.stoppedGroups.includes(group) } : { kind: 'several' },
  }
}
