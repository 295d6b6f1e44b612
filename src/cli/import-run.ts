import type { ImportProblem } from '../domain/imports/errors.ts'
import { type ImportFileOutcome, importFile } from '../domain/imports/import-file.ts'
import type { ImportRequest } from '../domain/imports/preview-import.ts'
import type { ImportFile, ImportProgress } from '../domain/imports/stage-file.ts'
import { chooseLibrary } from '../domain/libraries/choose-library.ts'
import { err, ok, type Result } from '../domain/result.ts'
import type { CliDeps, CliError, CliTerminal } from './command.ts'
import { formatProblem } from './errors.ts'
import { type FileOnDisk, streamFileFromDisk } from './import-file.ts'
import { showImportProgress } from './import-progress.ts'

/**
 * Imports a file with the one use case the API calls too: reads, checks and stages it, then
 * applies it in one transaction, or on `--dry-run` says what it would do. Ctrl-C while the file is
 * read stops the import with nothing changed; once applying has begun it is not taken: the apply
 * is one transaction of seconds, and finishes.
 */
export async function runImport(
  deps: CliDeps,
  terminal: CliTerminal,
  input: { libraryId: number | undefined; file: FileOnDisk; dryRun: boolean },
  requestFor: (libraryId: number, file: ImportFile, onProgress: (progress: ImportProgress) => void) => ImportRequest,
  describe: (libraryId: number, outcome: ImportFileOutcome) => string,
): Promise<Result<string, CliError>> {
  const library = await chooseLibrary(deps, { libraryId: input.libraryId })
  if (!library.ok) return library
  const libraryId = library.value.id
  const interruption = new AbortController()
  const interrupt = () => interruption.abort()
  const holdOn = () => terminal.stderr('\nlibrary-comms: applying: this takes seconds and cannot stop half-way; it will finish\n')
  process.once('SIGINT', interrupt)
  const progress = showImportProgress(terminal, input.file)
  const onProgress = (step: ImportProgress) => {
    if (step.phase === 'applying' && !interruption.signal.aborted) {
      process.removeListener('SIGINT', interrupt)
      if (process.listeners('SIGINT').every((listener) => listener !== holdOn)) process.on('SIGINT', holdOn)
    }
    progress.onProgress(step)
  }
  try {
    const file = streamFileFromDisk(input.file, { signal: interruption.signal, onBytes: progress.onBytes })
    let imported: Awaited<ReturnType<typeof importFile>>
    try {
      imported = await importFile(deps, { ...requestFor(libraryId, file, onProgress), dryRun: input.dryRun })
    } catch (error) {
      if (interruption.signal.aborted) return err({ code: 'interrupted' })
      throw error
    }
    if (!imported.ok) return imported
    progress.finish()
    writeWarnings(terminal, imported.value.preview.warnings)
    return ok(describe(libraryId, imported.value))
  } finally {
    process.removeListener('SIGINT', interrupt)
    process.removeListener('SIGINT', holdOn)
    progress.finish()
  }
}

function writeWarnings(terminal: CliTerminal, warnings: ImportProblem[]): void {
  for (const warning of warnings) terminal.stderr(`library-comms: warning: ${formatProblem(warning)}\n`)
}

/** `label  value` lines, the values aligned, for the counts printed on stdout. */
export function formatCounts(title: string, counts: [label: string, value: number][]): string {
  const width = Math.max(...counts.map(([label]) => label.length))
  return `${title}\n${counts.map(([label, value]) => `  ${label.padEnd(width)}  ${value}\n`).join('')}`
}
