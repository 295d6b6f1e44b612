import { randomBytes } from 'node:crypto'
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Clock } from '../domain/deps.ts'
import { composeMime } from './mime.ts'
import type { EmailTransport, OutgoingEmail, SendOutcome } from './transport.ts'

/**
 * `2026-03-09T020000Z-42-2-circulation.overdue.eml`: when it was written (UTC, so the names sort
 * in time order), the outbox message's id, which recipient's copy it is (1 for the message's
 * first recipient, 2 for the second...), and the scenario.
 */
const fileNamePattern = /^\d{4}-\d{2}-\d{2}T\d{6}Z-([1-9][0-9]*)-([1-9][0-9]*)-[a-z0-9._-]+\.eml$/

const temporaryPattern = /^\.[0-9a-f]{12}\.tmp$/

/** The file name of a recipient's copy written at `at`; `recipientPosition` is message_recipients.position (from 0). */
export function emlFileName(at: Date, messageId: string, recipientPosition: number, scenario: string): string {
  const stamp = at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '')
  return `${stamp}-${messageId}-${recipientPosition + 1}-${scenario.toLowerCase().replace(/[^a-z0-9._-]/g, '_')}.eml`
}

const copyKey = (messageId: string, copyNumber: number | string) => `${messageId}-${copyNumber}`

/**
 * The `file` transport: writes each recipient's copy as an RFC 5322 message, a `.eml` file any
 * mail program opens, into `directory` (DATA_DIR/outbox). A copy shows the headers its recipient
 * sees (From, To, Cc; never Bcc), and says whom it is for in `X-Library-Comms-Envelope-To`, since
 * a file has no envelope. Each file is written whole or not at all (a hidden temporary file, then
 * renamed), readable by the service's user alone (the emails hold personal data). A copy already
 * written is not written again: the transport is idempotent by message id and recipient.
 */
export function createFileTransport(options: { directory: string; clock: Clock }): EmailTransport {
  const { directory, clock } = options
  // The copies already in the directory, by message id and copy number: read once, then kept as files are written.
  let written: Map<string, string> | undefined

  async function alreadyWritten(): Promise<Map<string, string>> {
    if (written) return written
    await mkdir(directory, { recursive: true, mode: 0o700 })
    const found = new Map<string, string>()
    for (const name of await readdir(directory)) {
      const match = fileNamePattern.exec(name)
      if (match) found.set(copyKey(match[1], match[2]), name)
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
        const key = copyKey(email.messageId, email.recipientPosition + 1)
        const existing = files.get(key)
        if (existing !== undefined) return { ok: true, transportId: existing }
        const now = clock.now()
        const name = emlFileName(now, email.messageId, email.recipientPosition, email.tags?.scenario ?? 'message')
        await writeAtomically(
          join(directory, name),
          Buffer.concat([Buffer.from(`X-Library-Comms-Envelope-To: ${email.envelopeTo}\r\n`), await composeMime(email, now)]),
        )
        files.set(key, name)
        return { ok: true, transportId: name }
      } catch (error) {
        // A full disk or a directory the service may not write: an admin can fix it, so try again later.
        const code = (error as NodeJS.ErrnoException).code
        return { ok: false, retry: true, error: `could not write to the outbox directory${code ? ` (${code})` : ''}` }
      }
    },
  }
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
