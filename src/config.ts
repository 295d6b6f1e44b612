import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { parseEnv } from 'node:util'
import { z } from 'zod'
import { embeddedPaths, socketPathLimit } from './db/embedded-server.ts'

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

const notAPort = (issue: { input: unknown }) => `"${String(issue.input)}" is not a port number (0 to 65535)`

// RFC 1123 host names: dot-separated labels of letters, digits and inner hyphens.
const isHostName = (value: string) => value.length <= 253 && value.split('.').every((label) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(label))

/** The sender address when EMAIL_FROM is unset: good for the file transport, which mails no one. */
export const defaultEmailFrom = 'library-comms@localhost'

// An address alone (the From name is each library's): a local part, @, and a host name, which
// may be a single label such as localhost.
const isMailbox = (value: string) => {
  const at = value.lastIndexOf('@')
  return at > 0 && /^[a-z0-9!#$%&'*+/=?^_`{|}~.-]+$/i.test(value.slice(0, at)) && isHostName(value.slice(at + 1))
}

/**
 * The environment, validated once at start. This is the only module that reads `process.env`.
 * A bad value is echoed in the message, except where it may hold a secret (tokens, the signing
 * secret, DATABASE_URL with its password, SLACK_API_URL).
 */
const environment = z.object({
  PORT: z
    .string()
    .regex(/^[0-9]{1,5}$/, { error: notAPort })
    .transform(Number)
    .refine((port) => port <= 65535, { error: notAPort })
    .default(3000),
  HOST: z
    .string()
    .trim()
    // [::1] as in a URL is taken too; the server listens on ::1.
    .transform((value) => value.replace(/^\[(.*)\]$/, '$1'))
    .refine((value) => isIP(value) !== 0 || isHostName(value), { error: (issue) => `"${String(issue.input)}" is not an IP address or a host name` })
    .optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  SLACK_BOT_TOKEN: z
    .string()
    .regex(/^xoxb-/, 'must be a bot token (xoxb-…)')
    .optional(),
  SLACK_APP_TOKEN: z
    .string()
    .regex(/^xapp-/, 'must be an app-level token (xapp-…)')
    .optional(),
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
    .pipe(z.array(z.string().regex(/^[UW][A-Z0-9]+$/, { error: (issue) => `"${String(issue.input)}" is not a Slack user id like U0123ABCD` }))),
  LOG_LEVEL: z.enum(logLevels, { error: (issue) => `"${String(issue.input)}" is not one of ${logLevels.join(', ')}` }).default('info'),
  EMAIL_TRANSPORT: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['file', 'ses'], { error: (issue) => `"${String(issue.input)}" is not a transport: use file (the default) or ses (Amazon SES)` }))
    .default('file'),
  EMAIL_FROM: z
    .string()
    .trim()
    .refine(isMailbox, { error: (issue) => `"${String(issue.input)}" is not an email address such as library@school.example` })
    .default(defaultEmailFrom),
  // Bounces and complaints (docs/admin/ses.md): the SNS topics SES publishes to, and when
  // transient bounces blacklist an address.
  SNS_TOPIC_ARNS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((arn) => arn.trim())
        .filter((arn) => arn !== ''),
    )
    .pipe(
      z.array(
        z.string().regex(/^arn:aws(-cn|-us-gov)?:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/, {
          error: (issue) => `"${String(issue.input)}" is not an SNS topic ARN like arn:aws:sns:eu-west-1:123456789012:ses-events`,
        }),
      ),
    ),
  SOFT_BOUNCE_LIMIT: z
    .string()
    .regex(/^[1-9][0-9]{0,2}$/, { error: (issue) => `"${String(issue.input)}" is not a number of bounces from 1 to 999` })
    .transform(Number)
    .default(3),
  SOFT_BOUNCE_WINDOW_DAYS: z
    .string()
    .regex(/^[1-9][0-9]{0,2}$/, { error: (issue) => `"${String(issue.input)}" is not a number of days from 1 to 999` })
    .transform(Number)
    .default(7),
  // SES's own rule for a configuration set's name.
  SES_CONFIGURATION_SET: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: (issue) => `"${String(issue.input)}" is not a configuration set name (letters, digits, _ and -, 64 at most)` })
    .optional(),
  SES_MAX_SEND_RATE: z
    .string()
    .trim()
    .regex(/^[0-9]*\.?[0-9]+$/, { error: (issue) => `"${String(issue.input)}" is not a positive number of emails per second, such as 14` })
    .transform(Number)
    .refine((rate) => rate > 0, { error: (issue) => `"${String(issue.input)}" is not a positive number of emails per second, such as 14` })
    .optional(),
  // Where recipients reach this service: unsubscribe links in notices point there.
  PUBLIC_URL: z
    .string()
    .trim()
    .refine((value) => /^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/i.test(value) && URL.canParse(value), {
      error: (issue) => `"${String(issue.input)}" is not the service's public address such as https://library.school.example`,
    })
    .transform((value) => value.replace(/\/+$/, ''))
    .optional(),
  // Signs unsubscribe links (HMAC-SHA256): never echoed.
  UNSUBSCRIBE_SECRET: z.string().min(32, 'must be at least 32 characters, e.g. the output of `openssl rand -hex 32`').optional(),
})

export type Config = {
  port: number
  /** The address the HTTP server listens on (HOST); left out: every address, IPv6 and IPv4. */
  host?: string
  databaseUrl: string | undefined
  dataDir: string
  slack:
    | { mode: 'off' }
    | { mode: 'http'; signingSecret: string; botToken: string; apiUrl: string | undefined; adminUserIds: string[] }
    | { mode: 'socket'; appToken: string; botToken: string; signingSecret: string | undefined; apiUrl: string | undefined; adminUserIds: string[] }
  adminUserIds: string[]
  logLevel: z.infer<typeof environment>['LOG_LEVEL']
  /**
   * How queued email leaves: `file` writes each to DATA_DIR/outbox; `ses` sends through Amazon
   * SES (region, credentials and endpoint from the AWS SDK's own variables), with the
   * configuration set and at `maxSendRate` emails per second for all instances together (left
   * out: the account's own rate, read at start). `from` is the sender's address. Left out (a
   * test's own config): the file transport from `defaultEmailFrom`.
   */
  email?: { transport: 'file'; from: string } | { transport: 'ses'; from: string; configurationSet?: string; maxSendRate?: number }
  /**
   * SES's bounces and complaints through SNS: the topics accepted (SNS_TOPIC_ARNS), and
   * `softBounceLimit` transient bounces within `softBounceWindowDays` blacklist an address. Left
   * out (a test's own config): no topic is accepted, 3 within 7 days.
   */
  bounces?: { topicArns: string[]; softBounceLimit: number; softBounceWindowDays: number }
  /**
   * Unsubscribe links: the service's public address (PUBLIC_URL, else http://localhost:PORT)
   * and the secret that signs them (UNSUBSCRIBE_SECRET; unset, a fresh one each start, so links
   * work until the service restarts: good for the file transport only). Left out (a test's own
   * config): notices carry no link.
   */
  unsubscribe?: { publicUrl: string; secret: string | undefined }
}

export class ConfigError extends Error {
  readonly problems: string[]
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`)
    this.name = 'ConfigError'
    this.problems = problems
  }
}

/**
 * Reads and validates the environment; throws a ConfigError naming every bad variable. Without
 * `env`, the process's environment, after loading `.env` from the working directory into it.
 */
export function loadConfig(env: Record<string, string | undefined> = processEnvironment()): Config {
  // An empty variable in .env means "not set", as most tools read it.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''))
  const parsed = environment.safeParse(present)
  const problems = [
    // Each variable once by its name: SLACK_ADMIN_USER_IDS, not SLACK_ADMIN_USER_IDS.0.
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => `${String(issue.path[0] ?? '(environment)')}: ${issue.message}`)),
    ...slackProblems(present),
    ...dataDirProblems(present),
    ...emailProblems(present),
    ...unsubscribeProblems(present),
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
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    slack,
    adminUserIds: e.SLACK_ADMIN_USER_IDS,
    logLevel: e.LOG_LEVEL,
    email:
      e.EMAIL_TRANSPORT === 'ses'
        ? {
            transport: 'ses',
            from: e.EMAIL_FROM,
            ...(e.SES_CONFIGURATION_SET !== undefined && { configurationSet: e.SES_CONFIGURATION_SET }),
            ...(e.SES_MAX_SEND_RATE !== undefined && { maxSendRate: e.SES_MAX_SEND_RATE }),
          }
        : { transport: 'file', from: e.EMAIL_FROM },
    bounces: { topicArns: e.SNS_TOPIC_ARNS, softBounceLimit: e.SOFT_BOUNCE_LIMIT, softBounceWindowDays: e.SOFT_BOUNCE_WINDOW_DAYS },
    unsubscribe: { publicUrl: e.PUBLIC_URL ?? `http://localhost:${e.PORT}`, secret: e.UNSUBSCRIBE_SECRET },
  }
}

/**
 * `.env` in the working directory, if there is one, loaded into the process's environment as
 * `node --env-file` would (variables already set win), so that libraries reading the
 * environment see it too. It is optional: a missing one is not mentioned.
 */
function processEnvironment(): Record<string, string | undefined> {
  let text: string
  try {
    text = readFileSync('.env', 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return process.env
    throw new ConfigError([
      `.env: cannot be read (${code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message})`,
    ])
  }
  for (const [name, value] of Object.entries(parseEnv(text))) if (process.env[name] === undefined) process.env[name] = value
  return process.env
}

// The embedded PostgreSQL listens on a Unix socket inside DATA_DIR/pgdata, and a socket's path
// holds at most 107 bytes on Linux: a longer one would stop the database at start.
function dataDirProblems(env: Record<string, string | undefined>): string[] {
  if (env.DATABASE_URL !== undefined) return []
  const { root, socket } = embeddedPaths(env.DATA_DIR ?? './data')
  const room = socketPathLimit - Buffer.byteLength(socket.slice(root.length))
  if (Buffer.byteLength(socket) <= socketPathLimit) return []
  return [`DATA_DIR: its full path (${root}) is longer than ${room} bytes, too long for the database's socket inside it; choose a shorter one`]
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

// SES sends only from a verified identity: there is no safe default sender.
function emailProblems(env: Record<string, string | undefined>): string[] {
  if (env.EMAIL_TRANSPORT?.trim().toLowerCase() !== 'ses' || env.EMAIL_FROM !== undefined) return []
  return ['EMAIL_FROM: is required with EMAIL_TRANSPORT=ses, since SES sends only from an address of a domain you verified (e.g. library@school.example)']
}

// Mail that really leaves carries unsubscribe links: they must reach this service from a
// recipient's phone (RFC 8058 asks for https), and still work after a restart.
function unsubscribeProblems(env: Record<string, string | undefined>): string[] {
  if (env.EMAIL_TRANSPORT?.trim().toLowerCase() !== 'ses') return []
  const problems: string[] = []
  if (env.PUBLIC_URL === undefined) problems.push("PUBLIC_URL: is required with EMAIL_TRANSPORT=ses: notices' unsubscribe links point there (https://…)")
  else if (!/^https:\/\//i.test(env.PUBLIC_URL.trim()))
    problems.push('PUBLIC_URL: must be an https:// address with EMAIL_TRANSPORT=ses (one-click unsubscribe, RFC 8058)')
  if (env.UNSUBSCRIBE_SECRET === undefined)
    problems.push('UNSUBSCRIBE_SECRET: is required with EMAIL_TRANSPORT=ses: it signs unsubscribe links, which must still work after a restart')
  return problems
}
