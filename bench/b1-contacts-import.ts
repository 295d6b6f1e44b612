import { runningEmbeddedServer } from '../src/db/embedded-server.ts'
import type { Benchmark, BenchOptions } from './support/benchmark.ts'
import { copyCsvBaseline } from './support/copy-baseline.ts'
import { writeReplaceAllFile } from './support/district.ts'
import { createDistrictDatabase } from './support/district-database.ts'
import { type Figure, median } from './support/figures.ts'
import { type ImportRun, runImportProcess } from './support/import-process.ts'

const budgetRatio = 3
const budgetRssMb = 300
// The table the baseline copies into: the file's columns, typed as the import reads them.
const fileColumns = 'username text, role text, type text, address text, is_primary boolean, addressee text, bcc text, usage text, scenarios text'

/**
 * B1: `library-comms import contacts FILE --mode replace-all` of the district's 250,000
 * contacts (a fresh export: one address in ten changed), in a process of its own, against a
 * COPY of the same file into an empty table of its columns. On the server when DATABASE_URL
 * is set, and on the embedded database as information.
 */
export const b1ContactsImport: Benchmark = {
  id: 'B1',
  title: 'contacts CSV import, replace-all: parse, validate, apply, against a COPY of the same rows',
  async run(options) {
    const figures: Figure[] = []
    if (options.serverUrl) figures.push(...(await measure(options, options.serverUrl)))
    figures.push(...(await measure(options, undefined)))
    return figures
  },
}

async function measure({ small, log }: BenchOptions, serverUrl: string | undefined): Promise<Figure[]> {
  const district = await createDistrictDatabase({ serverUrl, small, log })
  try {
    const file = { path: `${district.workDir}/contacts.csv`, columns: fileColumns }
    await writeReplaceAllFile(file.path, district.size)
    const runs = small ? 1 : 3
    const baselinesMs: number[] = []
    const handle = await district.open()
    try {
      for (let run = 0; run < runs; run += 1)
        baselinesMs.push(
          await copyCsvBaseline(handle, 'DATABASE_URL' in district.env ? district.env.DATABASE_URL : runningEmbeddedServer(district.env.DATA_DIR)!, file),
        )
    } finally {
      await handle.close()
    }
    log(`B1 ${district.kind}: COPY baseline ${baselinesMs.map((ms) => ms.toFixed(0)).join(', ')} ms`)
    const imports: ImportRun[] = []
    for (let run = 0; run < runs; run += 1) {
      const imported = await runImportProcess(district.env, ['import', 'contacts', file.path, '--library', String(district.libraryId), '--mode', 'replace-all'])
      if (!new RegExp(`contacts added\\s+${district.size.contacts}\\n`).test(imported.stdout)) throw new Error(`unexpected counts:\n${imported.stdout}`)
      imports.push(imported)
      const { reading, checking, applying } = imported.phasesMs
      log(
        `B1 ${district.kind} run ${run + 1}: ${imported.ms.toFixed(0)} ms (reading and staging ${reading.toFixed(0)}, checking ${checking.toFixed(0)}, applying ${applying.toFixed(0)}), peak RSS ${imported.maxRssMb.toFixed(0)} MB`,
      )
    }
    const importMs = median(imports.map((run) => run.ms))
    const baselineMs = median(baselinesMs)
    const rssMb = Math.max(...imports.map((run) => run.maxRssMb))
    const suffix = district.kind === 'server' ? '' : '-embedded'
    return [
      {
        id: 'B1',
        name: `contacts-import-replace-all${suffix}`,
        value: importMs,
        unit: 'ms',
        reference: { kind: 'baseline', value: baselineMs, unit: 'ms' },
        isWithinBudget: importMs <= budgetRatio * baselineMs,
      },
      {
        id: 'B1',
        name: `contacts-import-replace-all-peak-rss${suffix}`,
        value: rssMb,
        unit: 'MB',
        reference: { kind: 'budget', value: budgetRssMb, unit: 'MB' },
        isWithinBudget: rssMb <= budgetRssMb,
      },
    ]
  } finally {
    await district.drop()
  }
}
