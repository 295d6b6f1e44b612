import { availableParallelism } from 'node:os'
import { parseArgs } from 'node:util'
import { b1ContactsImport } from './b1-contacts-import.ts'
import { b2ContactsImportLarge } from './b2-contacts-import-large.ts'
import { b3NightlyPlanning } from './b3-nightly-planning.ts'
import { b4SesDispatch } from './b4-ses-dispatch.ts'
import { b5SesWebhook } from './b5-ses-webhook.ts'
import { b6SlashCommandAck } from './b6-slash-command-ack.ts'
import { b7StartUntilReady } from './b7-start-until-ready.ts'
import { b8Purge } from './b8-purge.ts'
import { b9PreferencesBatch } from './b9-preferences-batch.ts'
import type { Benchmark, BenchOptions } from './support/benchmark.ts'
import { formatFigure } from './support/figures.ts'

// `npm run bench` runs every benchmark of ../shared/BENCHMARKS.md that exists so far; later
// issues add theirs here.
const benchmarks: Benchmark[] = [
  b1ContactsImport,
  b2ContactsImportLarge,
  b3NightlyPlanning,
  b4SesDispatch,
  b5SesWebhook,
  b6SlashCommandAck,
  b7StartUntilReady,
  b8Purge,
  b9PreferencesBatch,
]

const usage = `Usage: npm run bench [-- [B6 B7 …] [--small]]

Runs the benchmarks of BENCHMARKS.md and prints each figure on a line of its own:
  B1 name value unit (baseline value unit, 2.10x)   B7 name value unit (budget value unit, ratio r)
--small   a quick version of each (a tenth of the district, fewer runs)
DATABASE_URL set: on scratch databases created (and dropped) on that server, and B1 and B6 on
the embedded default too (B1 sets the two against each other); else embedded. B7 is always
embedded. The district (seeded per benchmark, fixed seed): 100,000 patrons, 12 levels, 20 groups,
250,000 contacts; --small a tenth.
Benchmarks: ${benchmarks.map((benchmark) => `${benchmark.id} ${benchmark.title}`).join('\n            ')}
`

const { values, positionals } = parseArgs({
  options: { small: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  allowPositionals: true,
})
if (values.help) {
  process.stdout.write(usage)
  process.exit(0)
}
const wanted = positionals.map((id) => id.toUpperCase())
const unknown = wanted.filter((id) => !benchmarks.some((benchmark) => benchmark.id === id))
if (unknown.length > 0) {
  process.stderr.write(`bench: no benchmark ${unknown.join(', ')}\n\n${usage}`)
  process.exit(2)
}

const serverUrl = process.env.DATABASE_URL || undefined
const options: BenchOptions = { small: values.small, serverUrl, log: (line) => process.stderr.write(`  ${line}\n`) }
process.stderr.write(
  `bench: node ${process.versions.node}, ${availableParallelism()} cpus, database ${serverUrl ? 'server (DATABASE_URL)' : 'embedded'}${values.small ? ', --small' : ''}\n`,
)
for (const benchmark of benchmarks.filter((candidate) => wanted.length === 0 || wanted.includes(candidate.id))) {
  process.stderr.write(`${benchmark.id}: ${benchmark.title}\n`)
  try {
    for (const figure of await benchmark.run(options)) process.stdout.write(`${formatFigure(figure)}\n`)
  } catch (error) {
    process.stdout.write(`${benchmark.id} FAILED: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  }
}
