// The part of nodemailer's MailComposer that the file transport uses. nodemailer ships no
// types; this declares only what we call, as nodemailer documents it.
declare module 'nodemailer/lib/mail-composer/index.js' {
  type Address = string | { name: string; address: string }
  type MailOptions = {
    from?: Address
    to?: Address[]
    cc?: Address[]
    bcc?: Address[]
    replyTo?: Address
    subject?: string
    text?: string
    html?: string
    messageId?: string
    date?: Date
    headers?: Record<string, string>
    textEncoding?: 'quoted-printable' | 'base64'
    newline?: 'windows' | 'unix'
    disableFileAccess?: boolean
    disableUrlAccess?: boolean
  }
  type MimeNode = {
    /** Bcc stays out of the built message unless this is set. */
    keepBcc: boolean
    build(): Promise<Buffer>
  }
  export default class MailComposer {
    constructor(mail: MailOptions)
    compile(): MimeNode
  }
}
