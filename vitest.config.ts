import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      // test/domain/**: the pure core, without PostgreSQL.
      './vitest.domain.config.ts',
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
          exclude: ['test/domain/**', '**/node_modules/**'],
          // Only this project starts PostgreSQL: a run filtered to the domain project
          // (`vitest run --project domain`) starts none.
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 120_000,
          pool: 'forks',
        },
      },
    ],
  },
})
