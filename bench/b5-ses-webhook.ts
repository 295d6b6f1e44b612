import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { makeSigningCertificate, signedSnsMessage, testTopicArn } from '../test/support/sns.ts'
import { createBenchDatabase } from './support/bench-database.ts'
import type { Benchmark, BenchOptions } from './support/benchmark.ts'
import { type Figure, median, percentile } from './support/figures.ts'
import { projectNode, projectRoot } from './support/service-process.ts'

const connections = 32
const throughputShare = 0.3
const p99BudgetMs = 50

/**
 * B5: 32 connections posting signed SNS bounce notifications (a test key; the certificate
 * fetched once and cached) to `/webhooks/ses`, each a permanent bounce of another address (so
 * each blacklists one), against a bare Hono route answering 200 in the same kind of process.
 * Figures (medians of three rounds, the two servers taking turns): the webhook's throughput as a
 * share of the bare route's (≥ 30 %), and its p99 (< 50 ms).
 */
export const b5SesWebhook: Benchmark = {
  id: 'B5',
  title: `/webhooks/ses under ${connections} connections of signed SNS bounces, against a bare Hono route`,
  async run(options) {
    return measure(options)
  },
}

async function measure({ small, serverUrl, log }: BenchOptions): Promise<Figure[]> {
  const perRound = small ? 1_000 : 5_000
  const rounds = small ? 1 : 3
  const database = await createBenchDatabase({ serverUrl })
  const workDir = await mkdtemp(`${tmpdir()}/lc-bench-b5-`)
  const stops: Array<() => Promise<void>> = []
  try {
    const signing = makeSigningCertificate()
    await writeFile(`${workDir}/cert.pem`, signing.certificatePem)
    const signedAt = performance.now()
    // Each round posts notifications of its own: a redelivery is cheaper than a new bounce.
    const roundBodies = Array.from({ length: rounds }, (_, round) =>
      Array.from({ length: perRound + connections }, (_, n) => JSON.stringify(bounceNotification(signing.keyPem, round * (perRound + connections) + n))),
    )
    log(`B5: ${rounds * (perRound + connections)} bounce notifications signed in ${((performance.now() - signedAt) / 1000).toFixed(1)} s`)

    const bare = await startServer('bare', {})
    stops.push(bare.stop)
    const webhook = await startServer('webhook', { ...database.env, SNS_TOPIC_ARNS: testTopicArn, B5_CERTIFICATE_FILE: `${workDir}/cert.pem` })
    stops.push(webhook.stop)

    // The two servers take turns, so that the machine's noise falls on both alike.
    const shares: number[] = []
    const p99s: number[] = []
    for (let round = 0; round < rounds; round += 1) {
      const bareRun = await load(bare.url, roundBodies[round])
      const webhookRun = await load(webhook.url, roundBodies[round])
      if (webhookRun.refusals.length > 0) throw new Error(`${webhookRun.refusals.length} notifications were refused: ${webhookRun.refusals[0]}`)
      shares.push(webhookRun.perSecond / bareRun.perSecond)
      p99s.push(percentile(webhookRun.latenciesMs, 99))
      log(`B5 round ${round + 1}: bare route ${describe(bareRun)}`)
      log(`B5 round ${round + 1}: webhook on the ${database.kind} database ${describe(webhookRun)}`)
    }
    const share = median(shares)
    const p99 = median(p99s)
    return [
      {
        id: 'B5',
        name: `ses_webhook_throughput_share_${database.kind}`,
        value: share,
        unit: 'of bare',
        reference: { kind: 'budget', value: throughputShare, unit: 'of bare' },
        isWithinBudget: share >= throughputShare,
      },
      {
        id: 'B5',
        name: `ses_webhook_p99_${database.kind}`,
        value: p99,
        unit: 'ms',
        reference: { kind: 'budget', value: p99BudgetMs, unit: 'ms' },
        isWithinBudget: p99 < p99BudgetMs,
      },
    ]
  } finally {
    for (const stop of stops.reverse()) await stop()
    await database.drop()
    await rm(workDir, { recursive: true, force: true })
  }
}

/** A permanent bounce of its own address, as SES publishes it through SNS. */
function bounceNotification(keyPem: string, n: number) {
  const address = `bounced${n}@bench.test`
  const message = {
    eventType: 'Bounce',
    bounce: {
      bounceType: 'Permanent',
      bounceSubType: 'General',
      bouncedRecipients: [{ emailAddress: address, action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
      timestamp: new Date().toISOString(),
      feedbackId: `bench-${n}`,
    },
    mail: { timestamp: new Date().toISOString(), source: 'library@bench.test', messageId: `bench-ses-${n}`, destination: [address], tags: { library: ['1'] } },
  }
  return signedSnsMessage(keyPem, { Type: 'Notification', Message: JSON.stringify(message) }, { version: n % 2 === 0 ? '2' : '1' })
}

/**
 * Posts every body once, `connections` at a time, keep-alive; the first `connections` warm up
 * (and fetch the certificate) and are not counted.
 */
async function load(url: string, bodies: string[]) {
  const post = (body: string) => fetch(`${url}/webhooks/ses`, { method: 'POST', headers: { 'content-type': 'text/plain; charset=UTF-8' }, body })
  await Promise.all(bodies.slice(0, connections).map(async (body) => (await post(body)).arrayBuffer()))
  const latenciesMs: number[] = []
  const refusals: string[] = []
  let next = connections
  const startedAt = performance.now()
  const connection = async () => {
    while (next < bodies.length) {
      const body = bodies[next++]
      const sentAt = performance.now()
      const response = await post(body)
      const answer = await response.text()
      latenciesMs.push(performance.now() - sentAt)
      if (response.status !== 200) refusals.push(`HTTP ${response.status} ${answer.slice(0, 200)}`)
    }
  }
  await Promise.all(Array.from({ length: connections }, connection))
  const seconds = (performance.now() - startedAt) / 1000
  return { perSecond: latenciesMs.length / seconds, latenciesMs, refusals }
}

function describe(run: { perSecond: number; latenciesMs: number[] }): string {
  return `${run.latenciesMs.length} requests, ${run.perSecond.toFixed(0)}/s, p50 ${percentile(run.latenciesMs, 50).toFixed(1)} ms, p99 ${percentile(run.latenciesMs, 99).toFixed(1)} ms`
}

/** One of B5's servers (bench/support/b5-server.ts), with the V8 flags `npm start` uses; resolves once it answers. */
async function startServer(mode: 'bare' | 'webhook', env: Record<string, string>) {
  const port = await freePort()
  const child = spawn(projectNode, ['--max-semi-space-size=4', `${projectRoot}bench/support/b5-server.ts`, mode], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LOG_LEVEL: 'warn', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000))
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  const exited = once(child, 'exit')
  const url = `http://127.0.0.1:${port}`
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      await exited
    }
  }
  const deadline = performance.now() + 60_000
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the ${mode} server exited with code ${child.exitCode}:\n${output}`)
    const status = await fetch(`${url}/readyz`).then(
      (response) => response.status,
      () => 0,
    )
    if (status === 200) return { url, stop }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  await stop()
  throw new Error(`the ${mode} server was not ready within 60 s:\n${output}`)
}

async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}
