import { defineProject } from 'vitest/config'

// The pure core (src/domain) has no I/O, so its tests need no database: this project has no
// global setup and runs in threads. `npm run test:domain` runs it alone, in about a second, and
// Stryker runs it once per mutant (stryker.config.mjs). `npm test` runs it through the
// projects of vitest.config.ts, beside the tests that need PostgreSQL.
export default defineProject({
  test: {
    name: 'domain',
    include: ['test/domain/**/*.test.ts'],
    pool: 'threads',
  },
})
