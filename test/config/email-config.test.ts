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

test('ses sends from EMAIL_FROM, with the configuration set and a rate if given; another transport is named as unknown', () => {
  expect(
    loadConfig({
      EMAIL_TRANSPORT: 'SES',
      EMAIL_FROM: 'library@school.example',
      PUBLIC_URL: 'https://library.school.example',
      UNSUBSCRIBE_SECRET: 'x'.repeat(32),
    }).email,
  ).toEqual({ transport: 'ses', from: 'library@school.example' })
  expect(
    loadConfig({
      EMAIL_TRANSPORT: 'ses',
      EMAIL_FROM: 'library@school.example',
      PUBLIC_URL: 'https://library.school.example',
      UNSUBSCRIBE_SECRET: 'x'.repeat(32),
      SES_CONFIGURATION_SET: 'library-comms',
      SES_MAX_SEND_RATE: '14.5',
    }).email,
  ).toEqual({ transport: 'ses', from: 'library@school.example', configurationSet: 'library-comms', maxSendRate: 14.5 })
  expect(problemsOf({ EMAIL_TRANSPORT: 'smtp' })).toEqual(['EMAIL_TRANSPORT: "smtp" is not a transport: use file (the default) or ses (Amazon SES)'])
})

test('ses without EMAIL_FROM is refused, saying why', () => {
  expect(problemsOf({ EMAIL_TRANSPORT: 'ses', PUBLIC_URL: 'https://library.school.example', UNSUBSCRIBE_SECRET: 'x'.repeat(32) })).toEqual([
    'EMAIL_FROM: is required with EMAIL_TRANSPORT=ses, since SES sends only from an address of a domain you verified (e.g. library@school.example)',
  ])
})

test('a sending rate must be a positive number, and a configuration set name SES would take', () => {
  const ses = { EMAIL_TRANSPORT: 'ses', EMAIL_FROM: 'library@school.example', PUBLIC_URL: 'https://library.school.example', UNSUBSCRIBE_SECRET: 'x'.repeat(32) }
  expect(problemsOf({ ...ses, SES_MAX_SEND_RATE: '0' })).toEqual(['SES_MAX_SEND_RATE: "0" is not a positive number of emails per second, such as 14'])
  expect(problemsOf({ ...ses, SES_MAX_SEND_RATE: 'fast' })).toEqual(['SES_MAX_SEND_RATE: "fast" is not a positive number of emails per second, such as 14'])
  expect(problemsOf({ ...ses, SES_CONFIGURATION_SET: 'library comms' })).toEqual([
    'SES_CONFIGURATION_SET: "library comms" is not a configuration set name (letters, digits, _ and -, 64 at most)',
  ])
})

test('an EMAIL_FROM that is not an address is echoed, and a display name belongs to each library instead', () => {
  expect(problemsOf({ EMAIL_FROM: 'library at school' })).toEqual(['EMAIL_FROM: "library at school" is not an email address such as library@school.example'])
  expect(problemsOf({ EMAIL_FROM: 'Library <library@school.example>' })).toHaveLength(1)
})
