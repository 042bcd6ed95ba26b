// Shared vitest settings: resolve `@egts/*` to their sources (the `@egts/source` export
// condition), so a package's tests never need its dependencies built first. Each run also writes
// a JSON report that scripts/test-summary.mjs adds up into one closing line for CI.
//
// Two tiers. The default one (`pnpm test`) runs every `*.test.ts` except `*.heavy.test.ts`: unit,
// integration (real Envoy, kube-apiserver) and end-to-end tests. The heavy tier (`pnpm test:heavy`,
// EGTS_TEST_TIER=heavy) runs only `*.heavy.test.ts`: CPU-bound sweeps (the conformance corpus,
// large fixtures) that take seconds on a quiet machine and minutes on a loaded one. CI runs both.
//
// Timeouts are hang detectors, not speed checks (speed is `pnpm bench`'s): generous enough for a
// 2-core machine at a load of 15-30, where a test takes 10-30 times what it takes on a quiet one.
import { configDefaults, defineConfig } from 'vitest/config';

const heavy = process.env.EGTS_TEST_TIER === 'heavy';
const HEAVY_TESTS = '**/*.heavy.test.ts';

export default defineConfig({
  resolve: { conditions: ['@egts/source'] },
  ssr: { resolve: { conditions: ['@egts/source'] } },
  test: {
    ...(heavy ? { include: [HEAVY_TESTS] } : { exclude: [...configDefaults.exclude, HEAVY_TESTS] }),
    testTimeout: heavy ? 600_000 : 120_000,
    hookTimeout: heavy ? 600_000 : 120_000,
    reporters: ['default', 'json'],
    outputFile: { json: heavy ? '.vitest-heavy-report.json' : '.vitest-report.json' },
  },
});
