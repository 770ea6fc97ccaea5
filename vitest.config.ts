import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: {
      '@hookline/verify': fileURLToPath(new URL('./packages/verify/src/index.ts', import.meta.url)),
    },
  },
  test: {
    include: [
      'src/**/*.test.ts',
      'test/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'packages/*/src/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
    ],
    testTimeout: 60_000,
    // expect.poll waits are failsafes on shared 2-core machines, not measures.
    expect: { poll: { timeout: 30_000 } },
    hookTimeout: 60_000,
    // Checks every API response of every test against the OpenAPI document.
    setupFiles: ['./test/setup/api-contract.ts'],
    pool: 'forks',
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
