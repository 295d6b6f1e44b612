import { defineConfig } from 'vitest/config'

// Mutation testing (npm run mutate) runs each mutant against the domain's tests alone, on the
// embedded database only: the rules under mutation are the domain's, and the doors' tests (Slack,
// HTTP, the command line) would only make every mutant slower to judge.
export default defineConfig({
  test: {
    include: ['test/domain/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [{ extends: true, test: { name: 'embedded', env: { TEST_DB: 'embedded' }, globalSetup: ['test/support/setup-embedded.ts'] } }],
  },
})
