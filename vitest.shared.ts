// Shared vitest settings: resolve `@egts/*` to their sources (the `@egts/source` export
// condition), so a package's tests never need its dependencies built first. Each run also writes
// a JSON report that scripts/test-summary.mjs adds up into one closing line for CI.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@egts/source'] },
  ssr: { resolve: { conditions: ['@egts/source'] } },
  test: {
    testTimeout: 20_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-report.json' },
  },
});
