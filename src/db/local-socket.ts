import { rm } from 'node:fs/promises'
import path from 'node:path'
import type { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import type { Mutex } from './mutex.ts'

/** Where the running service offers the embedded database to the command-line tool. */
export function localSocketPath(dataDir: string): string {
  return path.resolve(dataDir, '.s.PGSQL.5432')
}

/**
 * The embedded database is one process's (PGlite owns its data directory), so while the
 * service runs, the command-line tool reaches it through this Unix socket, speaking the
 * Postgres protocol. Each message waits for the service's own connection gate, so the tool's
 * statements never run inside one of the service's transactions. The socket file is private
 * to the service's user (mode 0600 via umask), like Postgres's own.
 */
export async function startLocalSocket(embedded: { pglite: PGlite; gate: Mutex }, dataDir: string): Promise<{ stop(): Promise<void> }> {
  const socketPath = localSocketPath(dataDir)
  await rm(socketPath, { force: true })
  const gated = new Proxy(embedded.pglite, {
    get(target, property, receiver) {
      if (property === 'runExclusive') {
        return <T>(work: () => Promise<T>) => embedded.gate.run(() => target.runExclusive(work))
      }
      const value = Reflect.get(target, property, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  const previousMask = process.umask(0o077)
  const server = new PGLiteSocketServer({ db: gated, path: socketPath, maxConnections: 8 })
  try {
    await server.start()
  } finally {
    process.umask(previousMask)
  }
  return {
    async stop() {
      await server.stop()
      await rm(socketPath, { force: true })
    },
  }
}
