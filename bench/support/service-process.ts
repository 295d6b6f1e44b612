import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'

export const projectRoot = fileURLToPath(new URL('../..', import.meta.url))
export const projectNode = `${projectRoot}node_modules/.bin/node`

/**
 * What `npm start` runs (package.json: `exec node <flags> src/main.ts`), read from there so that
 * the benchmarks start the service with the same V8 flags; npm's own start (~0.15 s) is left out.
 */
const startArguments = (() => {
  const script: string = JSON.parse(readFileSync(`${projectRoot}package.json`, 'utf8')).scripts.start
  const command = /^(?:exec\s+)?node\s+(.+)$/.exec(script.trim())
  if (!command) throw new Error(`package.json's start script is not "node …": ${script}`)
  return command[1].split(/\s+/)
})()

export type ServiceProcess = {
  url: string
  /** Milliseconds from spawning the process to the first 200 from /readyz. */
  readyAfterMs: number
  /** SIGTERM, then wait for the process to exit. */
  stop(): Promise<void>
}

/** What `npm start` runs, in a process of its own, with exactly `env` (plus PATH); resolves once /readyz answers 200. */
export async function startServiceProcess(env: Record<string, string>, options: { timeoutMs?: number } = {}): Promise<ServiceProcess> {
  const port = await freePort()
  const startedAt = performance.now()
  const child = spawn(projectNode, startArguments, {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LOG_LEVEL: 'warn', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000))
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  const exited = once(child, 'exit')
  const url = `http://127.0.0.1:${port}`
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      await exited
    }
  }

  const deadline = startedAt + (options.timeoutMs ?? 60_000)
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the service exited with code ${child.exitCode}:\n${output}`)
    const status = await fetch(`${url}/readyz`).then(
      (response) => response.status,
      () => 0,
    )
    if (status === 200) return { url, readyAfterMs: performance.now() - startedAt, stop }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  await stop()
  throw new Error(`the service was not ready within ${options.timeoutMs ?? 60_000} ms:\n${output}`)
}

async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}
