import type { ParseArgsOptionsConfig } from 'node:util'
import type { ApiKeyError } from '../domain/api-keys/errors.ts'
import type { AuditError } from '../domain/audit/errors.ts'
import type { RestoreError } from '../domain/backups/errors.ts'
import type { ReleaseError } from '../domain/batches/give-up-batches.ts'
import type { AppDeps } from '../domain/deps.ts'
import type { ImportError } from '../domain/imports/errors.ts'
import type { ChooseLibraryError, LibraryError } from '../domain/libraries/errors.ts'
import type { PlanNightError } from '../domain/notices/errors.ts'
import type { PurgeError } from '../domain/purge/errors.ts'
import { err, ok, type Result } from '../domain/result.ts'
import type { StaffError } from '../domain/staff/errors.ts'

/** What the command-line tool refuses or fails on; each is rendered in `errors.ts`. */
export type CliError =
  | { code: 'unknown_command'; command: string }
  | { code: 'bad_arguments'; command: string; detail: string }
  | { code: 'missing_option'; command: string; option: string }
  | { code: 'missing_options'; command: string; options: string[] }
  | { code: 'unknown_option'; command: string; option: string; suggestion: string | undefined }
  | { code: 'invalid_option'; option: string; value: string; expected: string }
  | { code: 'no_database'; dataDir: string }
  | { code: 'database_in_use'; dataDir: string; pid: number; holder: 'service' | 'tool' }
  | { code: 'embedded_database_failed'; message: string }
  | { code: 'not_migrated' }
  | { code: 'file_not_readable'; path: string; reason: string }
  | { code: 'file_not_writable'; path: string; reason: string }
  | { code: 'file_exists'; path: string }
  | { code: 'interrupted' }
  /** A purge refused; worded apart from the imports' batch errors. */
  | { code: 'purge_refused'; error: PurgeError }
  | ChooseLibraryError
  | LibraryError
  | ApiKeyError
  | StaffError
  | ImportError
  | ReleaseError
  | AuditError
  | RestoreError
  | PlanNightError

/** What a command's use cases may ask for. */
export type CliDeps = Pick<AppDeps, 'db' | 'bulkLoad' | 'clock' | 'adminUserIds'>

/** Where a long command says how far it has got: stderr, redrawn in place when it is a terminal. */
export type CliTerminal = { stderr(text: string): void; isTerminal: boolean; columns: number }

type ParsedArgs = { values: Record<string, string | boolean | undefined>; positionals: string[] }

/**
 * One command of the tool. `parse` checks the arguments before any database is opened, so bad
 * input is refused fast and nothing is written; `run` calls the use case and returns what to
 * print on stdout.
 */
export type Command<Input> = {
  /** The words that name it: `['api-key', 'create']`. */
  words: string[]
  summary: string
  usage: string
  /** Lines under "Options:" in the command's help. */
  optionHelp: string[]
  options: ParseArgsOptionsConfig
  allowPositionals?: boolean
  /** Whether the command may create the embedded database (only `migrate` does). */
  createsDatabase?: boolean
  parse(args: ParsedArgs): Result<Input, CliError>
  run(deps: CliDeps, input: Input, terminal: CliTerminal): Promise<Result<string, CliError>>
}

/** Erases a command's input type so commands of every kind sit in one list. */
export function defineCommand<Input>(command: Command<Input>): Command<unknown> {
  return command as Command<unknown>
}

/** A required string option, trimmed. */
export function requireOption(args: ParsedArgs, command: string, option: string): Result<string, CliError> {
  const value = args.values[option]
  if (typeof value !== 'string' || value.trim() === '') return err({ code: 'missing_option', command, option })
  return ok(value.trim())
}

/** Required string options, trimmed; when some are left out, refuses naming every one of them. */
export function requireOptions<Name extends string>(args: ParsedArgs, command: string, options: readonly Name[]): Result<Record<Name, string>, CliError> {
  const missing = options.filter((option) => typeof args.values[option] !== 'string' || (args.values[option] as string).trim() === '')
  if (missing.length > 0) return err({ code: 'missing_options', command, options: missing })
  return ok(Object.fromEntries(options.map((option) => [option, (args.values[option] as string).trim()])) as Record<Name, string>)
}

/** A row id given on the command line (`--library 3`). */
export function parseId(option: string, value: string): Result<number, CliError> {
  if (!/^[1-9][0-9]{0,9}$/.test(value) || Number(value) > 2_147_483_647) {
    return err({ code: 'invalid_option', option, value, expected: 'a whole number such as 3' })
  }
  return ok(Number(value))
}

/** An optional `--ID` option: undefined when left out. */
export function parseOptionalId(args: ParsedArgs, option: string): Result<number | undefined, CliError> {
  const value = args.values[option]
  return typeof value === 'string' ? parseId(option, value) : ok(undefined)
}
