import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import postgres from 'postgres'

/** Where one benchmark's service keeps its data: what to put in its environment, and how to clean up. */
export type BenchDatabase = { kind: 'server' | 'embedded'; env: { DATABASE_URL: string } | { DATA_DIR: string }; drop(): Promise<void> }

/**
 * A fresh, empty database for one benchmark: a scratch database on the server of DATABASE_URL
 * (dropped afterwards, so the server's own data is never touched), else a temporary DATA_DIR.
 */
export async function createBenchDatabase(options: { serverUrl: string | undefined }): Promise<BenchDatabase> {
  if (options.serverUrl === undefined) {
    const parent = await mkdtemp(`${tmpdir()}/lc-bench-`)
    return { kind: 'embedded', env: { DATA_DIR: `${parent}/data` }, drop: () => rm(parent, { recursive: true, force: true }) }
  }
  const name = `lc_bench_${randomBytes(5).toString('hex')}`
  const admin = postgres(options.serverUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name}`)
  await admin.end()
  const url = new URL(options.serverUrl)
  url.pathname = `/${name}`
  return {
    kind: 'server',
    env: { DATABASE_URL: url.toString() },
    async drop() {
      const cleanup = postgres(options.serverUrl!, { max: 1, onnotice: () => {} })
      await cleanup.unsafe(`drop database if exists ${name} with (force)`)
      await cleanup.end()
    },
  }
}
