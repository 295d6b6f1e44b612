import { startEmbeddedServer } from '../src/db/embedded-server.ts'
import type { BenchDatabase } from './support/bench-database.ts'
import type { Benchmark, BenchOptions } from './support/benchmark.ts'
import { writeReplaceAllFile } from './support/district.ts'
import { createDistrictDatabase, type DistrictDatabase } from './support/district-database.ts'
import { type Figure, median } from './support/figures.ts'
import { type FloorRun, runReplaceAllFloor } from './support/floor.ts'
import { type ImportRun, runImportProcess } from './support/import-process.ts'
import { type PostgresMemory, samplePostgresMemory } from './support/postgres-memory.ts'

/** The import against the floor of its work, on the same database. */
const budgetRatio = 5
/** The tool's own process. */
const budgetRssMb = 300
/** The embedded default against the same import on a server. */
const budgetEmbeddedRatio = 1.5

/** What one database (server or embedded) measured: every run's floor and import. */
type Measured = { kind: BenchDatabase['kind']; floors: FloorRun[]; imports: (ImportRun & { postgres?: PostgresMemory })[] }

/**
 * B1: `library-comms import contacts FILE --mode replace-all` of the district's 250,000
 * contacts (a fresh export: one address in ten changed), in a process of its own, against the
 * floor of the same work (support/floor.ts: a COPY of the file and the bare statements that make
 * the same change). Every floor and every import starts from its own copy of the seeded district.
 * On the server when DATABASE_URL is set, and on the embedded default, run by run in turn, so that
 * the embedded import can be set against the server's under the same load; on the embedded one
 * with the memory of PostgreSQL's own processes beside the tool's.
 */
export const b1ContactsImport: Benchmark = {
  id: 'B1',
  title: 'contacts CSV import, replace-all: parse, validate, apply, against the floor of the same change',
  async run(options) {
    const districts: DistrictDatabase[] = []
    try {
      if (options.serverUrl) districts.push(await createDistrictDatabase({ serverUrl: options.serverUrl, small: options.small, log: options.log }))
      districts.push(await createDistrictDatabase({ serverUrl: undefined, small: options.small, log: options.log }))
      const measured = districts.map((district): Measured => ({ kind: district.kind, floors: [], imports: [] }))
      const path = `${districts[0].workDir}/contacts.csv`
      await writeReplaceAllFile(path, districts[0].size)
      const runs = options.small ? 1 : 3
      for (let run = 1; run <= runs; run += 1) {
        for (const [index, district] of districts.entries()) await measureRun(options, district, measured[index], path, run)
      }
      return figuresOf(measured)
    } finally {
      for (const district of districts) await district.drop()
    }
  },
}

/** One floor and one import, each on a fresh copy of the district, and checks they made the same change. */
async function measureRun({ log }: BenchOptions, district: DistrictDatabase, measured: Measured, path: string, run: number): Promise<void> {
  const floor = await onCopy(district, async (copy) => {
    if ('DATABASE_URL' in copy.env) return runReplaceAllFloor(copy.env.DATABASE_URL, { path, libraryId: district.libraryId })
    const server = await startEmbeddedServer({ dataDir: copy.env.DATA_DIR })
    try {
      return await runReplaceAllFloor(server.connection, { path, libraryId: district.libraryId })
    } finally {
      await server.stop()
    }
  })
  const { copy: c, delete: d, insert: i, commit } = floor.stepsMs
  log(
    `B1 ${district.kind} run ${run}: floor ${floor.ms.toFixed(0)} ms (copy ${c.toFixed(0)}, delete ${d.toFixed(0)}, insert ${i.toFixed(0)}, commit ${commit.toFixed(0)}): ${floor.deleted} contacts deleted, ${floor.inserted} inserted`,
  )
  measured.floors.push(floor)

  const imported = await onCopy(district, async (copy) => {
    // The tool starts the embedded PostgreSQL itself; the sampler finds it by its data directory.
    const memory = 'DATA_DIR' in copy.env ? samplePostgresMemory(copy.env.DATA_DIR) : undefined
    const stopped = async () => memory?.stop()
    const args = ['import', 'contacts', path, '--library', String(district.libraryId), '--mode', 'replace-all']
    const run = await runImportProcess(copy.env, args).catch(async (error) => {
      await stopped()
      throw error
    })
    return { ...run, postgres: await stopped() }
  })
  const counts = importCounts(imported.stdout)
  // The floor is a floor only if it made the import's change: what the import changes in place
  // (updated), the floor deletes and inserts anew.
  if (counts.added === 0 || floor.deleted !== counts.deleted + counts.updated || floor.inserted !== counts.added + counts.updated) {
    throw new Error(`the floor did not make the import's change (floor: ${floor.deleted} deleted, ${floor.inserted} inserted):\n${imported.stdout}`)
  }
  const { reading, checking, applying } = imported.phasesMs
  const postgres = imported.postgres
    ? `; PostgreSQL's processes: peak PSS ${imported.postgres.peakPssMb.toFixed(0)} MB in ${imported.postgres.peakProcesses} processes (${imported.postgres.samples} samples)`
    : ''
  log(
    `B1 ${district.kind} run ${run}: import ${imported.ms.toFixed(0)} ms (reading and staging ${reading.toFixed(0)}, checking ${checking.toFixed(0)}, applying ${applying.toFixed(0)}): ${counts.added} added, ${counts.updated} updated, ${counts.deleted} deleted; the tool's peak RSS ${imported.maxRssMb.toFixed(0)} MB${postgres}`,
  )
  measured.imports.push(imported)
}

async function onCopy<T>(district: DistrictDatabase, work: (copy: BenchDatabase) => Promise<T>): Promise<T> {
  const copy = await district.copy()
  try {
    return await work(copy)
  } finally {
    await copy.drop()
  }
}

function importCounts(stdout: string): { added: number; updated: number; deleted: number } {
  const count = (label: string) => {
    const found = new RegExp(`^\\s*contacts ${label}\\s+(\\d+)$`, 'm').exec(stdout)
    if (!found) throw new Error(`no "contacts ${label}" in what the import printed:\n${stdout}`)
    return Number(found[1])
  }
  return { added: count('added'), updated: count('updated'), deleted: count('deleted') }
}

function figuresOf(measured: Measured[]): Figure[] {
  const figures: Figure[] = []
  const importMs = (of: Measured) => median(of.imports.map((run) => run.ms))
  for (const of of measured) {
    const suffix = of.kind === 'server' ? '' : '-embedded'
    const value = importMs(of)
    const floorMs = median(of.floors.map((run) => run.ms))
    const rssMb = Math.max(...of.imports.map((run) => run.maxRssMb))
    figures.push(
      {
        id: 'B1',
        name: `contacts-import-replace-all${suffix}`,
        value,
        unit: 'ms',
        reference: { kind: 'baseline', value: floorMs, unit: 'ms' },
        isWithinBudget: value <= budgetRatio * floorMs,
      },
      {
        id: 'B1',
        name: `contacts-import-replace-all-peak-rss${suffix}`,
        value: rssMb,
        unit: 'MB',
        reference: { kind: 'budget', value: budgetRssMb, unit: 'MB' },
        isWithinBudget: rssMb <= budgetRssMb,
      },
    )
    const postgres = of.imports.flatMap((run) => (run.postgres && run.postgres.samples > 0 ? [run.postgres.peakPssMb] : []))
    if (postgres.length > 0) {
      // Given beside the tool's RSS, for information: BENCHMARKS.md sets it no budget.
      figures.push({ id: 'B1', name: `contacts-import-replace-all-postgres-pss${suffix}`, value: Math.max(...postgres), unit: 'MB', isWithinBudget: true })
    }
  }
  const server = measured.find((of) => of.kind === 'server')
  const embedded = measured.find((of) => of.kind === 'embedded')
  if (server && embedded) {
    const value = importMs(embedded)
    figures.push({
      id: 'B1',
      name: 'contacts-import-replace-all-embedded-vs-server',
      value,
      unit: 'ms',
      reference: { kind: 'baseline', value: importMs(server), unit: 'ms' },
      isWithinBudget: value <= budgetEmbeddedRatio * importMs(server),
    })
  }
  return figures
}
