import { Writable } from 'node:stream'
import { expect, test } from 'vitest'
import { createLogger } from '../../src/logger.ts'

test('tokens, keys and message bodies never reach the log', () => {
  const lines: string[] = []
  const sink = createLogger('info', new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }))
  sink.info(
    { token: 'xoxb-secret', request: { headers: { authorization: 'Bearer lc_secret' } }, email: { body: 'Dear parent', html: '<p>x</p>' }, apiKey: 'lc_key' },
    'sent',
  )
  const line = lines.join('')
  expect(line).toContain('"msg":"sent"')
  for (const secret of ['xoxb-secret', 'lc_secret', 'Dear parent', '<p>x</p>', 'lc_key']) expect(line).not.toContain(secret)
})
