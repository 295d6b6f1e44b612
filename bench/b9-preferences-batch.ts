import { type DatabaseHandle, openEmbeddedDatabase, openServerDatabase } from '../src/db/database.ts'
import { systemClock } from '../src/domain/deps.ts'
import { confirmPreferencesBatch } from '../src/domain/preferences/confirm-preferences-batch.ts'
import { normalizedRequest } from '../src/domain/preferences/preferences-batch.ts'
import { previewPreferencesBatch } from '../src/domain/preferences/preview-preferences-batch.ts'
import { cliActor } from '../src/domain/staff/actors.ts'
import type { BenchDatabase } from './support/bench-database.ts'
import type { Benchmark } from './support/benchmark.ts'
import { createDistrictDatabase } from './support/district-database.ts'
import { type Figure, median } from './support/figures.ts'

/** Issue 13: the batch over the whole district previews and applies in under 10 s. */
const budgetSeconds = 10

/**
 * B9: the contact preferences batch over the bench district (250,000 contacts): guardians, no
 * filter, overdue notices Off; a preview (dry run) and then the apply, timed together, each run
 * on its own copy of the seeded district. On the server when DATABASE_URL is set, and on the
 * embedded default.
 */
export const b9PreferencesBatch: Benchmark = {
  id: 'B9',
  title: 'contact preferences batch over the district: guardians, overdue Off, preview and apply',
  async run(options) {
    const figures: Figure[] = []
    for (const serverUrl of options.serverUrl ? [options.serverUrl, undefined] : [undefined]) {
      const district = await createDistrictDatabase({ serverUrl, small: options.small, log: options.log })
      try {
        const seconds: number[] = []
        for (let run = 1; run <= (options.small ? 1 : 3); run += 1) {
          const copy = await district.copy()
          try {
            seconds.push(await measureBatch(copy, district.libraryId, (line) => options.log(`B9 ${district.kind} run ${run}: ${line}`)))
          } finally {
            await copy.drop()
          }
        }
        const value = median(seconds)
        figures.push({
          id: 'B9',
          name: `preferences-batch${district.kind === 'server' ? '' : '-embedded'}`,
          value,
          unit: 's',
          reference: { kind: 'budget', value: budgetSeconds, unit: 's' },
          isWithinBudget: value <= budgetSeconds,
        })
      } finally {
        await district.drop()
      }
    }
    return figures
  },
}

async function measureBatch(copy: BenchDatabase, libraryId: number, log: (line: string) => void): Promise<number> {
  const handle: DatabaseHandle =
    'DATABASE_URL' in copy.env ? openServerDatabase(copy.env.DATABASE_URL, { max: 2 }) : await openEmbeddedDatabase({ dataDir: copy.env.DATA_DIR, max: 2 })
  try {
    const deps = { db: handle.db, clock: systemClock }
    const request = normalizedRequest({ mode: 'guardians', set: { overdue: 'off' }, overwriteRecipientChoices: false })
    const startedAt = performance.now()
    const preview = await previewPreferencesBatch(deps, { libraryId, actor: cliActor, request })
    const previewMs = performance.now() - startedAt
    if (!preview.ok) throw new Error('the preview was refused')
    const applied = await confirmPreferencesBatch(deps, { libraryId, actor: cliActor, batchId: preview.value.batchId })
    const ms = performance.now() - startedAt
    if (!preview.ok || !applied.ok) throw new Error('the batch was refused')
    if (applied.value.preferencesUpdated !== preview.value.contactsToChange) throw new Error('the apply did not do what the preview said')
    if (applied.value.preferencesUpdated < 1_000)
      throw new Error(`the batch changed ${applied.value.preferencesUpdated} contacts: the district has no guardians`)
    log(
      `preview ${previewMs.toFixed(0)} ms, apply ${(ms - previewMs).toFixed(0)} ms: ${applied.value.preferencesUpdated} contacts updated, ${applied.value.skippedNoAddress} skipped`,
    )
    return ms / 1000
  } finally {
    await handle.close()
  }
}
