import type { PGlite } from '@electric-sql/pglite'
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely'
import type { Mutex } from './mutex.ts'

/**
 * A Kysely dialect for an in-process PGlite. PGlite is a single connection, so a Kysely
 * connection (one query, or a whole transaction) holds `gate` until it is released; the
 * local socket that lets the command-line tool in takes the same gate per message, so its
 * statements never land inside one of ours.
 */
export class PGliteDialect implements Dialect {
  readonly #pglite: PGlite
  readonly #gate: Mutex
  constructor(pglite: PGlite, gate: Mutex) {
    this.#pglite = pglite
    this.#gate = gate
  }
  createAdapter() {
    return new PostgresAdapter()
  }
  createDriver(): Driver {
    return new PGliteDriver(this.#pglite, this.#gate)
  }
  // biome-ignore lint/suspicious/noExplicitAny: Kysely's Dialect interface takes Kysely<any>
  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db)
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler()
  }
}

class PGliteDriver implements Driver {
  readonly #pglite: PGlite
  readonly #gate: Mutex
  readonly #connection: PGliteConnection
  constructor(pglite: PGlite, gate: Mutex) {
    this.#pglite = pglite
    this.#gate = gate
    this.#connection = new PGliteConnection(pglite)
  }
  async init() {
    await this.#pglite.waitReady
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#gate.lock()
    return this.#connection
  }
  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings) {
    const isolation = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : ''
    await connection.executeQuery(CompiledQuery.raw(`begin${isolation}`))
  }
  async commitTransaction(connection: DatabaseConnection) {
    await connection.executeQuery(CompiledQuery.raw('commit'))
  }
  async rollbackTransaction(connection: DatabaseConnection) {
    await connection.executeQuery(CompiledQuery.raw('rollback'))
  }
  async releaseConnection() {
    this.#gate.unlock()
  }
  async destroy() {}
}

class PGliteConnection implements DatabaseConnection {
  readonly #pglite: PGlite
  constructor(pglite: PGlite) {
    this.#pglite = pglite
  }
  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.#pglite.query<R>(compiled.sql, compiled.parameters as unknown[])
    const affected = result.affectedRows
    return {
      rows: result.rows,
      ...(affected !== undefined && result.fields.length === 0 ? { numAffectedRows: BigInt(affected) } : {}),
    }
  }
  // biome-ignore lint/correctness/useYield: Kysely's Driver wants a generator; this one refuses at once
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported on the embedded database; walk keyset batches instead')
  }
}
