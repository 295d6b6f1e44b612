/** Files as a spreadsheet saves them in encodings other than UTF-8, byte for byte. */

const windows1252Bytes = new Map(Array.from({ length: 256 }, (_, byte) => [new TextDecoder('windows-1252').decode(Uint8Array.of(byte)), byte] as const))

/** Text as older Windows Excel saves "CSV (Comma delimited)": one byte per character. */
export function windows1252(text: string): Uint8Array {
  return Uint8Array.from([...text], (char) => {
    const byte = windows1252Bytes.get(char)
    if (byte === undefined) throw new Error(`${char} has no Windows-1252 byte`)
    return byte
  })
}

/** Text as Excel saves "Unicode text": UTF-16, little-endian, with its byte-order mark. */
export function utf16le(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(`\ufeff${text}`, 'utf16le'))
}

/** UTF-16 big-endian with its byte-order mark, as some Mac and Java tools save it. */
export function utf16be(text: string): Uint8Array {
  return utf16le(text).map((_, i, bytes) => bytes[i ^ 1])
}
