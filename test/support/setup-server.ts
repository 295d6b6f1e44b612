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
    // Databases left by an interrupted run.
    const stale = await admin`select datname from pg_database where datname like 'lc_test_%'`
    for (const { datname } of stale) await admin.unsafe(`drop database if exists ${datname} with (force)`)
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
