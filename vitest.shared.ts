// Shared vitest settings: resolve `@egts/*` to their sources (the `@egts/source` export
// condition), so a package's tests never need its dependencies built first.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@egts/source'] },
  ssr: { resolve: { conditions: ['@egts/source'] } },
  test: { testTimeout: 20_000 },
});
