import { createBenchDatabase } from './support/bench-database.ts'
import type { Benchmark } from './support/benchmark.ts'
import { median } from './support/figures.ts'
import { startServiceProcess } from './support/service-process.ts'

const budgetSeconds = 5

/**
 * B7: what `npm start` runs, on an empty embedded database (initdb, migrations), until /readyz
 * answers 200. B7 is defined on the embedded database, so it ignores DATABASE_URL.
 */
export const b7StartUntilReady: Benchmark = {
  id: 'B7',
  title: 'npm start on an empty embedded database until /readyz answers 200',
  async run({ small, log }) {
    const readySeconds: number[] = []
    for (let run = 1; run <= (small ? 1 : 3); run += 1) {
      const database = await createBenchDatabase({ serverUrl: undefined })
      try {
        const service = await startServiceProcess(database.env)
        await service.stop()
        readySeconds.push(service.readyAfterMs / 1000)
        log(`B7 run ${run}: ready after ${(service.readyAfterMs / 1000).toFixed(2)} s`)
      } finally {
        await database.drop()
      }
    }
    const value = median(readySeconds)
    return [
      {
        id: 'B7',
        name: 'start_until_ready_embedded',
        value,
        unit: 's',
        reference: { kind: 'budget', value: budgetSeconds, unit: 's' },
        isWithinBudget: value <= budgetSeconds,
      },
    ]
  },
}
