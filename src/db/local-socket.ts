import { rm } from 'node:fs/promises'
import path from 'node:path'
import type { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import type { Mutex } from './mutex.ts'

// Parse, Bind, Describe, Execute, Close, Flush: the messages of an extended query before its Sync.
const extendedQueryParts = new Set([...'PBDECH'].map((letter) => letter.charCodeAt(0)))
const abandonedAfterMs = 5_000

/** Where the running service offers the embedded database to the command-line tool. */
export function localSocketPath(dataDir: string): string {
  return path.resolve(dataDir, '.s.PGSQL.5432')
}

/**
 * The embedded database is one process's (PGlite owns its data directory), so while the
 * service runs, the command-line tool reaches it through this Unix socket, speaking the
 * Postgres protocol. The tool's queries and transactions take the service's own connection
 * gate, so neither side's statements ever run inside the other's transaction. The socket file is private
 * to the service's user (mode 0600 via umask), like Postgres's own.
 */
export async function startLocalSocket(embedded: { pglite: PGlite; gate: Mutex }, dataDir: string): Promise<{ stop(): Promise<void> }> {
  const socketPath = localSocketPath(dataDir)
  await rm(socketPath, { force: true })
  const { pglite, gate } = embedded
  // PGlite is one session. Taking the gate per message is not enough: the service's statements
  // would land inside a client's open transaction (and roll back with it) or between the Parse
  // and Execute of its extended query. So the socket keeps the gate from a client's first
  // message until that client is idle outside a transaction.
  let holding = false
  let watchdog: NodeJS.Timeout | undefined
  const release = () => {
    clearTimeout(watchdog)
    if (!holding) return
    holding = false
    gate.unlock()
  }
  // A client that vanishes mid-query (its Sync never comes) must not stop the service for good.
  const armWatchdog = () => {
    clearTimeout(watchdog)
    watchdog = setTimeout(() => {
      const rollback = pglite.isInTransaction() ? pglite.exec('rollback') : Promise.resolve()
      rollback.catch(() => {}).finally(release)
    }, abandonedAfterMs)
    watchdog.unref()
  }
  const gated = new Proxy(pglite, {
    get(target, property, receiver) {
      if (property === 'runExclusive') {
        return async <T>(work: () => Promise<T>) => {
          if (!holding) {
            await gate.lock()
            holding = true
          }
          armWatchdog()
          return target.runExclusive(work)
        }
      }
      if (property === 'execProtocolRawStream') {
        return async (message: Uint8Array, options: Parameters<PGlite['execProtocolRawStream']>[1]) => {
          try {
            return await target.execProtocolRawStream(message, options)
          } finally {
            if (!extendedQueryParts.has(message[0]) && !target.isInTransaction()) release()
          }
        }
      }
      if (property === 'exec') {
        // The socket server rolls back a disconnected client's transaction with exec('ROLLBACK').
        return async (query: string, options?: Parameters<PGlite['exec']>[1]) => {
          try {
            return await target.exec(query, options)
          } finally {
            if (!target.isInTransaction()) release()
          }
        }
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
      release()
      await rm(socketPath, { force: true })
    },
  }
}
