import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** A fingerprint of the migrations: a template built from other migrations is never reused. */
export function migrationsFingerprint(): string {
  const folder = fileURLToPath(new URL('../../migrations', import.meta.url))
  const hash = createHash('sha256')
  for (const name of readdirSync(folder).sort()) hash.update(name).update(readFileSync(`${folder}/${name}`))
  return hash.digest('hex').slice(0, 12)
}
