import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { afterEach, describe, expect, test } from 'vitest'
import { DataDirInUse, lockDataDir } from '../../src/db/data-dir-lock.ts'
import { openEmbeddedDatabase } from '../../src/db/database.ts'
import { testDatabaseKind } from '../support/database.ts'

let dataDir: string
afterEach(async () => rm(dataDir, { recursive: true, force: true }))
const given = async () => (dataDir = await mkdtemp(`${tmpdir()}/lc-lock-`))

// The lock guards the embedded database's directory; it is tested once, in the embedded project.
describe.runIf(testDatabaseKind === 'embedded')('the embedded data directory lock', () => {
  test('a directory another live process holds is not opened, and names that process', async () => {
    await given()
    const holder = spawn('sleep', ['30'])
    try {
      await writeFile(`${dataDir}/library-comms.lock`, `${holder.pid}\n`)
      const opening = openEmbeddedDatabase({ dataDir })
      await expect(opening).rejects.toThrow(DataDirInUse)
      await expect(opening).rejects.toThrow(`is open in process ${holder.pid}`)
      expect(existsSync(`${dataDir}/pgdata`)).toBe(false)
    } finally {
      holder.kill()
    }
  })

  test('a lock left by a process that has ended is taken over, and released on close', async () => {
    await given()
    const ended = spawn('true')
    await new Promise((resolve) => ended.once('exit', resolve))
    await writeFile(`${dataDir}/library-comms.lock`, `${ended.pid}\n`)

    const release = await lockDataDir(dataDir)

    expect(await readFile(`${dataDir}/library-comms.lock`, 'utf8')).toBe(`${process.pid} service\n`)
    await release()
    expect(existsSync(`${dataDir}/library-comms.lock`)).toBe(false)
  })

  test('one process does not open a directory twice', async () => {
    await given()
    const release = await lockDataDir(dataDir)
    try {
      await expect(lockDataDir(dataDir)).rejects.toThrow(DataDirInUse)
    } finally {
      await release()
    }
    const again = await lockDataDir(dataDir)
    await again()
  })
})
