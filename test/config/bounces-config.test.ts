import { expect, test } from 'vitest'
import { ConfigError, loadConfig } from '../../src/config.ts'

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env)
    return []
  } catch (error) {
    if (error instanceof ConfigError) return error.problems
    throw error
  }
}

test('without SNS_TOPIC_ARNS no topic is accepted, and three soft bounces within seven days blacklist', () => {
  expect(loadConfig({}).bounces).toEqual({ topicArns: [], softBounceLimit: 3, softBounceWindowDays: 7 })
})

test('SNS_TOPIC_ARNS takes several topics, comma-separated, and the soft-bounce rule can be changed', () => {
  const config = loadConfig({
    SNS_TOPIC_ARNS: ' arn:aws:sns:eu-west-1:123456789012:ses-events, arn:aws-cn:sns:cn-north-1:123456789012:bounces ',
    SOFT_BOUNCE_LIMIT: '5',
    SOFT_BOUNCE_WINDOW_DAYS: '30',
  })
  expect(config.bounces).toEqual({
    topicArns: ['arn:aws:sns:eu-west-1:123456789012:ses-events', 'arn:aws-cn:sns:cn-north-1:123456789012:bounces'],
    softBounceLimit: 5,
    softBounceWindowDays: 30,
  })
})

test('a topic name or a URL instead of an ARN, and a soft-bounce limit of 0, are refused with a sentence', () => {
  expect(problemsOf({ SNS_TOPIC_ARNS: 'ses-events', SOFT_BOUNCE_LIMIT: '0', SOFT_BOUNCE_WINDOW_DAYS: 'week' })).toEqual([
    'SNS_TOPIC_ARNS: "ses-events" is not an SNS topic ARN like arn:aws:sns:eu-west-1:123456789012:ses-events',
    'SOFT_BOUNCE_LIMIT: "0" is not a number of bounces from 1 to 999',
    'SOFT_BOUNCE_WINDOW_DAYS: "week" is not a number of days from 1 to 999',
  ])
})
