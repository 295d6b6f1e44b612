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

test('a bare environment writes email to files, from library-comms@localhost', () => {
  expect(loadConfig({}).email).toEqual({ transport: 'file', from: 'library-comms@localhost' })
})

test('EMAIL_FROM is the sender address; EMAIL_TRANSPORT=file is taken in any case', () => {
  expect(loadConfig({ EMAIL_TRANSPORT: 'File', EMAIL_FROM: ' library@school.example ' }).email).toEqual({ transport: 'file', from: 'library@school.example' })
})

test('ses is refused until the release that brings it, and another transport is named as unknown', () => {
  expect(problemsOf({ EMAIL_TRANSPORT: 'ses', PUBLIC_URL: 'https://library.school.example', UNSUBSCRIBE_SECRET: 'x'.repeat(32) })).toEqual([
    'EMAIL_TRANSPORT: ses (Amazon SES) arrives in a later release; use file, the default, which writes each email to DATA_DIR/outbox',
  ])
  expect(problemsOf({ EMAIL_TRANSPORT: 'smtp' })).toEqual(['EMAIL_TRANSPORT: "smtp" is not a transport: use file (the default)'])
})

test('an EMAIL_FROM that is not an address is echoed, and a display name belongs to each library instead', () => {
  expect(problemsOf({ EMAIL_FROM: 'library at school' })).toEqual(['EMAIL_FROM: "library at school" is not an email address such as library@school.example'])
  expect(problemsOf({ EMAIL_FROM: 'Library <library@school.example>' })).toHaveLength(1)
})
