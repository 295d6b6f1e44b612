/**
 * Reads a request's body as it arrives, counting its bytes, and stops reading at `maxBytes`:
 * a chunked body has no Content-Length to refuse it by, and reading it whole first let 400 MB
 * of unsigned bytes into memory before any signature was checked. Returns undefined when the
 * body is larger than `maxBytes`; nothing more of it is read.
 */
export async function readBodyUpTo(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN)
  if (Number.isFinite(declared) && declared > maxBytes) return undefined
  if (request.body === null) return new Uint8Array(0)
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.length
    if (size > maxBytes) {
      await reader.cancel().catch(() => {})
      return undefined
    }
    chunks.push(value)
  }
  const body = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    body.set(chunk, offset)
    offset += chunk.length
  }
  return body
}

/** The answer to a body over its limit; the connection closes, so the rest is never read. */
export function payloadTooLargeResponse(body: string, contentType: string): Response {
  return new Response(body, { status: 413, headers: { 'content-type': contentType, connection: 'close' } })
}
