import type { OutgoingEmail } from '../../mail/transport.ts'
import { noticeGroupOf, noticeGroupTitle } from './groups.ts'
import { signUnsubscribeToken } from './unsubscribe-token.ts'

/** Where unsubscribe links point (PUBLIC_URL) and the secret that signs them (UNSUBSCRIBE_SECRET). */
export type UnsubscribeSettings = { publicUrl: string; secret: string }

/** The page that stops a copy's kind of notice for its recipient: `https://…/unsubscribe/<token>`. */
export function unsubscribeUrl(settings: UnsubscribeSettings, copy: { messageId: string; recipientPosition: number }): string {
  return `${settings.publicUrl.replace(/\/+$/, '')}/unsubscribe/${signUnsubscribeToken(settings.secret, copy)}`
}

/**
 * A recipient's copy of a notice to a patron's contacts as it leaves, with its way out: the
 * List-Unsubscribe header (RFC 2369) with List-Unsubscribe-Post (RFC 8058), so a mail client's
 * one-click POST stops it, and a line at the end of both parts linking to the page. Each copy
 * goes to one recipient, so its link names the message and that recipient and speaks for them
 * alone: one guardian never decides for another. Added when it is sent, not in the template, so
 * no template can drop it. Mail that is not a preference (a password reset, a purchase order),
 * mail about no patron (a staff member's test) and a copy to someone who is not one of the
 * patron's contacts (a teacher in Cc) go as they are.
 */
export function withUnsubscribeLink(
  email: OutgoingEmail,
  input: { scenario: string; patronId: number | null; isPatronContact: boolean; settings: UnsubscribeSettings | undefined },
): OutgoingEmail {
  const group = noticeGroupOf(input.scenario)
  if (group === null || input.patronId === null || !input.isPatronContact || input.settings === undefined) return email
  const url = unsubscribeUrl(input.settings, email)
  const kind = noticeGroupTitle(group).toLowerCase()
  return {
    ...email,
    headers: { ...email.headers, 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    text: `${email.text.trimEnd()}\n\n-- \nTo stop receiving ${kind} by email: ${url}\n`,
    html: appendToBody(
      email.html,
      `<p style="margin-top:32px;font-size:13px;color:#555555">Don't want these ${kind}? <a href="${escapeAttribute(url)}" style="color:#555555">Stop receiving them by email</a>.</p>`,
    ),
  }
}

function appendToBody(html: string, footer: string): string {
  const end = html.search(/<\/body\s*>/i)
  return end === -1 ? `${html}\n${footer}` : `${html.slice(0, end)}${footer}\n${html.slice(end)}`
}

const escapeAttribute = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')
