import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { testDatabaseKind } from '../support/database.ts'
import { type Deployment, startDeployment } from './deployment.ts'

// What an IT admin gets for a slip on the command line: one clear message, exit code 2.

let deployment: Deployment
const cli = (...args: string[]) => deployment.cli(...args)

beforeAll(async () => {
  deployment = await startDeployment()
})
afterAll(async () => {
  await deployment?.stop()
})

describe(`mistakes on the command line, on the ${testDatabaseKind} database`, () => {
  test('a purge request number that is not one is refused as the number it should be, not as an option --ID that does not exist', async () => {
    const approve = await cli('purge', 'approve', '--as', 'U0AAAAAAA', '2147483648')
    const reject = await cli('purge', 'reject', '--as', 'U0AAAAAAA', '01')

    expect(approve).toMatchObject({
      exitCode: 2,
      stderr: 'library-comms: "2147483648" is not a purge request number; name one by its number, such as 3 (see library-comms purge approve --help)\n',
    })
    expect(reject.stderr).toBe('library-comms: "01" is not a purge request number; name one by its number, such as 3 (see library-comms purge reject --help)\n')
  })

  test('library add without its options names every one that is missing, at once', async () => {
    const none = await cli('library', 'add')
    const some = await cli('library', 'add', '--name', 'Hillside')

    expect(none).toMatchObject({
      exitCode: 2,
      stdout: '',
      stderr: 'library-comms: --name, --slack-team and --time-zone are required (see library-comms library add --help)\n',
    })
    expect(some.stderr).toBe('library-comms: --slack-team and --time-zone are required (see library-comms library add --help)\n')
  })

  test('a mistyped option is refused with the option it was probably meant to be', async () => {
    const dryRun = await cli('import', 'patrons', 'roster.csv', '--dryrun')
    const library = await cli('api-key', 'list', '--libary=1')
    const unlike = await cli('staff', 'list', '--colour', 'blue')

    expect(dryRun).toMatchObject({
      exitCode: 2,
      stderr: 'library-comms: unknown option --dryrun; did you mean --dry-run? (see library-comms import patrons --help)\n',
    })
    expect(library.stderr).toBe('library-comms: unknown option --libary; did you mean --library? (see library-comms api-key list --help)\n')
    expect(unlike).toMatchObject({ exitCode: 2, stderr: 'library-comms: unknown option --colour (see library-comms staff list --help)\n' })
  })

  test('api-key list for a library that does not exist is refused, not shown as a library without keys', async () => {
    const listed = await cli('api-key', 'list', '--library', '999999')

    expect(listed).toMatchObject({ exitCode: 2, stdout: '', stderr: 'library-comms: --library: there is no library 999999 (see library-comms library list)\n' })
  })
})
