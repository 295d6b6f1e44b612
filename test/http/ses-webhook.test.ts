import { readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import type { Config } from '../../src/config.ts'
import type { DatabaseHandle } from '../../src/db/database.ts'
import { createApiKey } from '../../src/domain/api-keys/create-api-key.ts'
import { cliActor } from '../../src/domain/staff/actors.ts'
import { type Service, startService } from '../../src/main.ts'
import { capturedLog } from '../bot/captured-log.ts'
import { givenLibrary } from '../support/builders.ts'
import { openTestDatabase } from '../support/database.ts'
import { givenQueuedMessage } from '../support/outbox.ts'
import { fakeSns, makeSigningCertificate, sesFixtures, signedSnsMessage, snsFixtures, testCertificateUrl, testTopicArn } from '../support/sns.ts'

const signing = makeSigningCertificate()
const sns = fakeSns({ [testCertificateUrl.split('/').pop()!]: signing.certificatePem })
const log = capturedLog()
const fixtureTopics = readdirSync(`${snsFixtures}valid`).map((name) => JSON.parse(readFileSync(`${snsFixtures}valid/${name}`, 'utf8')).TopicArn as string)

let database: DatabaseHandle
let service: Service
let webhookUrl: string

beforeAll(async () => {
  database = await openTestDatabase()
  const config: Config = {
    port: 0,
    databaseUrl: undefined,
    dataDir: tmpdir(),
    slack: { mode: 'off' },
    adminUserIds: [],
    logLevel: 'info',
    bounces: { topicArns: [testTopicArn, ...new Set(fixtureTopics)], softBounceLimit: 3, softBounceWindowDays: 7 },
  }
  service = await startService(config, { database, logger: log.logger, nightly: false, dispatch: false, fetchSns: sns.fetchSns })
  webhookUrl = `http://127.0.0.1:${service.port}/webhooks/ses`
})
afterAll(async () => {
  await service?.stop()
  await database?.close()
})
beforeEach(() => log.clear())

/** Posts a body as SNS does: text/plain. */
const post = (body: unknown) =>
  fetch(webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })

let run = 0
/**
 * An SES sample from the fixtures, with every address moved to a domain of this test's own (the
 * blacklist is the deployment's) and SES's message id replaced by `sesMessageId`.
 */
function sesSample(name: string, sesMessageId: string, edit: (json: Record<string, any>) => void = () => {}) {
  run += 1
  let text = readFileSync(`${sesFixtures}${name}`, 'utf8')
  if (name.startsWith('sns-')) text = JSON.parse(text).Message
  const json = JSON.parse(text.replace(/([A-Za-z0-9._-]+)@([A-Za-z0-9.-]+[A-Za-z])/g, `$1@$2.t${run}.test`))
  json.mail.messageId = sesMessageId
  edit(json)
  return { message: JSON.stringify(json), at: (local: string) => `${local}.t${run}.test` }
}

async function sentMessage(recipients: Array<{ kind: 'to' | 'cc' | 'bcc'; address: string }>, options: { recordSesId?: boolean } = {}) {
  const lib = await givenLibrary(service.deps)
  const sesMessageId = `0100019${Math.random().toString(16).slice(2)}-000000`
  const id = await givenQueuedMessage(service.deps.db, lib, null, { recipients })
  await service.deps.db
    .updateTable('messages')
    .set({ status: 'sent', sent_at: new Date(), transport_id: options.recordSesId === false ? null : sesMessageId })
    .where('id', '=', id)
    .execute()
  return { lib, id, sesMessageId }
}

const blacklistRow = (address: string) =>
  service.deps.db.selectFrom('blacklist').where('address_key', '=', address.toLowerCase()).selectAll().executeTakeFirst()
const recipientsOf = (id: string) =>
  service.deps.db
    .selectFrom('message_recipients')
    .where('message_id', '=', id)
    .orderBy('position')
    .select(['kind', 'address', 'delivery', 'delivery_detail as detail'])
    .execute()
const messageRow = (id: string) => service.deps.db.selectFrom('messages').where('id', '=', id).select(['status', 'reason']).executeTakeFirstOrThrow()
const counts = async () => ({
  blacklist: Number(
    (
      await service.deps.db
        .selectFrom('blacklist')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  ),
  sns: Number(
    (
      await service.deps.db
        .selectFrom('sns_messages')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  ),
  softBounces: Number(
    (
      await service.deps.db
        .selectFrom('soft_bounces')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  ),
})
const refusals = () => log.lines().filter((line) => line.msg.startsWith('refused an SNS message'))

describe('only messages SNS signed, for our topics, are taken', () => {
  test('every real AWS-signed message is verified, with its expired certificate, and every tampered twin is refused', async () => {
    for (const name of readdirSync(`${snsFixtures}valid`)) {
      const message = JSON.parse(readFileSync(`${snsFixtures}valid/${name}`, 'utf8'))
      const response = await post(message)
      // Their Message is not SES's ("Hello world"): past the signature, they stop there.
      if (message.Type === 'Notification') {
        expect(response.status, name).toBe(400)
        expect(refusals().at(-1)?.reason, name).toBe('not_an_ses_event')
      } else expect(response.status, name).toBe(200)
    }
    expect(sns.confirmations).toEqual(
      readdirSync(`${snsFixtures}valid`)
        .map((name) => JSON.parse(readFileSync(`${snsFixtures}valid/${name}`, 'utf8')))
        .filter((m) => m.Type === 'SubscriptionConfirmation')
        .map((m) => m.SubscribeURL),
    )
    const before = await counts()
    for (const name of readdirSync(`${snsFixtures}tampered`)) {
      const response = await post(readFileSync(`${snsFixtures}tampered/${name}`, 'utf8'))
      expect(response.status, name).toBe(403)
      expect(refusals().at(-1)?.reason, name).toBe('bad_signature')
    }
    expect(await counts()).toEqual(before)
  })

  test('a bounce signed with either signature version blacklists the address; the same bounce with its text changed changes nothing', async () => {
    for (const version of ['1', '2'] as const) {
      const { sesMessageId } = await sentMessage([{ kind: 'to', address: `pupil-v${version}@school.test` }])
      const sample = sesSample('ses-event-bounce.json', sesMessageId, (json) => {
        json.bounce.bouncedRecipients[0].emailAddress = `pupil-v${version}@school.test`
      })
      const message = signedSnsMessage(signing.keyPem, { Type: 'Notification', Message: sample.message }, { version })
      const tampered = { ...message, Message: message.Message.replace(`pupil-v${version}@school.test`, `head-v${version}@school.test`) }
      expect((await post(tampered)).status).toBe(403)
      expect(await blacklistRow(`head-v${version}@school.test`)).toBeUndefined()
      expect((await post(message)).status).toBe(200)
      expect(await blacklistRow(`pupil-v${version}@school.test`)).toMatchObject({ reason: 'bounce', source: 'ses' })
    }
  })

  test('a certificate anywhere but https://sns.<region>.amazonaws.com/<name>.pem, written exactly so, is never fetched', async () => {
    const before = await counts()
    for (const url of [
      'http://sns.eu-west-1.amazonaws.com/SimpleNotificationService-test.pem',
      'https://sns.s3-external-1.amazonaws.com/SimpleNotificationService-test.pem',
      'https://sns.eu-west-1.amazonaws.com.evil.test/SimpleNotificationService-test.pem',
      'https://s3.amazonaws.com/sns/SimpleNotificationService-test.pem',
      'https://sns.eu-west-1.amazonaws.com:8443/SimpleNotificationService-test.pem',
      'https://sns.cn-north-1.amazonaws.com/SimpleNotificationService-test.pem',
      // Shapes a URL parser tidies away, so the checked host or path is not the one written.
      'https://sns.us-west-2.amazonaws.com/SimpleNotificationService-test.pem?evil',
      'https://sns.us-west-2.amazonaws.com/SimpleNotificationService-test.pem#@evil.example',
      'https://sns.us-west-2.amazonaws.com:443/SimpleNotificationService-test.pem',
      'https://sns.us-west-2.amazonaws.com/a/../SimpleNotificationService-test.pem',
      'https://sns.us-west-2.amazonaws.com/%53impleNotificationService-test.pem',
      'https://SNS.US-WEST-2.AMAZONAWS.COM/SimpleNotificationService-test.pem',
      'https://sns.us-west-2.amazonaws.com./SimpleNotificationService-test.pem',
      'https://user@sns.us-west-2.amazonaws.com/SimpleNotificationService-test.pem',
      'https:sns.us-west-2.amazonaws.com/SimpleNotificationService-test.pem',
      'https://sns.us-west-2.amazonaws.com\\SimpleNotificationService-test.pem',
      ' https://sns.us-west-2.amazonaws.com/SimpleNotificationService-test.pem',
    ]) {
      sns.certificateFetches.length = 0
      const message = signedSnsMessage(
        signing.keyPem,
        { Type: 'Notification', Message: sesSample('ses-event-bounce.json', 'x').message },
        { certificateUrl: url },
      )
      expect((await post(message)).status, url).toBe(403)
      expect(sns.certificateFetches, url).toEqual([])
      expect(refusals().at(-1)).toMatchObject({ reason: 'untrusted_certificate_url', msg: expect.stringContaining('SigningCertURL') })
    }
    expect(await counts()).toEqual(before)
  })

  test('a topic not in SNS_TOPIC_ARNS is refused, however well signed, and the log names it', async () => {
    const other = 'arn:aws:sns:eu-west-1:999999999999:someone-else'
    const message = signedSnsMessage(signing.keyPem, { Type: 'Notification', Message: sesSample('ses-event-bounce.json', 'x').message, TopicArn: other })
    const before = await counts()
    expect((await post(message)).status).toBe(403)
    expect(await counts()).toEqual(before)
    expect(refusals()).toEqual([
      expect.objectContaining({ reason: 'unknown_topic', topicArn: other, msg: 'refused an SNS message: its topic is not one of SNS_TOPIC_ARNS' }),
    ])
  })

  test('a message dated outside its certificate is refused: the certificate, not the wall clock, decides', async () => {
    const message = signedSnsMessage(signing.keyPem, {
      Type: 'Notification',
      Message: sesSample('ses-event-bounce.json', 'x').message,
      Timestamp: '2001-01-01T00:00:00.000Z',
    })
    expect((await post(message)).status).toBe(403)
    expect(refusals().at(-1)?.reason).toBe('timestamp_outside_certificate')
  })

  test('a redelivered bounce is acknowledged and counted once', async () => {
    const { sesMessageId } = await sentMessage([{ kind: 'to', address: 'twice@school.test' }])
    const sample = sesSample('ses-event-bounce.json', sesMessageId, (json) => {
      json.bounce.bounceType = 'Transient'
      json.bounce.bouncedRecipients[0].emailAddress = 'twice@school.test'
    })
    const message = signedSnsMessage(signing.keyPem, { Type: 'Notification', Message: sample.message })
    for (let delivery = 0; delivery < 3; delivery += 1) expect((await post(message)).status).toBe(200)
    const rows = await service.deps.db.selectFrom('soft_bounces').where('address_key', '=', 'twice@school.test').selectAll().execute()
    expect(rows).toHaveLength(1)
    expect(await blacklistRow('twice@school.test')).toBeUndefined()
    expect(log.lines().filter((line) => line.msg.includes('redelivery'))).toHaveLength(2)
  })

  test('a subscription is confirmed once, and only through an SNS URL', async () => {
    sns.confirmations.length = 0
    const subscribeUrl = `https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${testTopicArn}&Token=abc`
    const confirmation = signedSnsMessage(
      signing.keyPem,
      { Type: 'SubscriptionConfirmation', Message: 'You have chosen to subscribe…', SubscribeURL: subscribeUrl, Token: 'abc' },
      { version: '1' },
    )
    expect((await post(confirmation)).status).toBe(200)
    expect((await post(confirmation)).status).toBe(200)
    expect(sns.confirmations).toEqual([subscribeUrl])
    expect(log.lines().some((line) => line.msg.startsWith('confirmed the subscription'))).toBe(true)

    const elsewhere = signedSnsMessage(signing.keyPem, {
      Type: 'SubscriptionConfirmation',
      Message: 'You have chosen to subscribe…',
      SubscribeURL: 'https://attacker.test/?Action=ConfirmSubscription&Token=abc',
      Token: 'abc',
    })
    expect((await post(elsewhere)).status).toBe(403)
    expect(sns.confirmations).toEqual([subscribeUrl])
    expect(refusals().at(-1)?.reason).toBe('untrusted_subscribe_url')
  })

  test('bodies that are not SNS messages get a 4xx and a reason in the log', async () => {
    expect((await post('not json')).status).toBe(400)
    expect((await post({ Type: 'Notification' })).status).toBe(400)
    expect((await post('x'.repeat(300 * 1024))).status).toBe(413)
    expect(refusals().map((line) => line.reason)).toEqual(['not_json', 'not_an_sns_message', 'too_large'])
  })

  test("the AWS documentation's examples and the unverifiable samples are refused and change nothing", async () => {
    const before = await counts()
    for (const name of [
      'sns-notification.json',
      'sns-subscription-confirmation.json',
      'sns-unsubscribe-confirmation.json',
      'sns-notification-bounce-permanent.json',
      'sns-subscription-confirmation-mautic.json',
    ]) {
      const message = JSON.parse(readFileSync(`${sesFixtures}${name}`, 'utf8'))
      const status = (await post({ ...message, TopicArn: testTopicArn })).status
      // Their certificates are nowhere to be had: SNS would be asked to try again (502), never accepted.
      expect([403, 502], name).toContain(status)
    }
    expect(await counts()).toEqual(before)
  })
})

describe('each SES event leads to the right decision, for exactly the recipients it names', () => {
  const notify = (message: string, version: '1' | '2' = '2') => post(signedSnsMessage(signing.keyPem, { Type: 'Notification', Message: message }, { version }))

  test('a permanent bounce with a DSN blacklists the one recipient it names, with the bounce type and diagnostic', async () => {
    const sample = sesSample('ses-notification-bounce-permanent-with-dsn.json', 'pending')
    const { id, sesMessageId } = await sentMessage([
      { kind: 'to', address: sample.at('jane@example.com') },
      { kind: 'to', address: sample.at('mary@example.com') },
      { kind: 'to', address: sample.at('richard@example.com') },
    ])
    expect((await notify(sample.message.replace('"pending"', JSON.stringify(sesMessageId)), '1')).status).toBe(200)

    expect(await blacklistRow(sample.at('jane@example.com'))).toMatchObject({
      reason: 'bounce',
      source: 'ses',
      detail: expect.stringMatching(/^Permanent\/General: smtp; 550 5\.1\.1/),
      message_id: id,
    })
    expect(await blacklistRow(sample.at('mary@example.com'))).toBeUndefined()
    expect((await recipientsOf(id)).map((r) => r.delivery)).toEqual(['bounced', null, null])
    expect(log.raw()).not.toContain(sample.at('jane@example.com'))
  })

  test("a bounce of a Bcc recipient's own copy is found by that copy's SES id and blames that recipient alone; a Reject of it rejects that copy", async () => {
    const { id } = await sentMessage([
      { kind: 'to', address: 'parent@family.test' },
      { kind: 'bcc', address: 'Tutor@School.test' },
    ])
    // As the dispatcher records it: one SES message id per recipient's copy.
    const copyIds = ['0100019copy-1-000000', '0100019copy-2-000000'].map((copyId) => `${copyId}-${id}`)
    for (const [position, copyId] of copyIds.entries()) {
      await service.deps.db
        .updateTable('message_recipients')
        .set({ sent_at: new Date(), transport_id: copyId })
        .where('message_id', '=', id)
        .where('position', '=', position)
        .execute()
    }
    const bounced = sesSample('ses-event-bounce.json', copyIds[1], (json) => {
      json.mail.destination = ['tutor@school.test']
      json.mail.tags = {}
      json.bounce.bouncedRecipients[0].emailAddress = 'tutor@school.test'
    })

    expect((await notify(bounced.message)).status).toBe(200)

    expect(await blacklistRow('tutor@school.test')).toMatchObject({ reason: 'bounce', message_id: id })
    expect(await blacklistRow('parent@family.test')).toBeUndefined()
    expect((await recipientsOf(id)).map((r) => r.delivery)).toEqual([null, 'bounced'])

    const other = await sentMessage([
      { kind: 'to', address: 'one@family.test' },
      { kind: 'to', address: 'two@family.test' },
    ])
    await service.deps.db
      .updateTable('message_recipients')
      .set({ transport_id: `copy-two-${other.id}` })
      .where('message_id', '=', other.id)
      .where('position', '=', 1)
      .execute()
    const rejected = sesSample('ses-event-reject.json', `copy-two-${other.id}`)
    expect((await notify(rejected.message)).status).toBe(200)
    expect((await recipientsOf(other.id)).map((r) => r.delivery)).toEqual([null, 'rejected'])
  })

  test('a permanent bounce without a DSN blacklists both recipients it names, not the third', async () => {
    const sesMessageId = 'no-dsn-1'
    const sample = sesSample('ses-notification-bounce-permanent-no-dsn.json', sesMessageId)
    expect((await notify(sample.message)).status).toBe(200)
    expect(await blacklistRow(sample.at('jane@example.com'))).toMatchObject({ reason: 'bounce', detail: 'Permanent/General', message_id: null })
    expect(await blacklistRow(sample.at('richard@example.com'))).toMatchObject({ reason: 'bounce' })
    expect(await blacklistRow(sample.at('mary@example.com'))).toBeUndefined()
  })

  test('a bounced address is an event in the feed of the library whose contact it is', async () => {
    const { lib, sesMessageId } = await sentMessage([{ kind: 'to', address: 'Moved@Family.test' }])
    await lib.contact(await lib.patron(), { address: 'Moved@Family.test' })
    const created = await createApiKey(service.deps, { libraryId: lib.id, name: 'Library system', actor: cliActor })
    if (!created.ok) throw new Error(created.error.code)
    const sample = sesSample('ses-event-bounce.json', sesMessageId, (json) => {
      json.mail.destination = ['moved@family.test']
      json.bounce.bouncedRecipients[0].emailAddress = 'moved@family.test'
    })

    expect((await notify(sample.message)).status).toBe(200)

    const feed = await fetch(`http://127.0.0.1:${service.port}/api/v1/events`, { headers: { authorization: `Bearer ${created.value.key}` } })
    expect((await feed.json()).events).toEqual([
      { id: expect.any(String), type: 'address.blacklisted', at: expect.any(String), subject: 'moved@family.test', details: { reason: 'bounce' } },
    ])
  })

  test('a BCC recipient who bounced is blacklisted alone, not the first address of the message', async () => {
    const { id, sesMessageId } = await sentMessage([
      { kind: 'to', address: 'guardian@family.test' },
      { kind: 'bcc', address: 'Teacher@School.test' },
    ])
    const sample = sesSample('ses-event-bounce.json', sesMessageId, (json) => {
      json.mail.destination = ['guardian@family.test', 'teacher@school.test']
      json.bounce.bouncedRecipients[0].emailAddress = 'teacher@school.test'
    })
    expect((await notify(sample.message)).status).toBe(200)
    expect(await blacklistRow('teacher@school.test')).toMatchObject({ reason: 'bounce', detail: 'Permanent/General: smtp; 550 5.1.1 user unknown' })
    expect(await blacklistRow('guardian@family.test')).toBeUndefined()
    expect(await recipientsOf(id)).toEqual([
      { kind: 'to', address: 'guardian@family.test', delivery: null, detail: null },
      { kind: 'bcc', address: 'Teacher@School.test', delivery: 'bounced', detail: 'Permanent/General: smtp; 550 5.1.1 user unknown' },
    ])
  })

  test.each(['Transient', 'Undetermined'])('%s bounces count: the third within seven days blacklists the address', async (bounceType) => {
    const address = `${bounceType.toLowerCase()}@full-mailbox.test`
    const day = (n: number) => `2026-03-0${n}T10:00:00.000Z`
    const bounceOn = async (n: number) => {
      const { id, sesMessageId } = await sentMessage([{ kind: 'to', address }])
      const sample = sesSample('ses-event-bounce.json', sesMessageId, (json) => {
        Object.assign(json.bounce, { bounceType, bounceSubType: 'MailboxFull', timestamp: day(n) })
        json.bounce.bouncedRecipients[0] = { emailAddress: address, diagnosticCode: 'smtp; 452 4.2.2 mailbox full' }
      })
      expect((await notify(sample.message)).status).toBe(200)
      return id
    }
    await bounceOn(1)
    // A week later the first no longer counts.
    await service.deps.db
      .updateTable('soft_bounces')
      .set({ bounced_at: new Date('2026-02-20T10:00:00Z') })
      .where('address_key', '=', address)
      .execute()
    await bounceOn(2)
    const second = await bounceOn(3)
    expect((await recipientsOf(second))[0]).toMatchObject({ delivery: 'bounced', detail: `${bounceType}/MailboxFull: smtp; 452 4.2.2 mailbox full` })
    expect(await blacklistRow(address)).toBeUndefined()
    await bounceOn(4)
    expect(await blacklistRow(address)).toMatchObject({
      reason: 'soft_bounces',
      detail: `3 soft bounces within 7 days; the last: ${bounceType}/MailboxFull: smtp; 452 4.2.2 mailbox full`,
    })
  })

  test.each([
    ['ses-notification-complaint-with-feedback.json', 'complaint: abuse'],
    ['ses-notification-complaint-no-feedback.json', 'complaint (no feedback type)'],
    ['ses-event-complaint.json', 'complaint: abuse'],
  ])('a complaint (%s) blacklists the recipient who complained, and only them', async (name, detail) => {
    const sample = sesSample(name, 'pending')
    const complainer = name.startsWith('ses-event') ? sample.at('recipient@example.com') : sample.at('richard@example.com')
    const { id, sesMessageId } = await sentMessage([
      { kind: 'to', address: sample.at('jane@example.com') },
      { kind: 'cc', address: complainer },
    ])
    expect((await notify(sample.message.replace('"pending"', JSON.stringify(sesMessageId)))).status).toBe(200)
    expect(await blacklistRow(complainer)).toMatchObject({ reason: 'complaint', detail })
    expect(await blacklistRow(sample.at('jane@example.com'))).toBeUndefined()
    expect((await recipientsOf(id)).map((r) => r.delivery)).toEqual([null, 'complained'])
  })

  test.each([
    ['ses-notification-delivery.json', 'jane@example.com', 'delivered', '250 ok:  Message 64111812 accepted'],
    ['ses-event-delivery.json', 'recipient@example.com', 'delivered', '250 2.6.0 Message received'],
    ['ses-event-delivery-delay.json', 'recipient@example.com', 'delayed', 'TransientCommunicationFailure: smtp; 421 4.4.1 Unable to connect to remote host'],
  ])('%s updates the email log of the recipient it names, and blacklists no one', async (name, local, delivery, detail) => {
    const sample = sesSample(name, 'pending')
    const { id, sesMessageId } = await sentMessage([
      { kind: 'to', address: sample.at(local) },
      { kind: 'to', address: 'someone-else@school.test' },
    ])
    const before = (await counts()).blacklist
    expect((await notify(sample.message.replace('"pending"', JSON.stringify(sesMessageId)))).status).toBe(200)
    expect(await recipientsOf(id)).toMatchObject([
      { delivery, detail },
      { delivery: null, detail: null },
    ])
    expect((await counts()).blacklist).toBe(before)
  })

  test('a delay arriving after the delivery does not take the recipient back to delayed', async () => {
    const delivered = sesSample('ses-event-delivery.json', 'pending')
    const { id, sesMessageId } = await sentMessage([{ kind: 'to', address: delivered.at('recipient@example.com') }])
    await notify(delivered.message.replace('"pending"', JSON.stringify(sesMessageId)))
    const delayed = sesSample('ses-event-delivery-delay.json', sesMessageId, (json) => {
      json.deliveryDelay.delayedRecipients[0].emailAddress = delivered.at('recipient@example.com')
    })
    expect((await notify(delayed.message)).status).toBe(200)
    expect((await recipientsOf(id))[0].delivery).toBe('delivered')
  })

  test('a Reject fails the message with its reason and blames no address; a rendering failure fails the message', async () => {
    const rejected = sesSample('ses-event-reject.json', 'pending')
    const { id, sesMessageId } = await sentMessage([{ kind: 'to', address: rejected.at('recipient@example.com') }])
    const before = (await counts()).blacklist
    expect((await notify(rejected.message.replace('"pending"', JSON.stringify(sesMessageId)))).status).toBe(200)
    expect(await messageRow(id)).toEqual({ status: 'failed', reason: 'SES rejected it: Bad content' })
    expect((await recipientsOf(id))[0].delivery).toBe('rejected')

    const failed = await sentMessage([{ kind: 'to', address: 'render@school.test' }])
    expect((await notify(sesSample('ses-event-rendering-failure.json', failed.sesMessageId).message)).status).toBe(200)
    expect((await messageRow(failed.id)).reason).toBe("SES could not render it: MyTemplate: Attribute 'attributeName' is not present in the rendering data.")
    expect((await counts()).blacklist).toBe(before)
  })

  test.each(['ses-event-open.json', 'ses-event-click.json', 'ses-event-send.json', 'ses-event-subscription.json'])(
    '%s is acknowledged and changes nothing',
    async (name) => {
      const sample = sesSample(name, 'pending')
      const { id, sesMessageId } = await sentMessage([{ kind: 'to', address: sample.at('recipient@example.com') }])
      const before = await counts()
      expect((await notify(sample.message.replace('"pending"', JSON.stringify(sesMessageId)))).status).toBe(200)
      expect(await counts()).toEqual({ ...before, sns: before.sns + 1 })
      expect(await recipientsOf(id)).toMatchObject([{ delivery: null }])
      expect(await messageRow(id)).toMatchObject({ status: 'sent' })
    },
  )

  test("a bounce is matched by our message tag when SES's message id was never recorded (a crash after sending)", async () => {
    const { id } = await sentMessage([{ kind: 'to', address: 'tagged@school.test' }], { recordSesId: false })
    const sample = sesSample('ses-event-bounce.json', 'never-recorded', (json) => {
      json.mail.tags.message = [id]
      json.bounce.bouncedRecipients[0].emailAddress = 'tagged@school.test'
    })
    expect((await notify(sample.message)).status).toBe(200)
    expect(await recipientsOf(id)).toMatchObject([{ delivery: 'bounced' }])
    expect(await blacklistRow('tagged@school.test')).toMatchObject({ message_id: id })
  })

  test('the Mautic sample (an SNS envelope around a notification) is read once re-signed', async () => {
    const sample = sesSample('sns-notification-bounce-permanent.json', 'mautic-1')
    expect((await notify(sample.message)).status).toBe(200)
    expect(await blacklistRow(sample.at('nope@nope.com'))).toMatchObject({ reason: 'bounce', detail: expect.stringContaining('User unknown') })
  })
})
