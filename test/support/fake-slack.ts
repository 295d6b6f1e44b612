import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/** One request the app made to Slack: a Web API method, or a post to a response_url. */
export type SlackCall = { method: string; args: Record<string, any> }

/**
 * A local stand-in for Slack's Web API (`SLACK_API_URL` points at `apiUrl`) and for the
 * response_urls Slack hands out. It records every call and answers `ok: true` with plausible
 * payloads.
 */
export type FakeSlack = {
  apiUrl: string
  /** A fresh response_url on the fake, as Slack puts in commands and clicks. */
  responseUrl(): string
  /** A response_url that has expired (Slack answers 404 after 30 minutes or five uses). */
  expiredResponseUrl(): string
  calls: SlackCall[]
  /**
   * A file a user shared through a modal's file input: `files.info` describes it, and its
   * `url_private_download` on the fake serves the bytes, in chunks, to the bot token only.
   */
  shareFile(file: { name: string; content: string | Uint8Array; chunkBytes?: number }): string
  /** The next call to `method` answers `ok: false` with this error, as Slack refuses one. */
  refuseNext(method: string, error: string): void
  /** What `users.info` says of a member's profile besides its name, such as `{ email }` (with the users:read.email scope). */
  profile(userId: string, fields: Record<string, unknown>): void
  /** The next call to `method` not returned before, waiting for it to arrive. */
  next(method: string, timeoutMs?: number): Promise<SlackCall>
  /**
   * Socket Mode: sends an envelope (`slash_commands`, `interactive`, `events_api`) down the
   * app's socket and resolves with the app's acknowledgement.
   */
  sendEnvelope(type: string, payload: Record<string, unknown>): Promise<{ envelope_id: string; payload?: unknown }>
  clear(): void
  close(): Promise<void>
}

type SharedFile = { name: string; bytes: Uint8Array; chunkBytes: number }

/** `botToken` is the token the app under test uses: file downloads need it, as on Slack. */
export async function startFakeSlack(options: { botToken?: string } = {}): Promise<FakeSlack> {
  const botToken = options.botToken ?? 'xoxb-test'
  const calls: SlackCall[] = []
  const taken = new Set<SlackCall>()
  const files = new Map<string, SharedFile>()
  const refusals = new Map<string, string>()
  const profiles = new Map<string, Record<string, unknown>>()
  let waiters: Array<() => void> = []
  let counter = 0

  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://fake').pathname
    if (path.startsWith('/files/')) return serveFile(request, response, path)
    const args = parseArgs(await readBody(request), request.headers['content-type'])
    if (path.startsWith('/response/')) {
      record({ method: 'response_url', args: { ...args, url: path } })
      return path.startsWith('/response/expired') ? answer(response, 404, { ok: false, error: 'expired_url' }) : answer(response, 200, { ok: true })
    }
    const method = path.replace(/^\/api\//, '')
    record({ method, args })
    const refusal = refusals.get(method)
    if (refusal !== undefined) {
      refusals.delete(method)
      return answer(response, 200, { ok: false, error: refusal })
    }
    const shared = method === 'files.info' ? files.get(args.file) : undefined
    if (shared) return answer(response, 200, { ok: true, file: fileObject(args.file, shared) })
    answer(response, 200, method === 'apps.connections.open' ? { ok: true, url: socketUrl } : replyTo(method, args, ++counter, profiles))
  })

  function fileObject(id: string, file: SharedFile) {
    const url = `${base}/files/${id}/${encodeURIComponent(file.name)}`
    return {
      id,
      name: file.name,
      title: file.name,
      mimetype: 'text/csv',
      filetype: 'csv',
      size: file.bytes.length,
      url_private: url,
      url_private_download: `${url}?download=1`,
    }
  }

  // Slack answers a file URL fetched without a token that may read it with its HTML sign-in page.
  async function serveFile(request: IncomingMessage, response: ServerResponse, path: string) {
    const id = path.split('/')[2]
    const authorized = request.headers.authorization === `Bearer ${botToken}`
    record({ method: 'files.download', args: { file: id, authorized } })
    const file = files.get(id)
    if (!authorized) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      return response.end('<!DOCTYPE html><html><body>Sign in to Slack</body></html>')
    }
    if (!file) return answer(response, 404, { ok: false, error: 'file_not_found' })
    response.writeHead(200, { 'content-type': 'text/csv', 'content-length': String(file.bytes.length) })
    for (let offset = 0; offset < file.bytes.length; offset += file.chunkBytes) {
      const chunk = file.bytes.subarray(offset, offset + file.chunkBytes)
      if (!response.write(chunk)) await new Promise((resolve) => response.once('drain', resolve))
    }
    response.end()
  }
  const socketMode = fakeSocketMode()
  server.on('upgrade', (request, socket) => socketMode.accept(request, socket as Socket))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const socketUrl = `${base.replace(/^http/, 'ws')}/socket`

  function record(call: SlackCall) {
    calls.push(call)
    const waiting = waiters
    waiters = []
    for (const wake of waiting) wake()
  }

  return {
    apiUrl: `${base}/api/`,
    responseUrl: () => `${base}/response/${++counter}`,
    shareFile(file) {
      const id = `F${String(++counter).padStart(8, '0')}`
      const bytes = typeof file.content === 'string' ? new TextEncoder().encode(file.content) : file.content
      files.set(id, { name: file.name, bytes, chunkBytes: file.chunkBytes ?? 16 * 1024 })
      return id
    },
    refuseNext(method, error) {
      refusals.set(method, error)
    },
    profile(userId, fields) {
      profiles.set(userId, fields)
    },
    expiredResponseUrl: () => `${base}/response/expired-${++counter}`,
    calls,
    async next(method, timeoutMs = 3_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const found = calls.find((call) => call.method === method && !taken.has(call))
        if (found) {
          taken.add(found)
          return found
        }
        const left = deadline - Date.now()
        if (left <= 0) throw new Error(`Slack received no ${method} call; it received: ${calls.map((c) => c.method).join(', ') || 'nothing'}`)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left)
          waiters.push(() => (clearTimeout(timer), resolve()))
        })
      }
    },
    sendEnvelope: (type, payload) => socketMode.send(type, payload),
    clear() {
      calls.length = 0
      taken.clear()
      refusals.clear()
      profiles.clear()
    },
    close: () => {
      socketMode.close()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/**
 * Just enough of a WebSocket server (RFC 6455: handshake, unfragmented text, ping, close) to
 * play Slack's side of Socket Mode: say hello, push envelopes, collect acknowledgements.
 */
function fakeSocketMode() {
  let current: Socket | undefined
  let envelopes = 0
  const pending = new Map<string, (ack: { envelope_id: string; payload?: unknown }) => void>()

  const frame = (opcode: number, data: Buffer) => {
    const length = data.length
    let header: Buffer
    if (length < 126) header = Buffer.from([0x80 | opcode, length])
    else if (length < 65536) header = Buffer.from([0x80 | opcode, 126, length >> 8, length & 0xff])
    else (header = Buffer.alloc(10, 0)), (header[0] = 0x80 | opcode), (header[1] = 127), header.writeBigUInt64BE(BigInt(length), 2)
    return Buffer.concat([header, data])
  }

  return {
    accept(request: IncomingMessage, socket: Socket) {
      const accept = createHash('sha1').update(`${request.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64')
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`)
      current = socket
      let buffered = Buffer.alloc(0)
      socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk])
        for (;;) {
          if (buffered.length < 2) return
          const opcode = buffered[0] & 0x0f
          let length = buffered[1] & 0x7f
          let offset = 2
          if (length === 126) [length, offset] = [buffered.readUInt16BE(2), 4]
          else if (length === 127) [length, offset] = [Number(buffered.readBigUInt64BE(2)), 10]
          if (buffered.length < offset + 4 + length) return
          const mask = buffered.subarray(offset, offset + 4)
          const data = Buffer.from(buffered.subarray(offset + 4, offset + 4 + length).map((byte, i) => byte ^ mask[i % 4]))
          buffered = buffered.subarray(offset + 4 + length)
          if (opcode === 0x1) {
            const ack = JSON.parse(data.toString('utf8'))
            pending.get(ack.envelope_id)?.(ack)
            pending.delete(ack.envelope_id)
          } else if (opcode === 0x9) socket.write(frame(0xa, data))
          else if (opcode === 0x8) socket.end(frame(0x8, data))
        }
      })
      socket.on('error', () => {})
      socket.write(
        frame(
          0x1,
          Buffer.from(
            JSON.stringify({
              type: 'hello',
              num_connections: 1,
              connection_info: { app_id: 'A0LIBCOMMS' },
              debug_info: { host: 'fake', approximate_connection_time: 18060 },
            }),
          ),
        ),
      )
    },
    send(type: string, payload: Record<string, unknown>) {
      if (current === undefined) return Promise.reject(new Error('the app has not opened its socket'))
      const envelopeId = `envelope-${++envelopes}`
      const acknowledged = new Promise<{ envelope_id: string; payload?: unknown }>((resolve) => pending.set(envelopeId, resolve))
      current.write(
        frame(
          0x1,
          Buffer.from(
            JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: type !== 'events_api', retry_attempt: 0, retry_reason: '' }),
          ),
        ),
      )
      return acknowledged
    },
    close() {
      current?.destroy()
    },
  }
}

function replyTo(method: string, args: Record<string, any>, n: number, profiles: Map<string, Record<string, unknown>>): Record<string, unknown> {
  const ts = `1700000000.${String(n).padStart(6, '0')}`
  switch (method) {
    case 'auth.test':
      return { ok: true, url: 'https://school.slack.com/', team: 'School', user: 'library-comms', team_id: 'T0FAKE', user_id: 'UBOT', bot_id: 'BBOT' }
    case 'views.open':
    case 'views.update':
    case 'views.push':
    case 'views.publish':
      return { ok: true, view: { id: `V${n}`, hash: `hash-${n}`, ...args.view } }
    case 'chat.postEphemeral':
      return { ok: true, message_ts: ts }
    case 'chat.postMessage': {
      // A user id as channel posts in the app's direct message with that user.
      const channel = /^[UW]/.test(args.channel) ? `D${args.channel.slice(1)}` : args.channel
      return { ok: true, channel, ts, message: { type: 'message', text: args.text, blocks: args.blocks, ts } }
    }
    case 'chat.update':
      return { ok: true, channel: args.channel, ts: args.ts, text: args.text }
    case 'users.info':
      return {
        ok: true,
        user: {
          id: args.user,
          name: `user-${args.user}`,
          real_name: 'Test User',
          tz: 'Australia/Sydney',
          profile: { display_name: 'Test User', ...profiles.get(args.user) },
        },
      }
    case 'files.info':
      return {
        ok: true,
        file: {
          id: args.file,
          name: 'patrons.csv',
          mimetype: 'text/csv',
          filetype: 'csv',
          size: 0,
          url_private_download: `https://files.slack.test/${args.file}`,
        },
      }
    default:
      return { ok: true }
  }
}

function answer(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { 'content-type': 'application/json' })
  response.end(JSON.stringify(body))
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

// The Web API client sends forms whose object values (view, blocks) are JSON strings.
function parseArgs(body: string, contentType: string | undefined): Record<string, any> {
  if (body === '') return {}
  if (contentType?.includes('application/json')) return JSON.parse(body)
  const args: Record<string, any> = {}
  for (const [key, value] of new URLSearchParams(body)) {
    args[key] = /^[[{]/.test(value) ? JSON.parse(value) : value
  }
  return args
}

/** Every piece of text in some blocks, as a user reads it. */
export function textOf(blocks: unknown): string {
  const texts: string[] = []
  const visit = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(visit)
    else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'text' && typeof value === 'string') texts.push(value)
        else visit(value)
      }
    }
  }
  visit(blocks)
  return texts.join('\n')
}

/** The buttons in some blocks with this action id, in order. */
export function buttonsIn(blocks: unknown, actionId: string): Array<{ action_id: string; value: string; confirm?: any; text: { text: string } }> {
  const found: any[] = []
  const visit = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(visit)
    else if (node !== null && typeof node === 'object') {
      const element = node as Record<string, unknown>
      if (element.type === 'button' && element.action_id === actionId) found.push(element)
      Object.values(element).forEach(visit)
    }
  }
  visit(blocks)
  return found
}
