import { isUtf8 } from 'node:buffer'
import { createHash } from 'node:crypto'

export class UnreadableFile extends Error {
  readonly line: number
  constructor(message: string, line: number) {
    super(message)
    this.name = 'UnreadableFile'
    this.line = line
  }
}

type DecodedFile = {
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
    // The bytes of a first accent that a chunk cut short: the next chunk decides it.
    let carried: Uint8Array | undefined
    // UTF-8: how many bytes of a character the last chunk began are still to come.
    let owed = 0
    const mixed = (chunk: Uint8Array) => {
      if (encoding !== 'utf-8') {
        return new UnreadableFile(
          `The file is not valid ${encoding.toUpperCase()} after line ${lines}: a character in it is cut in two. Save it from your spreadsheet as "CSV UTF-8" and import it again.`,
          lines,
        )
      }
      // The decoder says only that the chunk went wrong; the line is the first one that did.
      const line = lines + validLinesIn(chunk.subarray(owed))
      return new UnreadableFile(
        `Line ${line} is not valid UTF-8: the file mixes text encodings. Save it from your spreadsheet as "CSV UTF-8" and import it again.`,
        line,
      )
    }
    const decode = (bytes: Uint8Array, stream: boolean): string => {
      let piece: string
      try {
        piece = decoder!.decode(bytes, { stream })
      } catch {
        throw mixed(bytes)
      }
      owed = owed >= bytes.length ? owed - bytes.length : continuationsOwed(bytes.subarray(owed))
      for (let i = piece.indexOf('\n'); i !== -1; i = piece.indexOf('\n', i + 1)) lines++
      return piece
    }
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
      if (carried) {
        chunk = Buffer.concat([carried, chunk])
        carried = undefined
      }
      const firstHigh = decided ? -1 : chunk.findIndex((b) => b >= 0x80)
      if (firstHigh !== -1) {
        const length = utf8Length(chunk[firstHigh])
        if (firstHigh + length > chunk.length) {
          // Everything before the accent is ASCII, the same in both encodings.
          const before = decode(chunk.subarray(0, firstHigh), true)
          carried = chunk.subarray(firstHigh)
          if (before !== '') yield before
          continue
        }
        decided = true
        // Only the first non-ASCII character decides: a file whose first accent is UTF-8 and a
        // later one is not mixes encodings, and is refused below rather than guessed at.
        if (length === 0 || !isUtf8(chunk.subarray(firstHigh, firstHigh + length))) {
          encoding = 'windows-1252'
          decoder = new TextDecoder('windows-1252')
        }
      }
      const piece = decode(chunk, true)
      if (piece !== '') yield piece
    }
    // A file that ends inside its first accent cannot be UTF-8.
    if (carried) {
      encoding = 'windows-1252'
      decoder = new TextDecoder('windows-1252')
      yield decode(carried, false)
      return
    }
    let rest: string
    try {
      rest = decoder?.decode() ?? ''
    } catch {
      throw new UnreadableFile(
        `The file ends in the middle of a character on line ${lines}: it was cut short. Export it again and import the whole file.`,
        lines,
      )
    }
    if (rest !== '') yield rest
  }
  return { text: text(), result: () => ({ encoding, checksum: hash.digest('hex'), bytes }) }
}

/**
 * How many of a chunk's lines are valid UTF-8 before the first one that is not (the chunk taken
 * from the end of the character the chunk before began). A line feed is never part of a UTF-8
 * character, so the chunk splits into lines as bytes; the last may be cut short by its end.
 */
function validLinesIn(chunk: Uint8Array): number {
  let valid = 0
  for (let start = 0, end = chunk.indexOf(0x0a); end !== -1; start = end + 1, end = chunk.indexOf(0x0a, start)) {
    if (!isUtf8(chunk.subarray(start, end))) return valid
    valid++
  }
  return valid
}

/** How many bytes of a UTF-8 character the end of `bytes` begins and does not finish. */
function continuationsOwed(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back]
    if (byte < 0x80) return 0
    if (byte >= 0xc0) return Math.max(0, utf8Length(byte) - back)
  }
  return 0
}

/** How many bytes a UTF-8 sequence starting with `lead` has; 0 when no sequence starts so. */
function utf8Length(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2
  if (lead >= 0xe0 && lead <= 0xef) return 3
  if (lead >= 0xf0 && lead <= 0xf4) return 4
  return 0
}
