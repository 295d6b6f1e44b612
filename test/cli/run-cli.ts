import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
export const cliScript = `${root}bin/library-comms.js`
export const projectNode = `${root}node_modules/.bin/node`

export type CliRun = { exitCode: number; stdout: string; stderr: string }

/**
 * Runs the real command-line tool as an IT admin would, in `cwd` (so no developer's .env is
 * read) with only the variables given: nothing leaks in from the test's own environment.
 */
export function runCli(args: string[], options: { env: Record<string, string>; cwd: string; node?: string }): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    execFile(
      options.node ?? projectNode,
      [cliScript, ...args],
      { cwd: options.cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error)
        resolve({ exitCode: error ? (error.code as number) : 0, stdout, stderr })
      },
    )
  })
}
