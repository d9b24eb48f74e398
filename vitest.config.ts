import { defineConfig } from 'vitest/config';

// chdb crashes when loaded in several worker threads of one process; forks give each file its own process.
export default defineConfig({
  test: {
    pool: 'forks',
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'packages/*/src/**/*.test.ts',
            'services/*/src/**/*.test.ts',
            'tools/*/src/**/*.test.ts',
            // The lint-config test: ESLint's Node API on small files, no broker or engine.
            'test/lint/**/*.test.ts',
          ],
          pool: 'forks',
          // Unit files run beside the integration files on 2 cores: a CPU-bound property test that takes
          // 1 s alone took over 5 s (the default) there.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          // Cross-service tests in test/; one service's own integration tests in services/<name>/test/.
          include: ['test/**/*.test.ts', 'services/*/test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
          exclude: ['test/lint/**'],
          pool: 'forks',
          globalSetup: ['test/harness/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
