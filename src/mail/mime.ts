import MailComposer from 'nodemailer/lib/mail-composer/index.js'
import type { OutgoingEmail } from './transport.ts'

/**
 * A recipient's copy as an RFC 5322 message: multipart/alternative (plain text, then HTML),
 * UTF-8, encoded headers; From, To and Cc as the message has them and no Bcc header. The SES
 * transport sends these same bytes.
 */
export async function composeMime(email: OutgoingEmail, date: Date): Promise<Buffer> {
  const headers: Record<string, string> = { 'X-Library-Comms-Message-Id': email.messageId, ...email.headers }
  for (const [key, value] of Object.entries(email.tags ?? {})) {
    if (/^[a-z][a-z0-9]*$/i.test(key)) headers[`X-Library-Comms-${key[0].toUpperCase()}${key.slice(1)}`] = value
  }
  const domain = email.from.address.slice(email.from.address.lastIndexOf('@') + 1)
  return new MailComposer({
    from: { name: email.from.name, address: email.from.address },
    to: [...email.to],
    cc: [...email.cc],
    ...(email.replyTo && { replyTo: email.replyTo }),
    subject: email.subject,
    text: email.text,
    html: email.html,
    // Each copy is its own email, with its own id: a mail program that sees two copies (an
    // address both in To and forwarded to) keeps both.
    messageId: `<library-comms.${email.messageId}.${email.recipientPosition + 1}@${domain}>`,
    date,
    headers,
    // RFC 5322 ends every line in CRLF, in the body too.
    newline: 'windows',
    // The content is ours, in memory: no file or URL is ever read into a message.
    disableFileAccess: true,
    disableUrlAccess: true,
  })
    .compile()
    .build()
}
