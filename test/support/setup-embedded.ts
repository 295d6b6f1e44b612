import { existsSync } from 'node:fs'
import { rename, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { PGlite } from '@electric-sql/pglite'
import type { TestProject } from 'vitest/node'
import { embeddedOptions, openEmbeddedDatabase } from '../../src/db/database.ts'
import { migrateToLatest } from '../../src/db/migrate.ts'
import { migrationsFingerprint } from './template.ts'

// initdb takes seconds; every test file loads a copy of one migrated data directory instead.
export default async function setup(project: TestProject) {
  const path = `${tmpdir()}/library-comms-template-${migrationsFingerprint()}.tar`
  if (!existsSync(path)) {
    const pglite = await PGlite.create(embeddedOptions)
    const handle = await openEmbeddedDatabase({ pglite })
    await migrateToLatest(handle.db)
    const dump = await pglite.dumpDataDir('none')
    await handle.close()
    await writeFile(`${path}.${process.pid}`, Buffer.from(await dump.arrayBuffer()))
    await rename(`${path}.${process.pid}`, path)
  }
  project.provide('embeddedTemplate', path)
}

declare module 'vitest' {
  export interface ProvidedContext {
    embeddedTemplate: string
    serverTemplate: string
  }
}
