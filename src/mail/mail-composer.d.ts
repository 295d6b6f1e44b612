// The part of nodemailer's MailComposer that src/mail/mime.ts uses. nodemailer ships no
// types; this declares only what we call, as nodemailer documents it.
declare module 'nodemailer/lib/mail-composer/index.js' {
  type Address = string | { name: string; address: string }
  type MailOptions = {
    from?: Address
    to?: Address[]
    cc?: Address[]
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
    build(): Promise<Buffer>
  }
  export default class MailComposer {
    constructor(mail: MailOptions)
    compile(): MimeNode
  }
}
