import type { Context } from 'hono'
import type { Logger } from 'pino'
import type { Config } from '../config.ts'
import type { AppDeps } from '../domain/deps.ts'

export type SlackBot = {
  /** Slack's HTTP mode; undefined in Socket Mode. */
  handleHttp?: (c: Context) => Promise<Response>
  start(): Promise<void>
  stop(): Promise<void>
}

/** Placeholder until the Slack door lands. */
export function createSlackBot(_options: { slack: Exclude<Config['slack'], { mode: 'off' }>; deps: AppDeps; logger: Logger }): SlackBot {
  return { start: async () => {}, stop: async () => {} }
}
