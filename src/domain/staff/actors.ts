import type { StaffRole } from './roles.ts'

/**
 * Who acts, as the audit log and every door name them: a Slack member, an API key, the
 * command-line tool, or a migration. The doors word it (a Slack mention, "API key 4"); the
 * stored form is `actorLabel`'s, read back only by `actorOf`.
 */
export type ActorRef =
  | { kind: 'slack'; userId: string }
  | { kind: 'api_key'; keyId: number }
  | { kind: 'cli' }
  | { kind: 'migration' }
  /** Whoever received a notice and used its unsubscribe link: a choice that is theirs, not staff's. */
  | { kind: 'recipient' }
  /** A label this version does not know (written by a later one): shown as it is. */
  | { kind: 'other'; label: string }

/**
 * Who is asking, as every use case sees it. `role` is null for someone who is not staff of the
 * library.
 */
export type Actor = { ref: ActorRef; role: StaffRole | null }

/** The stored form of an actor: `slack:U123`, `api-key:4`, `cli`, `migration`, `recipient`. */
export function actorLabel(ref: ActorRef): string {
  switch (ref.kind) {
    case 'slack':
      return `slack:${ref.userId}`
    case 'api_key':
      return `api-key:${ref.keyId}`
    case 'cli':
      return 'cli'
    case 'migration':
      return 'migration'
    case 'recipient':
      return 'recipient'
    case 'other':
      return ref.label
  }
}

/** An actor read back from its stored form. */
export function actorOf(label: string): ActorRef {
  if (label.startsWith('slack:')) return { kind: 'slack', userId: label.slice('slack:'.length) }
  const key = /^api-key:([1-9][0-9]*)$/.exec(label)
  if (key) return { kind: 'api_key', keyId: Number(key[1]) }
  if (label === 'cli') return { kind: 'cli' }
  if (label === 'migration') return { kind: 'migration' }
  if (label === 'recipient') return { kind: 'recipient' }
  return { kind: 'other', label }
}

/** The same actor: the one who confirms a batch may have to be another than the one who asked. */
export const isSameActor = (a: ActorRef, b: ActorRef): boolean => actorLabel(a) === actorLabel(b)

/** A Slack member id as Slack writes them: U… or W… (Enterprise Grid), capitals and digits. */
export const isSlackUserId = (value: string): boolean => /^[UW][A-Z0-9]{2,}$/.test(value)

/** The tool acts as an admin: whoever runs it administers the deployment. Audited as `cli`. */
export const cliActor: Actor = { ref: { kind: 'cli' }, role: 'admin' }
