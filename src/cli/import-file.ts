import { accessSync, constants, createReadStream, statSync } from 'node:fs'
import path from 'node:path'
import type { ImportFile } from '../domain/imports/stage-file.ts'
import { err, ok, type Result } from '../domain/result.ts'
import type { CliError } from './command.ts'

/** A CSV file on disk that the tool will import, checked before any database is opened. */
export type FileOnDisk = { path: string; name: string; sizeBytes: number }

/** Refuses a path that is missing, a directory or unreadable, naming it as the admin typed it. */
export function checkFileOnDisk(given: string): Result<FileOnDisk, CliError> {
  try {
    const stats = statSync(given)
    if (!stats.isFile()) return err({ code: 'file_not_readable', path: given, reason: 'it is not a file' })
    accessSync(given, constants.R_OK)
    return ok({ path: path.resolve(given), name: path.basename(given), sizeBytes: stats.size })
  } catch (error) {
    const code = (error as { code?: string }).code
    const reason = code === 'ENOENT' ? 'there is no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message
    return err({ code: 'file_not_readable', path: given, reason })
  }
}

// Larger reads than the 64 KiB default: fewer chunks through the decoder and the parser.
const chunkBytes = 1024 * 1024

/**
 * Streams the file from disk, chunk by chunk, so a file of millions of rows is never held
 * whole; `onBytes` hears the bytes the import has taken so far (for the progress bar). Aborting
 * `signal` fails the stream, and with it the import, which then changes nothing.
 */
export function streamFileFromDisk(file: FileOnDisk, options: { signal: AbortSignal; onBytes(bytesRead: number): void }): ImportFile {
  // A chunk counts once the import asks for the next: counted as it is read, a file smaller
  // than one chunk showed 100% before a single row was parsed.
  async function* bytes(): AsyncGenerator<Uint8Array> {
    let bytesTaken = 0
    for await (const chunk of createReadStream(file.path, { highWaterMark: chunkBytes, signal: options.signal })) {
      options.onBytes(bytesTaken)
      yield chunk as Buffer
      bytesTaken += (chunk as Buffer).length
    }
    options.onBytes(bytesTaken)
  }
  return { name: file.name, bytes: bytes() }
}
