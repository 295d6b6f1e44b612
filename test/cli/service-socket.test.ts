import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import pino from 'pino'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { loadConfig } from '../../src/config.ts'
import { localSocketPath } from '../../src/db/local-socket.ts'
import { type Service, startService } from '../../src/main.ts'
import { testDatabaseKind } from '../support/database.ts'

// The service's PGlite is one session shared with the tool's socket: a transaction of the tool
// must not swallow the service's own statements, nor a tool that disconnects stall the service.
describe.runIf(testDatabaseKind === 'embedded')('the service socket the tool uses', () => {
  let dataDir: string
  let service: Service
  const connect = () => postgres({ path: localSocketPath(dataDir), max: 1, username: 'postgres', database: 'postgres', prepare: false, onnotice: () => {} })
  beforeAll(async () => {
    dataDir = await mkdtemp(`${tmpdir()}/lc-socket-`)
    service = await startService(loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), { logger: pino({ level: 'silent' }) })
  })
  afterAll(async () => {
    await service?.stop()
    await rm(dataDir, { recursive: true, force: true })
  })

  test("the service's writes are kept when a transaction of the tool rolls back", async () => {
    const tool = connect()
    let serviceWrite: Promise<unknown> | undefined
    const gaveUp = await tool
      .begin(async (tx) => {
        await tx`insert into libraries (name, time_zone) values ('from the tool', 'UTC')`
        serviceWrite = service.deps.db.insertInto('libraries').values({ name: 'from the service', time_zone: 'UTC' }).execute()
        await new Promise((resolve) => setTimeout(resolve, 50))
        throw new Error('the tool gives up')
      })
      .then(
        () => 'committed',
        (error: Error) => error.message,
      )
    // Its own insert ran: the rollback, not a failed statement, is what undid it.
    expect(gaveUp).toBe('the tool gives up')
    await serviceWrite
    await tool.end()

    const names = await service.deps.db.selectFrom('libraries').select('name').execute()
    expect(names).toEqual([{ name: 'from the service' }])
  })

  test('a tool that disconnects inside a transaction leaves nothing behind and the service answers', async () => {
    const tool = connect()
    const session = await tool.reserve()
    await session`begin`
    await session`insert into libraries (name, time_zone) values ('abandoned', 'UTC')`
    await tool.end({ timeout: 0 })

    const names = await service.deps.db.selectFrom('libraries').where('name', '=', 'abandoned').select('name').execute()
    expect(names).toEqual([])
  })
})
