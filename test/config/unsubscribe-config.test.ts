import { expect, test } from 'vitest'
import { ConfigError, loadConfig } from '../../src/config.ts'

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
  return []
}

test('unsubscribe links point at PUBLIC_URL, else at this machine on PORT, and are signed with UNSUBSCRIBE_SECRET', () => {
  expect(loadConfig({ PORT: '4000' }).unsubscribe).toEqual({ publicUrl: 'http://localhost:4000', secret: undefined })
  const secret = 'f'.repeat(64)
  expect(loadConfig({ PUBLIC_URL: ' https://library.school.example/comms/ ', UNSUBSCRIBE_SECRET: secret }).unsubscribe).toEqual({
    publicUrl: 'https://library.school.example/comms',
    secret,
  })
})

test('a PUBLIC_URL that is not an address is echoed; a short secret is refused without being echoed', () => {
  expect(problemsOf({ PUBLIC_URL: 'library.school.example' })).toEqual([
    'PUBLIC_URL: "library.school.example" is not the service\'s public address such as https://library.school.example',
  ])
  expect(problemsOf({ PUBLIC_URL: 'https://library.school.example/?a=1' })).toHaveLength(1)
  const problems = problemsOf({ UNSUBSCRIBE_SECRET: 'hunter2' })
  expect(problems).toEqual(['UNSUBSCRIBE_SECRET: must be at least 32 characters, e.g. the output of `openssl rand -hex 32`'])
  expect(problems.join()).not.toContain('hunter2')
})

test('sending for real (ses) needs an https PUBLIC_URL and UNSUBSCRIBE_SECRET, so links reach the service and outlive a restart', () => {
  const problems = problemsOf({ EMAIL_TRANSPORT: 'ses', PUBLIC_URL: 'http://library.school.example' })
  expect(problems).toContain('PUBLIC_URL: must be an https:// address with EMAIL_TRANSPORT=ses (one-click unsubscribe, RFC 8058)')
  expect(problems).toContain('UNSUBSCRIBE_SECRET: is required with EMAIL_TRANSPORT=ses: it signs unsubscribe links, which must still work after a restart')
  expect(problemsOf({ EMAIL_TRANSPORT: 'ses' })).toContain(
    "PUBLIC_URL: is required with EMAIL_TRANSPORT=ses: notices' unsubscribe links point there (https://…)",
  )
})
