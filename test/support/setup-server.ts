import postgres from 'postgres'
import type { TestProject } from 'vitest/node'
import { openServerDatabase } from '../../src/db/database.ts'
import { migrateToLatest } from '../../src/db/migrate.ts'
import { migrationsFingerprint } from './template.ts'

// One migrated template database; every test file gets `create database … template` of it.
export default async function setup(project: TestProject) {
  const url = process.env.TEST_DATABASE_URL!
  const template = `lc_template_${migrationsFingerprint()}`
  const admin = postgres(url, { max: 1, onnotice: () => {} })
  try {
    const [found] = await admin`select 1 from pg_database where datname = ${template}`
    if (!found) {
      await admin.unsafe(`create database ${template}_building`)
      const handle = openServerDatabase(withDatabase(url, `${template}_building`), { max: 2 })
      await migrateToLatest(handle.db)
      await handle.close()
      await admin.unsafe(`alter database ${template}_building rename to ${template}`)
    }
    // Databases left by an interrupted run, an hour old or more (another run may be going on).
    const stale = await admin`select datname from pg_database where datname like 'lc_test_%'`
    const hourAgo = Math.floor(Date.now() / 1000) - 3600
    for (const { datname } of stale) {
      const createdAt = Number(datname.split('_')[2])
      if (!Number.isInteger(createdAt) || createdAt < hourAgo) await admin.unsafe(`drop database if exists ${datname} with (force)`)
    }
  } finally {
    await admin.end()
  }
  project.provide('serverTemplate', template)
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}
