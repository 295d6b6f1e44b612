import type { ImportFile } from '../../src/domain/imports/stage-file.ts'

/** A file as an import receives it: bytes, in chunks of `chunkBytes` to exercise streaming. */
export function csvFile(content: string | Uint8Array, options: { name?: string; chunkBytes?: number } = {}): ImportFile {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content
  const size = options.chunkBytes ?? 64 * 1024
  return {
    name: options.name ?? 'contacts.csv',
    bytes: (async function* () {
      for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size)
    })(),
  }
}
