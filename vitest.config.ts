import { defineConfig } from 'vitest/config'

// The whole suite runs on the embedded database, and again on a PostgreSQL server when
// TEST_DATABASE_URL is set (CI sets it), so every query is proven on both engines.
const server = process.env.TEST_DATABASE_URL
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'embedded', env: { TEST_DB: 'embedded' }, globalSetup: ['test/support/setup-embedded.ts'] } },
      ...(server ? [{ extends: true, test: { name: 'server', env: { TEST_DB: 'server' }, globalSetup: ['test/support/setup-server.ts'] } }] : []),
    ],
  },
})
