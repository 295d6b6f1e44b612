import { createHash } from 'node:crypto'

export class UnreadableFile extends Error {
  readonly line: number
  constructor(message: string, line: number) {
    super(message)
    this.name = 'UnreadableFile'
    this.line = line
  }
}

export type DecodedFile = {
  /** The text, chunk by chunk. */
  text: AsyncIterable<string>
  /** Once the text is consumed: the encoding that was used and the SHA-256 of the bytes. */
  result(): { encoding: 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252'; checksum: string; bytes: number }
}

/**
 * Decodes a CSV file as it streams. Spreadsheets save CSV as UTF-8 (with or without a BOM),
 * UTF-16 ("Unicode text") or, on older Windows Excel, Windows-1252. A file is read as UTF-8
 * until its first non-ASCII byte; if that byte does not start valid UTF-8, the file is
 * Windows-1252 (the two agree on everything before it). A file that turns invalid later is
 * refused rather than read half one way and half the other: no garbled names.
 */
export function decodeCsvBytes(source: AsyncIterable<Uint8Array>): DecodedFile {
  const hash = createHash('sha256')
  let encoding: ReturnType<DecodedFile['result']>['encoding'] = 'utf-8'
  let bytes = 0
  async function* text(): AsyncGenerator<string> {
    let decoder: TextDecoder | undefined
    let decided = false
    let lines = 1
    let first = true
    for await (const raw of source) {
      let chunk = raw
      hash.update(chunk)
      bytes += chunk.length
      if (first) {
        first = false
        if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
          chunk = chunk.subarray(3)
          decided = true
        } else if (chunk[0] === 0xff && chunk[1] === 0xfe) {
          encoding = 'utf-16le'
          decided = true
          chunk = chunk.subarray(2)
        } else if (chunk[0] === 0xfe && chunk[1] === 0xff) {
          encoding = 'utf-16be'
          decided = true
          chunk = chunk.subarray(2)
        }
        decoder = new TextDecoder(encoding, { fatal: true })
      }
      const firstHigh = decided ? -1 : chunk.findIndex((b) => b >= 0x80)
      if (firstHigh !== -1) {
        decided = true
        // Only the first non-ASCII character decides: a file whose first accent is UTF-8 and a
        // later one is not mixes encodings, and is refused below rather than guessed at.
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(chunk.subarray(firstHigh, firstHigh + 4), { stream: true })
        } catch {
          encoding = 'windows-1252'
          decoder = new TextDecoder('windows-1252')
        }
      }
      let piece: string
      try {
        piece = decoder!.decode(chunk, { stream: true })
      } catch {
        throw new UnreadableFile(
          `The file is not valid UTF-8 after line ${lines}: it mixes text encodings. Save it from your spreadsheet as "CSV UTF-8" and import it again.`,
          lines,
        )
      }
      for (let i = piece.indexOf('\n'); i !== -1; i = piece.indexOf('\n', i + 1)) lines++
      yield piece
    }
    const rest = decoder?.decode() ?? ''
    if (rest !== '') yield rest
  }
  return { text: text(), result: () => ({ encoding, checksum: hash.digest('hex'), bytes }) }
}
