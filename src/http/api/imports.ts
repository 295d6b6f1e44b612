import { type Context, Hono } from 'hono'
import type { z } from 'zod'
import type { AppDeps } from '../../domain/deps.ts'
import { UnreadableFile } from '../../domain/imports/decode-text.ts'
import type { ImportError } from '../../domain/imports/errors.ts'
import { importFile } from '../../domain/imports/import-file.ts'
import type { ImportFile } from '../../domain/imports/stage-file.ts'
import { err, ok, type Result } from '../../domain/result.ts'
import type { ApiEnv } from './authenticate.ts'
import { importProblem } from './batch-problems.ts'
import { csvExpected, invalidQuery, payloadTooLarge, problemResponse } from './problems.ts'
import { renderContactsImport, renderPatronsImport } from './render.ts'
import { contactsImportQuerySchema, type Problem, patronsImportQuerySchema } from './schemas.ts'

type Deps = Pick<AppDeps, 'db' | 'bulkLoad' | 'clock'>

/**
 * `POST /imports/contacts` and `POST /imports/patrons`: a CSV file streamed in the body is
 * checked and staged, then applied at once (the key both asks and confirms) or, on a dry run,
 * discarded.
 */
export function importRoutes(deps: Deps, limits: { maxImportBytes: number } = { maxImportBytes }): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>()

  routes.post('/imports/contacts', async (c) => {
    const query = readQuery(c, contactsImportQuerySchema)
    if (!query.ok) return problemResponse(query.error)
    const upload = readFile(c, 'contacts.csv', limits.maxImportBytes)
    if (!upload.ok) return problemResponse(upload.error)
    const { libraryId, actor } = c.get('caller')
    const { mode, levels = [], keepCustom = false, dryRun = false } = query.value
    const imported = await importFile(deps, { kind: 'contacts', libraryId, mode, levels, keepCustom, file: upload.value.file, actor, dryRun })
    if (!imported.ok) return problemResponse(...refusal(upload.value, imported.error))
    return c.json(renderContactsImport(imported.value))
  })

  routes.post('/imports/patrons', async (c) => {
    const query = readQuery(c, patronsImportQuerySchema)
    if (!query.ok) return problemResponse(query.error)
    const upload = readFile(c, 'patrons.csv', limits.maxImportBytes)
    if (!upload.ok) return problemResponse(upload.error)
    const { libraryId, actor } = c.get('caller')
    const imported = await importFile(deps, { kind: 'patrons', libraryId, file: upload.value.file, actor, dryRun: query.value.dryRun ?? false })
    if (!imported.ok) return problemResponse(...refusal(upload.value, imported.error))
    return c.json(renderPatronsImport(imported.value))
  })

  return routes
}

/** The query, one value per parameter (a list where repeated), checked by `schema`. */
function readQuery<Schema extends z.ZodType>(c: Context<ApiEnv>, schema: Schema): Result<z.output<Schema>, Problem> {
  const given = Object.entries(c.req.queries()).map(([name, values]) => [name, values.length === 1 ? values[0] : values])
  const parsed = schema.safeParse(Object.fromEntries(given))
  return parsed.success ? ok(parsed.data) : err(invalidQuery(parsed.error.issues))
}

const csvMediaTypes = ['text/csv', 'application/csv', 'text/plain']

/**
 * The body as the import reads it: the request's own stream, chunk by chunk as it arrives, so
 * a file of tens of MB is never held whole. The charset is not trusted: the import detects it.
 */
function readFile(c: Context<ApiEnv>, defaultName: string, maxBytes: number): Result<UploadedFile, Problem> {
  const mediaType = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase()
  if (!csvMediaTypes.includes(mediaType)) return err(csvExpected)
  const cap = { maxBytes, isExceeded: false }
  return ok({ file: { name: fileNameOf(c.req.header('content-disposition')) ?? defaultName, bytes: capped(c.req.raw.body ?? noBytes(), cap) }, cap })
}

/** The file of a request, and whether its body went over the cap while it was read. */
type UploadedFile = { file: ImportFile; cap: { maxBytes: number; isExceeded: boolean } }

/**
 * How an import's refusal is answered. A body that went over the cap is a 413, and the
 * connection closes, so the rest of it is never read.
 */
function refusal(upload: UploadedFile, error: ImportError): [Problem, Record<string, string>?] {
  if (upload.cap.isExceeded) return [payloadTooLarge(upload.cap.maxBytes), { connection: 'close' }]
  return [importProblem(error)]
}

/** Far above any school's export (2,000,000 contacts are ~160 MB), so a key cannot fill the disk. */
export const maxImportBytes = 512 * 1024 * 1024

// The cap is counted as the body streams: nothing is buffered to measure it.
async function* capped(body: AsyncIterable<Uint8Array>, cap: UploadedFile['cap']): AsyncGenerator<Uint8Array> {
  let total = 0
  for await (const chunk of body) {
    total += chunk.length
    if (total > cap.maxBytes) {
      cap.isExceeded = true
      throw new UnreadableFile(`The file is larger than ${formatBytes(cap.maxBytes)}; split it, or import it with the command-line tool.`, 0)
    }
    yield chunk
  }
}

async function* noBytes(): AsyncGenerator<Uint8Array> {}

const formatBytes = (bytes: number) => (bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MiB` : `${bytes} bytes`)

/**
 * The file name of `Content-Disposition: attachment; filename="…"` (RFC 6266): `filename*`
 * (UTF-8, RFC 8187) wins over `filename`. Only the last part of a path is kept; it goes into
 * the audit log and the import's record, never into a path on disk.
 */
function fileNameOf(header: string | undefined): string | undefined {
  if (!header) return undefined
  const extended = /filename\*\s*=\s*utf-8''([^;\s]+)/i.exec(header)
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(header)
  let name: string | undefined
  if (extended) {
    try {
      name = decodeURIComponent(extended[1])
    } catch {
      name = undefined
    }
  }
  name ??= plain ? (plain[1]?.replace(/\\(.)/g, '$1') ?? plain[2]) : undefined
  const base = name
    ?.split(/[\\/]/)
    .pop()
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it takes out
    ?.replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, 200)
  return base || undefined
}
