import { randomBytes } from 'node:crypto'
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import MailComposer from 'nodemailer/lib/mail-composer/index.js'
import type { Clock } from '../domain/deps.ts'
import type { EmailTransport, OutgoingEmail, SendOutcome } from './transport.ts'

/**
 * `2026-03-09T020000Z-42-circulation.overdue.eml`: when it was written (UTC, so the names sort in
 * time order), the outbox message's id, and the scenario.
 */
const fileNamePattern = /^\d{4}-\d{2}-\d{2}T\d{6}Z-([1-9][0-9]*)-[a-z0-9._-]+\.eml$/

const temporaryPattern = /^\.[0-9a-f]{12}\.tmp$/

/** The file name of a message written at `at`. */
export function emlFileName(at: Date, messageId: string, scenario: string): string {
  const stamp = at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '')
  return `${stamp}-${messageId}-${scenario.toLowerCase().replace(/[^a-z0-9._-]/g, '_')}.eml`
}

/**
 * The `file` transport: writes each email as an RFC 5322 message, a `.eml` file any mail program
 * opens, into `directory` (DATA_DIR/outbox). Nothing leaves the machine, so Bcc is written as a
 * header for an admin to see who would have received it; a real transport never sends it.
 * Each file is written whole or not at all (a hidden temporary file, then renamed), readable by
 * the service's user alone (the emails hold personal data). A message already written is not
 * written again: the transport is idempotent by the outbox message's id.
 */
export function createFileTransport(options: { directory: string; clock: Clock }): EmailTransport {
  const { directory, clock } = options
  // The messages already in the directory, by id: read once, then kept as files are written.
  let written: Map<string, string> | undefined

  async function alreadyWritten(): Promise<Map<string, string>> {
    if (written) return written
    await mkdir(directory, { recursive: true, mode: 0o700 })
    const found = new Map<string, string>()
    for (const name of await readdir(directory)) {
      const match = fileNamePattern.exec(name)
      if (match) found.set(match[1], name)
      // A temporary file an earlier run was writing when it died: never renamed, never complete.
      else if (temporaryPattern.test(name)) await rm(join(directory, name), { force: true })
    }
    written = found
    return found
  }

  return {
    name: 'file',
    idempotent: true,
    async send(email: OutgoingEmail): Promise<SendOutcome> {
      try {
        const files = await alreadyWritten()
        const existing = files.get(email.messageId)
        if (existing !== undefined) return { ok: true, transportId: existing }
        const now = clock.now()
        const name = emlFileName(now, email.messageId, email.tags?.scenario ?? 'message')
        await writeAtomically(join(directory, name), await composeEml(email, now))
        files.set(email.messageId, name)
        return { ok: true, transportId: name }
      } catch (error) {
        // A full disk or a directory the service may not write: an admin can fix it, so try again later.
        const code = (error as NodeJS.ErrnoException).code
        return { ok: false, retry: true, error: `could not write to the outbox directory${code ? ` (${code})` : ''}` }
      }
    },
  }
}

/** The email as an RFC 5322 message: multipart/alternative (plain text, then HTML), UTF-8, encoded headers. */
export async function composeEml(email: OutgoingEmail, date: Date): Promise<Buffer> {
  const headers: Record<string, string> = { 'X-Library-Comms-Message-Id': email.messageId, ...email.headers }
  for (const [key, value] of Object.entries(email.tags ?? {})) {
    if (/^[a-z][a-z0-9]*$/i.test(key)) headers[`X-Library-Comms-${key[0].toUpperCase()}${key.slice(1)}`] = value
  }
  const domain = email.from.address.slice(email.from.address.lastIndexOf('@') + 1)
  const message = new MailComposer({
    from: { name: email.from.name, address: email.from.address },
    to: [...email.to],
    cc: [...email.cc],
    bcc: [...email.bcc],
    ...(email.replyTo && { replyTo: email.replyTo }),
    subject: email.subject,
    text: email.text,
    html: email.html,
    messageId: `<library-comms.${email.messageId}@${domain}>`,
    date,
    headers,
    // RFC 5322 ends every line in CRLF, in the body too.
    newline: 'windows',
    // The content is ours, in memory: no file or URL is ever read into a message.
    disableFileAccess: true,
    disableUrlAccess: true,
  }).compile()
  message.keepBcc = true
  return message.build()
}

async function writeAtomically(path: string, content: Buffer): Promise<void> {
  const temporary = join(path, '..', `.${randomBytes(6).toString('hex')}.tmp`)
  const file = await open(temporary, 'wx', 0o600)
  try {
    await file.writeFile(content)
    await file.sync()
  } catch (error) {
    await file.close()
    await rm(temporary, { force: true })
    throw error
  }
  await file.close()
  try {
    await rename(temporary, path)
  } catch (error) {
    await rm(temporary, { force: true })
    throw error
  }
}
