import { describe, expect, test } from 'vitest'
import { progressMessage } from '../../src/bot/purge/views.ts'
import { progressBar } from '../../src/bot/views.ts'

describe('progress a librarian sees at a glance', () => {
  test('a bar of ten, never full before the work is done', () => {
    expect(progressBar(0, 100)).toBe('▱▱▱▱▱▱▱▱▱▱ 0%')
    expect(progressBar(3, 10)).toBe('▰▰▰▱▱▱▱▱▱▱ 30%')
    expect(progressBar(199, 200)).toBe('▰▰▰▰▰▰▰▰▰▰ 99%')
    expect(progressBar(100, 100)).toBe('▰▰▰▰▰▰▰▰▰▰ 100%')
    expect(progressBar(0, 0)).toBe('▰▰▰▰▰▰▰▰▰▰ 100%')
  })

  test("a purge's message shows its pages done as a bar", () => {
    const message = progressMessage(
      { id: 7, requestedBy: { kind: 'slack', userId: 'UASK' } },
      { kind: 'slack', userId: 'UOK' },
      { page: 40, pages: 100, purged: 7_950 },
    )
    expect(message.text).toBe(
      ':hourglass_flowing_sand: Purge request #7, asked by <@UASK> and approved by <@UOK>: page 40 of 100 done, 7,950 patrons purged so far… ▰▰▰▰▱▱▱▱▱▱ 40%',
    )
  })
})
