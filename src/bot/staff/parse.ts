import { z } from 'zod'

/** What `/staff …` asks for. */
type StaffCommand =
  | { kind: 'list' }
  | { kind: 'help'; problem?: string }
  | { kind: 'set_role'; slackUserId: string; role: string }
  | { kind: 'remove'; slackUserId: string }

// With `should_escape` on (manifest.yml) Slack sends a mention as <@U123|name>; an id typed
// by hand (U123, W123 on Enterprise Grid) is accepted too.
const slackUser = z
  .string()
  .regex(/^(?:<@([UW][A-Z0-9]+)(?:\|[^>]*)?>|([UW][A-Z0-9]+))$/)
  .transform((token) => token.replace(/^<@/, '').replace(/[|>].*$/, ''))

const mentionProblem = 'Mention the person with @ (for example `@Ana Silva`) so Slack sends who they are.'

/** Reads the text after `/staff`. */
export function parseStaffCommand(text: string): StaffCommand {
  const [verb = '', user, role, ...rest] = text.trim().split(/\s+/).filter(Boolean)
  switch (verb.toLowerCase()) {
    case '':
    case 'list':
      return { kind: 'list' }
    case 'add':
    case 'role': {
      const who = slackUser.safeParse(user ?? '')
      if (!who.success) return { kind: 'help', problem: mentionProblem }
      if (role === undefined || rest.length > 0) return { kind: 'help', problem: 'Say which role: admin, staff or viewer.' }
      return { kind: 'set_role', slackUserId: who.data, role: role.toLowerCase() }
    }
    case 'remove': {
      const who = slackUser.safeParse(user ?? '')
      if (!who.success || role !== undefined) return { kind: 'help', problem: mentionProblem }
      return { kind: 'remove', slackUserId: who.data }
    }
    case 'help':
      return { kind: 'help' }
    default:
      return { kind: 'help', problem: `“${verb}” is not something /staff does.` }
  }
}
