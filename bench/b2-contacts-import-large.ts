import type { Benchmark } from './support/benchmark.ts'
import { writeAddFile } from './support/district.ts'
import { createDistrictDatabase } from './support/district-database.ts'
import { runImportProcess } from './support/import-process.ts'

const budgetRssMb = 400

/**
 * B2: `library-comms import contacts FILE --mode add` of 2,000,000 rows (20 more contacts for
 * each patron of the district), once, in a process of its own: the file must stream, never
 * held whole. On the server when DATABASE_URL is set, else on the embedded database.
 */
export const b2ContactsImportLarge: Benchmark = {
  id: 'B2',
  title: 'contacts CSV import of 2,000,000 rows in add mode: peak RSS while it streams',
  async run({ small, serverUrl, log }) {
    const rows = small ? 200_000 : 2_000_000
    const district = await createDistrictDatabase({ serverUrl, small, log })
    try {
      const path = `${district.workDir}/contacts-add.csv`
      await writeAddFile(path, district.size, rows)
      const imported = await runImportProcess(district.env, ['import', 'contacts', path, '--library', String(district.libraryId), '--mode', 'add'])
      if (!new RegExp(`contacts added\\s+${rows}\\n`).test(imported.stdout)) throw new Error(`unexpected counts:\n${imported.stdout}`)
      const { reading, checking, applying } = imported.phasesMs
      log(
        `B2 ${district.kind}: ${rows} rows in ${(imported.ms / 1000).toFixed(1)} s (reading and staging ${(reading / 1000).toFixed(1)}, checking ${(checking / 1000).toFixed(1)}, applying ${(applying / 1000).toFixed(1)}), peak RSS ${imported.maxRssMb.toFixed(0)} MB`,
      )
      const suffix = district.kind === 'server' ? '' : '-embedded'
      return [
        {
          id: 'B2',
          name: `contacts-import-add-${rows / 1_000_000}m-peak-rss${suffix}`,
          value: imported.maxRssMb,
          unit: 'MB',
          reference: { kind: 'budget', value: budgetRssMb, unit: 'MB' },
          isWithinBudget: imported.maxRssMb <= budgetRssMb,
        },
        { id: 'B2', name: `contacts-import-add-${rows / 1_000_000}m${suffix}`, value: imported.ms / 1000, unit: 's', isWithinBudget: true },
      ]
    } finally {
      await district.drop()
    }
  },
}
