import { parseArgs } from 'node:util'
import { type Config, ConfigError, loadConfig } from '../config.ts'
import { systemClock } from '../domain/deps.ts'
import { err, ok, type Result } from '../domain/result.ts'
import { apiKeyCreateCommand } from './api-key-create.ts'
import { apiKeyListCommand } from './api-key-list.ts'
import { apiKeyRevokeCommand } from './api-key-revoke.ts'
import { auditCommand } from './audit.ts'
import { backupCommand, restoreCommand } from './backup-restore.ts'
import type { CliError, CliTerminal, Command } from './command.ts'
import { describeCliError, exitCodes } from './errors.ts'
import { commandHelp, groupHelp, toolHelp } from './help.ts'
import { importContactsCommand } from './import-contacts.ts'
import { importPatronsCommand } from './import-patrons.ts'
import { importReleaseCommand } from './import-release.ts'
import { libraryAddCommand } from './library-add.ts'
import { libraryListCommand } from './library-list.ts'
import { migrateCommand } from './migrate.ts'
import { noticesRunCommand } from './notices-run.ts'
import { openCliDatabase } from './open-database.ts'
import { purgeApproveCommand, purgeRejectCommand } from './purge-approve.ts'
import { purgeCandidatesCommand } from './purge-candidates.ts'
import { purgeRequestCommand } from './purge-request.ts'
import { staffAddCommand } from './staff-add.ts'
import { staffListCommand } from './staff-list.ts'
import { closestName } from './suggest.ts'

export const commands: Command<unknown>[] = [
  migrateCommand,
  libraryAddCommand,
  libraryListCommand,
  apiKeyCreateCommand,
  apiKeyListCommand,
  apiKeyRevokeCommand,
  staffAddCommand,
  staffListCommand,
  importContactsCommand,
  importPatronsCommand,
  importReleaseCommand,
  auditCommand,
  backupCommand,
  restoreCommand,
  noticesRunCommand,
  purgeCandidatesCommand,
  purgeRequestCommand,
  purgeApproveCommand,
  purgeRejectCommand,
]

/** Where the tool writes; `stderrIsTerminal` asks for a progress bar rather than plain lines. */
type CliOutput = { stdout(text: string): void; stderr(text: string): void; stderrIsTerminal?: boolean; columns?: number }

const processOutput: CliOutput = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTerminal: process.stderr.isTTY === true,
  columns: process.stderr.columns,
}

/** Runs one command line (without `node` and the script) and returns the exit code. */
export async function runCli(argv: string[], output: CliOutput = processOutput): Promise<number> {
  const fail = (error: CliError) => {
    const { message, exitCode } = describeCliError(error)
    output.stderr(`library-comms: ${message}\n`)
    return exitCode
  }
  const wantsHelp = (args: string[]) => args.includes('--help') || args.includes('-h')
  if (argv.length === 0) {
    output.stderr(toolHelp(commands))
    return exitCodes.refused
  }
  if (argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
    output.stdout(toolHelp(commands))
    return exitCodes.ok
  }

  const command = commands.find((candidate) => candidate.words.every((word, index) => argv[index] === word))
  if (!command) {
    const group = commands.filter((candidate) => candidate.words.length > 1 && candidate.words[0] === argv[0])
    if (group.length > 0 && (argv.length === 1 || wantsHelp(argv.slice(1, 2)))) {
      output[argv.length === 1 ? 'stderr' : 'stdout'](groupHelp(argv[0], group))
      return argv.length === 1 ? exitCodes.refused : exitCodes.ok
    }
    return fail({ code: 'unknown_command', command: argv.slice(0, group.length > 0 ? 2 : 1).join(' ') })
  }
  const rest = argv.slice(command.words.length)
  if (wantsHelp(rest)) {
    output.stdout(commandHelp(command))
    return exitCodes.ok
  }

  const args = parseCommandLine(command, rest)
  if (!args.ok) return fail(args.error)
  const input = command.parse(args.value)
  if (!input.ok) return fail(input.error)

  let config: Config
  try {
    config = loadConfig()
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    output.stderr(`library-comms: ${error.message}\n`)
    return exitCodes.failed
  }
  const opened = await openCliDatabase(config, { create: command.createsDatabase === true })
  if (!opened.ok) return fail(opened.error)
  const database = opened.value
  const terminal: CliTerminal = { stderr: output.stderr, isTerminal: output.stderrIsTerminal === true, columns: output.columns ?? 80 }
  try {
    const deps = { db: database.db, bulkLoad: database.bulkLoad, clock: systemClock, adminUserIds: config.adminUserIds }
    const result = await command.run(deps, input.value, terminal)
    if (!result.ok) return fail(result.error)
    output.stdout(result.value)
    return exitCodes.ok
  } catch (error) {
    // 42P01, undefined_table: the tool ran before anything created the tables.
    if ((error as { code?: unknown }).code === '42P01') return fail({ code: 'not_migrated' })
    output.stderr(`library-comms: ${command.words.join(' ')} failed on the ${database.via} database: ${describeThrown(error)}\n`)
    return exitCodes.failed
  } finally {
    await database.close()
  }
}

function parseCommandLine(
  command: Command<unknown>,
  args: string[],
): Result<{ values: Record<string, string | boolean | undefined>; positionals: string[] }, CliError> {
  try {
    const parsed = parseArgs({ args, options: command.options, allowPositionals: command.allowPositionals === true, strict: true })
    return ok({ values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals })
  } catch (error) {
    const unknown = (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /Unknown option '(-[^']+)'/.exec((error as Error).message) : null
    if (unknown) {
      const known = [...Object.keys(command.options), 'help'].map((name) => `--${name}`)
      return err({ code: 'unknown_option', command: command.words.join(' '), option: unknown[1], suggestion: closestName(unknown[1], known) })
    }
    return err({ code: 'bad_arguments', command: command.words.join(' '), detail: (error as Error).message })
  }
}

function describeThrown(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : ''
  return `${error.message}${cause}`
}

if (import.meta.main) {
  process.exitCode = await runCli(process.argv.slice(2))
}
