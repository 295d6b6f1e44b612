import { expect, test } from 'vitest'
import { ConfigError, loadConfig } from '../../src/config.ts'

test('a bare environment starts on the embedded database with Slack off', () => {
  expect(loadConfig({})).toMatchObject({ port: 3000, databaseUrl: undefined, dataDir: './data', slack: { mode: 'off' }, logLevel: 'info' })
})

test('HTTP mode needs the signing secret; Socket Mode is chosen by the app token', () => {
  const http = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_ADMIN_USER_IDS: 'U1, U2' })
  expect(http.slack).toMatchObject({ mode: 'http', adminUserIds: ['U1', 'U2'] })
  expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }).slack.mode).toBe('socket')
})

test('every bad variable is named', () => {
  try {
    loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', SLACK_BOT_TOKEN: 'xoxb-1', LOG_LEVEL: 'loud', SLACK_ADMIN_USER_IDS: 'bob' })
    expect.unreachable()
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    const named = (error as ConfigError).problems.map((p) => p.split(':')[0])
    expect(named.sort()).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'PORT', 'SLACK_ADMIN_USER_IDS.0', 'SLACK_SIGNING_SECRET'].sort())
  }
})

test('a DATA_DIR too long for the database socket inside it is named, unless a server is used', () => {
  const deep = `/srv/${'library-comms-data/'.repeat(6)}data`
  expect(() => loadConfig({ DATA_DIR: deep })).toThrow(/DATA_DIR: its full path .* is longer than 93 bytes/)
  expect(loadConfig({ DATA_DIR: deep, DATABASE_URL: 'postgres://db/library' }).dataDir).toBe(deep)
  expect(loadConfig({ DATA_DIR: '/var/lib/library-comms' }).dataDir).toBe('/var/lib/library-comms')
})
