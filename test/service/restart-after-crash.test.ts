import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pino from 'pino'
import { afterAll, expect, test } from 'vitest'
import { loadConfig } from '../../src/config.ts'
import { openEmbeddedDatabase } from '../../src/db/database.ts'
import { startService } from '../../src/main.ts'
import { testDatabaseKind } from '../support/database.ts'

const dirs: string[] = []
afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))))

test.runIf(testDatabaseKind === 'embedded')(
  'imports an earlier run left reading or applying are given up at start, and say so',
  { timeout: 60_000 },
  async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'lc-restart-'))
    dirs.push(dataDir)
    const config = loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn' })
    await (await startService(config, { logger: pino({ level: 'silent' }) })).stop()
    // What a run killed with SIGKILL leaves behind: a file it was reading, and a dry run waiting.
    const left = await openEmbeddedDatabase({ dataDir })
    const library = await left.db.insertInto('libraries').values({ name: 'Hillside', time_zone: 'Europe/London' }).returning('id').executeTakeFirstOrThrow()
    for (const status of ['staging', 'staged'] as const) {
      await left.db
        .insertInto('batches')
        .values({
          library_id: library.id,
          kind: 'contacts',
          mode: 'add',
          levels: '{}',
          keep_custom: false,
          file_name: `${status}.csv`,
          status,
          requested_by: 'cli',
          confirm_permission: 'importContacts',
        })
        .execute()
    }
    await left.close()

    const lines: Array<Record<string, unknown>> = []
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) })
    const service = await startService(config, { logger })
    const batches = await service.deps.db.selectFrom('batches').select(['file_name', 'status']).orderBy('id').execute()
    await service.stop()

    expect(batches).toEqual([
      { file_name: 'staging.csv', status: 'failed' },
      { file_name: 'staged.csv', status: 'staged' },
    ])
    expect(lines.find((line) => line.msg === 'gave up imports an earlier run left unfinished; they changed nothing')).toMatchObject({
      imports: [expect.any(Number)],
    })
  },
)
