import type { Command } from './command.ts'

const environmentHelp = [
  'The tool reads the same environment as the service (and .env in the current directory):',
  '  DATABASE_URL   set: work on that PostgreSQL server',
  '  DATA_DIR       otherwise: the embedded database in this directory (default ./data);',
  '                 while the service runs, the tool goes through its local socket there',
  '',
  'Exit codes: 0 done; 1 could not run (database, configuration); 2 refused (bad input, nothing written).',
]

/** `library-comms --help`. */
export function toolHelp(commands: Command<unknown>[]): string {
  const width = Math.max(...commands.map((command) => command.words.join(' ').length))
  return [
    'library-comms: set up and run library-comms from a terminal',
    '',
    'Usage: library-comms <command> [options]',
    '       library-comms <command> --help',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.words.join(' ').padEnd(width)}  ${command.summary}`),
    '',
    ...environmentHelp,
    '',
  ].join('\n')
}

/** `library-comms library --help`: the commands of one group. */
export function groupHelp(group: string, commands: Command<unknown>[]): string {
  return [
    `Usage: library-comms ${group} <${commands.map((command) => command.words[1]).join('|')}> [options]`,
    '',
    ...commands.map((command) => `  ${command.usage}\n      ${command.summary}`),
    '',
  ].join('\n')
}

/** `library-comms <command> --help`. */
export function commandHelp(command: Command<unknown>): string {
  return [
    `Usage: ${command.usage}`,
    '',
    `${command.summary[0].toUpperCase()}${command.summary.slice(1)}.`,
    ...(command.optionHelp.length > 0 ? ['', 'Options:', ...command.optionHelp.map((line) => (line === '' ? '' : `  ${line}`))] : []),
    '',
    ...environmentHelp,
    '',
  ].join('\n')
}
