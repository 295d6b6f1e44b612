import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { simpleParser } from 'mailparser'
import pino from 'pino'
import { afterAll, expect, test } from 'vitest'
import { loadConfig } from '../../src/config.ts'
import { startService } from '../../src/main.ts'
import { givenLibrary, testDeps } from '../support/builders.ts'
import { openTestDatabase } from '../support/database.ts'
import { givenQueuedMessage, messageRow } from '../support/outbox.ts'

const dirs: string[] = []
afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))))

test('the service sends what waits in the outbox as .eml files under DATA_DIR/outbox, from EMAIL_FROM, and stops cleanly', async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'lc-service-outbox-'))
  dirs.push(dataDir)
  const database = await openTestDatabase()
  try {
    const lib = await givenLibrary(testDeps(database), { name: 'Riverside Library' })
    const ana = await lib.patron({ username: 'asilva' })
    const id = await givenQueuedMessage(database.db, lib, ana, { subject: 'Ana has 1 overdue loan', recipients: [{ kind: 'to', address: 'mum@example.org' }] })
    const config = loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', EMAIL_FROM: 'library@school.example' })

    const service = await startService(config, { database, logger: pino({ level: 'silent' }) })
    const outbox = path.join(dataDir, 'outbox')
    const deadline = Date.now() + 10_000
    let files: string[] = []
    while (files.length === 0 && Date.now() < deadline) {
      files = await readdir(outbox).catch(() => [])
      if (files.length === 0) await new Promise((resolve) => setTimeout(resolve, 50))
    }
    await service.stop()

    expect(files).toEqual([expect.stringMatching(new RegExp(`^\\d{4}-\\d{2}-\\d{2}T\\d{6}Z-${id}-1-circulation\\.overdue\\.eml$`))])
    const email = await simpleParser(await readFile(path.join(outbox, files[0])))
    expect(email.from?.value).toEqual([{ name: 'Riverside Library', address: 'library@school.example' }])
    expect(email.subject).toBe('Ana has 1 overdue loan')
    expect(await messageRow(database.db, id)).toMatchObject({ status: 'sent', transportId: files[0] })
  } finally {
    await database.close()
  }
})
