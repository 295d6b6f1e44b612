import path from 'node:path'
import { z } from 'zod'

/** The environment, validated once at start. This is the only module that reads `process.env`. */
const environment = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    DATA_DIR: z.string().min(1).default('./data'),
    SLACK_SIGNING_SECRET: z.string().min(1).optional(),
    SLACK_BOT_TOKEN: z.string().regex(/^xoxb-/, 'must be a bot token (xoxb-…)').optional(),
    SLACK_APP_TOKEN: z.string().regex(/^xapp-/, 'must be an app-level token (xapp-…)').optional(),
    SLACK_API_URL: z.url().optional(),
    SLACK_ADMIN_USER_IDS: z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((id) => id.trim())
          .filter((id) => id !== ''),
      )
      .pipe(z.array(z.string().regex(/^[UW][A-Z0-9]+$/, 'must be Slack user ids like U0123ABCD'))),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })

export type Config = {
  port: number
  databaseUrl: string | undefined
  dataDir: string
  slack:
    | { mode: 'off' }
    | { mode: 'http'; signingSecret: string; botToken: string; apiUrl: string | undefined; adminUserIds: string[] }
    | { mode: 'socket'; appToken: string; botToken: string; signingSecret: string | undefined; apiUrl: string | undefined; adminUserIds: string[] }
  adminUserIds: string[]
  logLevel: z.infer<typeof environment>['LOG_LEVEL']
}

export class ConfigError extends Error {
  readonly problems: string[]
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`)
    this.name = 'ConfigError'
    this.problems = problems
  }
}

/** Reads and validates the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable in .env means "not set", as most tools read it.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''))
  const parsed = environment.safeParse(present)
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`)),
    ...slackProblems(present),
    ...dataDirProblems(present),
  ]
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems)
  const e = parsed.data
  const common = { botToken: e.SLACK_BOT_TOKEN ?? '', apiUrl: e.SLACK_API_URL, adminUserIds: e.SLACK_ADMIN_USER_IDS }
  const slack: Config['slack'] =
    e.SLACK_BOT_TOKEN === undefined
      ? { mode: 'off' }
      : e.SLACK_APP_TOKEN !== undefined
        ? { mode: 'socket', appToken: e.SLACK_APP_TOKEN, signingSecret: e.SLACK_SIGNING_SECRET, ...common }
        : { mode: 'http', signingSecret: e.SLACK_SIGNING_SECRET ?? '', ...common }
  return {
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    slack,
    adminUserIds: e.SLACK_ADMIN_USER_IDS,
    logLevel: e.LOG_LEVEL,
  }
}

// The embedded database lends itself to the command-line tool through a Unix socket inside
// DATA_DIR (localSocketPath), and a socket's path holds at most 107 bytes on Linux: a longer one
// would stop the service at start with a bare "listen EINVAL".
const socketPathLimit = 107
function dataDirProblems(env: Record<string, string | undefined>): string[] {
  if (env.DATABASE_URL !== undefined) return []
  const socketPath = path.resolve(env.DATA_DIR ?? './data', '.s.PGSQL.5432')
  const room = socketPathLimit - '/.s.PGSQL.5432'.length
  if (Buffer.byteLength(socketPath) <= socketPathLimit) return []
  return [`DATA_DIR: its full path (${path.dirname(socketPath)}) is longer than ${room} bytes, too long for the database's local socket; choose a shorter one`]
}

// Slack is optional (a new install starts without it), but half a Slack set-up is a mistake.
function slackProblems(env: Record<string, string | undefined>): string[] {
  const problems: string[] = []
  const socketMode = env.SLACK_APP_TOKEN !== undefined
  if (env.SLACK_BOT_TOKEN !== undefined && !socketMode && env.SLACK_SIGNING_SECRET === undefined) {
    problems.push('SLACK_SIGNING_SECRET: is required when SLACK_BOT_TOKEN is set (HTTP mode)')
  }
  if (env.SLACK_BOT_TOKEN === undefined && (env.SLACK_SIGNING_SECRET !== undefined || socketMode)) {
    problems.push('SLACK_BOT_TOKEN: is required when Slack is configured')
  }
  return problems
}
