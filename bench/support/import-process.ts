import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { commands } from '../../src/cli/main.ts'
import { openCliDatabase } from '../../src/cli/open-database.ts'
import { loadConfig } from '../../src/config.ts'
import { systemClock } from '../../src/domain/deps.ts'
import { projectNode, projectRoot } from './service-process.ts'

/** One import run by the command-line tool's own code in a process of its own. */
export type ImportRun = {
  /** The command alone, from checking the library to the counts printed: preview and apply. */
  ms: number
  /** Time in each phase, from the tool's progress lines on stderr. */
  phasesMs: { reading: number; checking: number; applying: number }
  /** The process's peak resident set size. */
  maxRssMb: number
  stdout: string
}

/** The phases an import reports as they begin (reading is from the start). */
export type ImportPhase = 'checking' | 'applying'

/** Far beyond any import of B1's district (seconds): an import still running then is stuck, not slow. */
const defaultTimeoutMs = 10 * 60_000

/**
 * Runs `library-comms import …` in a child process on the database of `env`, and measures
 * only the command (opening the database and loading modules are left out, as they are not
 * the import); the child reports its figures as JSON on stdout, and each phase as it begins on
 * stderr, which `onPhase` hears at once (B6 measures while an import applies). An import that
 * has not finished after `timeoutMs` is killed, with the embedded PostgreSQL it started if it
 * started one (not the service's), and the benchmark fails saying in which phase it was.
 */
export async function runImportProcess(
  env: Record<string, string>,
  args: string[],
  options: { onPhase?(phase: ImportPhase): void; timeoutMs?: number } = {},
): Promise<ImportRun> {
  // The same V8 flags as bin/library-comms.js, so the figures are the tool's.
  const child = spawn(projectNode, ['--max-semi-space-size=4', '--max-old-space-size=256', thisScript, ...args], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  let partial = ''
  let phase: ImportPhase | 'reading' = 'reading'
  child.stdout.on('data', (chunk) => (stdout += chunk))
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4_000)
    const lines = (partial + chunk).split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) {
      const begun = /^bench-phase (checking|applying)$/.exec(line)?.[1] as ImportPhase | undefined
      if (!begun) continue
      phase = begun
      options.onPhase?.(begun)
    }
  })
  const exited = once(child, 'exit')
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs
  const patience = new AbortController()
  const outcome = await Promise.race([exited, sleep(timeoutMs, 'timeout' as const, { signal: patience.signal }).catch(() => 'exited' as const)])
  patience.abort()
  if (outcome === 'timeout') {
    const ownServer = 'DATA_DIR' in env ? postmasterStartedBy(env.DATA_DIR, child.pid) : undefined
    child.kill('SIGKILL')
    await exited
    if (ownServer !== undefined) await stopPostmaster(ownServer)
    throw new Error(`library-comms ${args.join(' ')} had not finished after ${(timeoutMs / 1000).toFixed(0)} s, still ${phase}; killed it`)
  }
  const [code] = await exited
  if (code !== 0) throw new Error(`library-comms ${args.join(' ')} exited with ${code}:\n${stderr}`)
  return JSON.parse(stdout) as ImportRun
}

/** The embedded PostgreSQL of `dataDir`, if the process `parent` started it (the tool without the service). */
function postmasterStartedBy(dataDir: string, parent: number | undefined): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path.join(dataDir, 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10)
    // /proc/<pid>/stat: "pid (name) state ppid …"; the name may hold spaces, not a closing parenthesis and a space.
    const ppid = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1])
    return ppid === parent ? pid : undefined
  } catch {
    return undefined
  }
}

/** A fast shutdown (running queries are cancelled), then waits until the postmaster is gone. */
async function stopPostmaster(pid: number): Promise<void> {
  process.kill(pid, 'SIGINT')
  for (;;) {
    try {
      if (/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))) return
    } catch {
      return
    }
    await sleep(50)
  }
}

const thisScript = fileURLToPath(import.meta.url)

async function main(argv: string[]): Promise<void> {
  const command = commands.find((candidate) => candidate.words.every((word, index) => argv[index] === word))
  if (!command) throw new Error(`not a command: ${argv.join(' ')}`)
  const parsed = parseArgs({ args: argv.slice(command.words.length), options: command.options, allowPositionals: true })
  const input = command.parse({ values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals })
  if (!input.ok) throw new Error(JSON.stringify(input.error))
  const opened = await openCliDatabase(loadConfig(process.env), { create: false })
  if (!opened.ok) throw new Error(JSON.stringify(opened.error))
  const database = opened.value
  const phases: { phase: ImportPhase; pattern: RegExp; at?: number }[] = [
    { phase: 'checking', pattern: /checking them against the database/ },
    { phase: 'applying', pattern: /^appl(ying|ied) / },
  ]
  const startedAt = performance.now()
  const result = await command.run({ db: database.db, bulkLoad: database.bulkLoad, clock: systemClock, adminUserIds: [] }, input.value, {
    stderr: (text) => {
      for (const phase of phases) {
        if (phase.at !== undefined || !phase.pattern.test(text)) continue
        phase.at = performance.now()
        process.stderr.write(`bench-phase ${phase.phase}\n`)
      }
    },
    isTerminal: false,
    columns: 80,
  })
  const endedAt = performance.now()
  await database.close()
  if (!result.ok) throw new Error(`${JSON.stringify(result.error).slice(0, 2_000)}`)
  const [checking, applying] = phases.map((phase) => phase.at ?? endedAt)
  const figures: ImportRun = {
    ms: endedAt - startedAt,
    phasesMs: { reading: checking - startedAt, checking: applying - checking, applying: endedAt - applying },
    maxRssMb: (process.resourceUsage().maxRSS * 1024) / 1e6,
    stdout: result.value,
  }
  process.stdout.write(JSON.stringify(figures))
}

if (import.meta.main) await main(process.argv.slice(2))
