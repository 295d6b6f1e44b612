import type { Figure } from './figures.ts'

export type BenchOptions = {
  /** `--small`: a quick version, on a tenth of the district. */
  small: boolean
  /** DATABASE_URL, when the benchmarks run against a PostgreSQL server. */
  serverUrl: string | undefined
  /** Progress and context, on stderr (figures alone go to stdout). */
  log(line: string): void
}

/** One benchmark of BENCHMARKS.md; `npm run bench -- B7` runs the one with that id. */
export type Benchmark = { id: string; title: string; run(options: BenchOptions): Promise<Figure[]> }
