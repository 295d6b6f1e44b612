import { execFile } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { promisify } from 'node:util'
import { type BenchDatabase, createBenchDatabase } from './support/bench-database.ts'
import type { Benchmark } from './support/benchmark.ts'
import { lastNames } from './support/district.ts'
import { seedRunningDeployment } from './support/district-database.ts'
import { startFakeSlackApi } from './support/fake-slack-api.ts'
import { median, percentile } from './support/figures.ts'
import { projectNode, projectRoot, startServiceProcess } from './support/service-process.ts'

const budgetMs = 200
const concurrency = 20
const signingSecret = 'bench-signing-secret'
const teamId = 'T0BENCH'
const staffUserId = 'U0BENCHADMIN'

/**
 * B6: 20 staff at once sending signed `/contacts` commands to the service in Slack's HTTP mode;
 * the figure is the p99 of the time until each is acknowledged (the HTTP answer), median of
 * three rounds. The Web API and response_urls are a local fake that answers ok.
 */
export const b6SlashCommandAck: Benchmark = {
  id: 'B6',
  title: `Slack slash command acknowledgement under ${concurrency} concurrent commands`,
  async run({ small, serverUrl, log }) {
    const database = await createBenchDatabase({ serverUrl })
    const slack = await startFakeSlackApi()
    let stopService = async () => {}
    try {
      const service = await startServiceProcess({
        ...database.env,
        SLACK_SIGNING_SECRET: signingSecret,
        SLACK_BOT_TOKEN: 'xoxb-bench',
        SLACK_API_URL: slack.apiUrl,
        SLACK_ADMIN_USER_IDS: staffUserId,
      })
      stopService = service.stop
      const libraryId = await linkWorkspace(database)
      const district = await seedRunningDeployment(database.env, { libraryId, small })
      log(
        `B6 on the ${database.kind} database: workspace ${teamId} linked to library ${libraryId}, the district's ${district.patrons} patrons and ${district.contacts} contacts`,
      )

      await sendCommands(service.url, slack, concurrency)
      const perRound = small ? 100 : 400
      const p99s: number[] = []
      for (let round = 1; round <= (small ? 1 : 3); round += 1) {
        const { latenciesMs, refusals } = await sendCommands(service.url, slack, perRound)
        if (refusals.length > 0) throw new Error(`${refusals.length} of ${perRound} commands were not acknowledged: ${refusals[0]}`)
        p99s.push(percentile(latenciesMs, 99))
        log(
          `B6 round ${round}: ${perRound} commands, p50 ${percentile(latenciesMs, 50).toFixed(1)} ms, p99 ${percentile(latenciesMs, 99).toFixed(1)} ms, max ${Math.max(...latenciesMs).toFixed(1)} ms`,
        )
      }
      const value = median(p99s)
      return [
        {
          id: 'B6',
          name: `slash_command_ack_p99_${database.kind}`,
          value,
          unit: 'ms',
          reference: { kind: 'budget', value: budgetMs, unit: 'ms' },
          isWithinBudget: value < budgetMs,
        },
      ]
    } finally {
      await stopService()
      await slack.close()
      await database.drop()
    }
  },
}

// Through the command-line tool, as an IT admin links a school (on the embedded database it
// goes through the running service's socket).
async function linkWorkspace(database: BenchDatabase): Promise<number> {
  const cwd = await mkdtemp(`${tmpdir()}/lc-bench-cli-`)
  try {
    const { stdout } = await promisify(execFile)(
      projectNode,
      [`${projectRoot}bin/library-comms.js`, 'library', 'add', '--name', 'Bench School', '--slack-team', teamId, '--time-zone', 'Europe/London'],
      { cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...database.env } },
    )
    return Number(stdout)
  } finally {
    await rm(cwd, { recursive: true, force: true })
  }
}

let commandCounter = 0

/**
 * Sends `count` commands, `concurrency` at a time, and waits until the service has answered
 * every one on its response_url (so a round's background work does not spill into the next).
 * A third each of: an exact username, a common last name (a pick-list), a name nobody has.
 */
async function sendCommands(serviceUrl: string, slack: Awaited<ReturnType<typeof startFakeSlackApi>>, count: number) {
  const latenciesMs: number[] = []
  const refusals: string[] = []
  const callsBefore = slack.calls
  let sent = 0
  const staffMember = async () => {
    while (sent < count) {
      sent += 1
      const id = ++commandCounter
      const text = [`pupil${1 + ((id * 7919) % 9_000)}`, lastNames[id % lastNames.length], 'someone'][id % 3]
      const body = new URLSearchParams({
        token: 'unused',
        team_id: teamId,
        team_domain: 'bench',
        channel_id: 'C0LIBRARY',
        channel_name: 'library',
        user_id: staffUserId,
        user_name: 'bench-admin',
        command: '/contacts',
        text,
        api_app_id: 'A0BENCH',
        response_url: slack.responseUrl(id),
        trigger_id: `${id}.bench`,
      }).toString()
      const timestamp = Math.floor(Date.now() / 1000)
      const signature = createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')
      const startedAt = performance.now()
      const response = await fetch(`${serviceUrl}/slack/events`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': String(timestamp),
          'x-slack-signature': `v0=${signature}`,
        },
        body,
      })
      const answer = await response.text()
      latenciesMs.push(performance.now() - startedAt)
      if (response.status !== 200) refusals.push(`HTTP ${response.status} ${answer.slice(0, 200)}`)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, staffMember))
  const deadline = performance.now() + 30_000
  while (slack.calls - callsBefore < count - refusals.length && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  return { latenciesMs, refusals }
}
