import { configDefaults, defineProject } from 'vitest/config'

// The pure core (src/domain) has no I/O, so its tests need no database: this project has no
// global setup and runs in threads. `npm run test:domain` runs it alone, in about a second, and
// Stryker runs it once per mutant (stryker.config.mjs). `npm test` runs it through the
// projects of vitest.config.ts, beside the tests that need PostgreSQL.
//
// Stryker's test-runner processes (STRYKER_MUTATOR_WORKER set) leave out the simulation study's
// test: it runs the whole market for seconds, so it would add those seconds to every mutant of
// the market maker, the engine and the decision rule, and its main check (the same seed gives
// the same report) holds for mutated code too, so it kills nothing the unit tests do not.
export default defineProject({
  test: {
    name: 'domain',
    include: ['test/domain/**/*.test.ts'],
    exclude: [
      ...configDefaults.exclude,
      ...(process.env.STRYKER_MUTATOR_WORKER ? ['test/domain/simulation.test.ts'] : []),
    ],
    pool: 'threads',
  },
})
