import { emailAddressKey } from '../contacts/contact-fields.ts'
import type { AppDeps } from '../deps.ts'
import { err, ok, type Result } from '../result.ts'
import type { UnsubscribeError } from './errors.ts'
import { type NoticeGroup, noticeGroupOf } from './groups.ts'
import { findUnsubscribeSubject, type UnsubscribeSubject } from './queries.ts'
import { readUnsubscribeToken } from './unsubscribe-token.ts'

/**
 * What the unsubscribe page says: which kind of notice about which patron (the first name only:
 * no more than the email showed), and whether the copy's recipient has stopped it.
 */
export type UnsubscribeView = {
  libraryName: string
  patronFirstName: string
  group: NoticeGroup
  stopped: boolean
}

export type UnsubscribeDeps = Pick<AppDeps, 'db'> & { unsubscribeSecret: string }

/** The link's page, as it stands: reading it changes nothing (mail scanners open links). */
export async function showUnsubscribe(deps: UnsubscribeDeps, input: { token: string }): Promise<Result<UnsubscribeView, UnsubscribeError>> {
  const found = await findLinkSubject(deps, input.token)
  if (!found.ok) return found
  return ok(viewOf(found.value.subject, found.value.group))
}

/**
 * The copy a token names, if the token is genuine, the message a notice its recipient may stop,
 * and its contact still at the address the copy went to.
 */
export async function findLinkSubject(
  deps: UnsubscribeDeps,
  token: string,
): Promise<Result<{ subject: UnsubscribeSubject; group: NoticeGroup }, UnsubscribeError>> {
  const copy = readUnsubscribeToken(deps.unsubscribeSecret, token)
  if (copy === null) return err({ code: 'invalid_link' })
  const subject = await findUnsubscribeSubject(deps.db, copy)
  const group = subject === undefined ? null : noticeGroupOf(subject.scenario)
  if (subject === undefined || group === null) return err({ code: 'invalid_link' })
  // The contact keeps its id when staff change its address: the link names the contact, but only
  // the person the copy reached may use it, so it acts while the contact still holds that address.
  if (emailAddressKey(subject.contact.address) !== subject.contact.addressKey) return err({ code: 'link_no_longer_applies' })
  return ok({ subject, group })
}

export function viewOf(subject: UnsubscribeSubject, group: NoticeGroup): UnsubscribeView {
  return {
    libraryName: subject.libraryName,
    patronFirstName: subject.patronFirstName,
    group,
    stopped: subject.contact.stoppedGroups.includes(group),
  }
}
