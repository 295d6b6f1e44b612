import type { OutgoingEmail } from '../../mail/transport.ts'
import { noticeGroupOf, noticeGroupTitle } from './groups.ts'
import { signUnsubscribeToken } from './unsubscribe-token.ts'

/** Where unsubscribe links point (PUBLIC_URL) and the secret that signs them (UNSUBSCRIBE_SECRET). */
export type UnsubscribeSettings = { publicUrl: string; secret: string }

/** The page that stops a message's kind of notice: `https://…/unsubscribe/<token>`. */
export function unsubscribeUrl(settings: UnsubscribeSettings, messageId: string): string {
  return `${settings.publicUrl.replace(/\/+$/, '')}/unsubscribe/${signUnsubscribeToken(settings.secret, messageId)}`
}

/**
 * A notice to a patron's contacts as it leaves, with its way out: the List-Unsubscribe header
 * (RFC 2369), and a line at the end of both parts linking to the page. Added when it is sent, not
 * in the template, so no template can drop it. Mail that is not a preference (a password reset,
 * a purchase order) and mail about no patron (a staff member's test) goes as it is.
 *
 * One email reaches all of a message's recipients, so its link cannot say which of them clicks.
 * With one recipient it can: the email also says `List-Unsubscribe-Post` (RFC 8058) and a mail
 * client's one-click POST stops it for that contact. With several, a one-click POST could only
 * stop it for all of them, and one guardian would decide for another; so the mail client opens
 * the page instead, which asks the reader's address (DESIGN.md; docs/staff/notices.md).
 */
export function withUnsubscribeLink(
  email: OutgoingEmail,
  input: { scenario: string; patronId: number | null; settings: UnsubscribeSettings | undefined },
): OutgoingEmail {
  const group = noticeGroupOf(input.scenario)
  if (group === null || input.patronId === null || input.settings === undefined) return email
  const url = unsubscribeUrl(input.settings, email.messageId)
  const addresses = new Set([...email.to, ...email.cc, ...email.bcc].map((address) => address.toLowerCase()))
  const kind = noticeGroupTitle(group).toLowerCase()
  return {
    ...email,
    headers: {
      ...email.headers,
      'List-Unsubscribe': `<${url}>`,
      ...(addresses.size === 1 && { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }),
    },
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
