#!/usr/bin/env -S node --max-semi-space-size=4 --max-old-space-size=256
// The library-comms command-line tool. The tool is TypeScript run by Node.js 24, which the
// project installs from the npm registry's `node` package; a machine's own node may be older,
// so an older node hands over to that one. Kept to syntax any Node.js since 14 can parse.
// The V8 flags (the shebang's, repeated in v8Flags) bound the tool's memory: an import allocates
// short-lived rows by the million. --max-semi-space-size=4 (MiB) keeps the young generation
// small (package.json's start uses it too); --max-old-space-size=256 (MiB) makes V8 collect the
// old generation well before it would by default. What an import keeps alive is tens of MB (the
// library's usernames); without the cap the tool's peak RSS for 250,000 rows was ~270 MB against
// B1's budget of 300, with it ~175 MB, for ~0.2 s more collecting garbage in the import's 4 s.
// The embedded database's memory is not V8's, and not capped.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const v8Flags = ['--max-semi-space-size=4', '--max-old-space-size=256']
const script = fileURLToPath(import.meta.url)
const packageRoot = join(dirname(script), '..')
const major = Number(process.versions.node.split('.')[0])

if (major < 24) {
  const node24 = [join(packageRoot, 'node_modules', 'node', 'bin', 'node'), join(packageRoot, 'node_modules', '.bin', 'node')].find((path) => existsSync(path))
  // The marker stops a loop if the installed node is somehow older too.
  if (!node24 || process.env.LIBRARY_COMMS_HANDED_OVER === '1') {
    process.stderr.write(`library-comms: needs Node.js 24 or later, found ${process.versions.node}; run "npm ci" in ${packageRoot} to install it\n`)
    process.exit(1)
  }
  const child = spawnSync(node24, [...v8Flags, script, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, LIBRARY_COMMS_HANDED_OVER: '1' },
  })
  if (child.error) {
    process.stderr.write(`library-comms: could not start ${node24}: ${child.error.message}\n`)
    process.exit(1)
  }
  if (child.signal) process.kill(process.pid, child.signal)
  process.exit(child.status === null ? 1 : child.status)
} else {
  // The tool reads .env in the directory it runs in as the service does: src/config.ts loads it.
  const { runCli } = await import('../src/cli/main.ts')
  process.exitCode = await runCli(process.argv.slice(2))
}
