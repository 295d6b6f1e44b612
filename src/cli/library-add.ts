import { addLibrary, isSlackTeamId, isTimeZone } from '../domain/libraries/add-library.ts'
import { err, ok } from '../domain/result.ts'
import { cliActor } from '../domain/staff/actors.ts'
import { defineCommand, requireOptions } from './command.ts'

const words = ['library', 'add']

/** `library-comms library add`: links a school's Slack workspace; prints the new library's id alone. */
export const libraryAddCommand = defineCommand({
  words,
  summary: 'add a library (a school) and link its Slack workspace; prints its id',
  usage: 'library-comms library add --name NAME --slack-team TEAM_ID --time-zone Area/City',
  optionHelp: [
    "--name NAME            the school library's name, as staff know it",
    '--slack-team TEAM_ID   the Slack workspace (team) id, T… (Slack: workspace settings, or the URL app.slack.com/client/T…)',
    "--time-zone Area/City  the library's IANA time zone, e.g. Europe/London: overdue days are counted there",
  ],
  options: { name: { type: 'string' }, 'slack-team': { type: 'string' }, 'time-zone': { type: 'string' } },
  parse(args) {
    const given = requireOptions(args, words.join(' '), ['name', 'slack-team', 'time-zone'])
    if (!given.ok) return given
    const { name, 'slack-team': slackTeam, 'time-zone': timeZone } = given.value
    // Slack ids are upper case; a mistyped one would never match a command, so refuse it here.
    if (!isSlackTeamId(slackTeam)) {
      return err({ code: 'invalid_option', option: 'slack-team', value: slackTeam, expected: 'a Slack team id such as T0123ABCD' })
    }
    // The domain's rules, asked before the database opens, so that a typo is refused at once.
    if (!isTimeZone(timeZone)) return err({ code: 'invalid_time_zone', timeZone })
    return ok({ name, slackTeamId: slackTeam, timeZone })
  },
  async run(deps, input) {
    const added = await addLibrary(deps, { ...input, actor: cliActor })
    return added.ok ? ok(`${added.value.id}\n`) : added
  },
})
