import { cancelImport } from '../domain/imports/cancel-import.ts'
import type { ImportError, ImportProblem } from '../domain/imports/errors.ts'
import type { ImportFile, ImportProgress } from '../domain/imports/stage-file.ts'
import { listLibraries } from '../domain/libraries/add-library.ts'
import { err, ok, type Result } from '../domain/result.ts'
import { cliActor, type CliDeps, type CliError, type CliTerminal } from './command.ts'
import { formatProblem } from './errors.ts'
import { streamFileFromDisk, type FileOnDisk } from './import-file.ts'
import { showImportProgress } from './import-progress.ts'

type Staged = { batchId: number; warnings: ImportProblem[] }
type ReadStep<T> = (libraryId: number, file: ImportFile, onProgress: (progress: ImportProgress) => void) => Promise<Result<T, ImportError>>

/** One kind of import as the tool runs it: the domain's steps, and what to print after each. */
export type ImportSteps<Stage extends Staged, Preview extends Staged, Applied> = {
  /** Reads, checks and stages the file, to apply it at once (the apply checks it against the database). */
  stage: ReadStep<Stage>
  /** The dry run: stages the file and says what applying it would do. */
  preview: ReadStep<Preview>
  apply(libraryId: number, batchId: number, onProgress: (progress: ImportProgress) => void): Promise<Result<Applied, ImportError>>
  describePreview(libraryId: number, preview: Preview): string
  describeApplied(libraryId: number, staged: Stage, applied: Applied): string
}

/**
 * Reads, checks and stages the file, then applies it in one transaction, or on `--dry-run`
 * says what applying would do and discards the staged rows. Ctrl-C while the file is read stops
 * the import with nothing changed; once applying has begun it is not taken: the apply finishes.
 */
export async function runImport<Stage extends Staged, Preview extends Staged, Applied>(
  deps: CliDeps,
  terminal: CliTerminal,
  input: { libraryId: number | undefined; file: FileOnDisk; dryRun: boolean },
  steps: ImportSteps<Stage, Preview, Applied>,
): Promise<Result<string, CliError>> {
  // Most deployments serve one school: --library may then be left out, as the command's short
  // form (import contacts FILE --mode …) promises. An unknown id would otherwise surface as a
  // foreign key violation.
  const libraries = await listLibraries(deps)
  if (input.libraryId === undefined && libraries.length !== 1) return err({ code: 'library_needed', libraryCount: libraries.length })
  const libraryId = input.libraryId ?? libraries[0].id
  if (!libraries.some((library) => library.id === libraryId)) return err({ code: 'library_not_found', libraryId })

  const interruption = new AbortController()
  const interrupt = () => interruption.abort()
  process.once('SIGINT', interrupt)
  const progress = showImportProgress(terminal, input.file)
  const discard = (batchId: number) => cancelImport(deps, { libraryId, batchId, actor: cliActor }).catch(() => undefined)
  try {
    const read = async <T extends Staged>(step: ReadStep<T>): Promise<Result<T, ImportError> | undefined> => {
      try {
        return await step(libraryId, streamFileFromDisk(input.file, { signal: interruption.signal, onBytes: progress.onBytes }), progress.onProgress)
      } catch (error) {
        if (interruption.signal.aborted) return undefined
        throw error
      }
    }
    if (input.dryRun) {
      const preview = await read(steps.preview)
      if (!preview) return err({ code: 'interrupted' })
      if (!preview.ok) return preview
      await discard(preview.value.batchId)
      progress.finish()
      writeWarnings(terminal, preview.value.warnings)
      return ok(steps.describePreview(libraryId, preview.value))
    }
    const stagedFile = await read(steps.stage)
    if (!stagedFile) return err({ code: 'interrupted' })
    if (!stagedFile.ok) return stagedFile
    const staged = stagedFile.value
    if (interruption.signal.aborted) {
      await discard(staged.batchId)
      return err({ code: 'interrupted' })
    }
    process.removeListener('SIGINT', interrupt)
    // The apply is one transaction of seconds. Killed half-way it would roll back, but leave its
    // batch "applying", and the library refusing imports, for the hour an apply is allowed.
    const holdOn = () => terminal.stderr('\nlibrary-comms: applying: this takes seconds and cannot stop half-way; it will finish\n')
    process.on('SIGINT', holdOn)
    const applied = await steps.apply(libraryId, staged.batchId, progress.onProgress).finally(() => process.removeListener('SIGINT', holdOn))
    if (!applied.ok) {
      await discard(staged.batchId)
      return applied
    }
    progress.finish()
    writeWarnings(terminal, staged.warnings)
    return ok(steps.describeApplied(libraryId, staged, applied.value))
  } finally {
    process.removeListener('SIGINT', interrupt)
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
