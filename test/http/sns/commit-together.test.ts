import { expect, test } from 'vitest'
import { commitTogether } from '../../../src/http/sns/commit-together.ts'

test('inputs arriving while a batch commits go together in the next batch', async () => {
  const batches: number[][] = []
  const run = commitTogether<number, number>({
    runBatch: async (inputs) => {
      batches.push(inputs)
      await new Promise((resolve) => setTimeout(resolve, 10))
      return inputs.map((n) => n * 2)
    },
    runOne: async (n) => n * 2,
    maxBatch: 100,
    maxRunning: 1,
  })
  expect(await Promise.all([1, 2, 3, 4].map(run))).toEqual([2, 4, 6, 8])
  expect(batches).toEqual([[1], [2, 3, 4]])
})

test('one bad input in a batch fails alone: the others are run again one by one', async () => {
  const run = commitTogether<number, number>({
    runBatch: async (inputs) => {
      await new Promise((resolve) => setTimeout(resolve, 5))
      if (inputs.includes(13)) throw new Error('unlucky')
      return inputs
    },
    runOne: async (n) => {
      if (n === 13) throw new Error('unlucky')
      return n
    },
    maxBatch: 100,
    maxRunning: 1,
  })
  const results = await Promise.allSettled([1, 12, 13, 14].map(run))
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled'])
})
