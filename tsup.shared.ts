// Shared tsup settings: ESM with type declarations for Node 20. Kept trivial (STYLE.md #20).
import type { Options } from 'tsup';

export const tsupOptions = (entry: string[] = ['src/index.ts']): Options => ({
  entry,
  format: ['esm'],
  // Declarations are built per package against the dist of its dependencies (turbo builds them
  // first), so the workspace's source condition and project references are turned off here.
  dts: { compilerOptions: { composite: false, incremental: false, customConditions: [] } },
  sourcemap: true,
  clean: true,
  target: 'node20',
});
