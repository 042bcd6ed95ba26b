// The main entry (every message, through generated/all.ts) loads no @grpc/grpc-js: only the files
// that scripts/generate.mjs splits out into generated/services/ (`@egts/envoy-api/services`)
// import it, so `egts translate` and `validate` never load it.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('..', import.meta.url));

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? entry.name === '__tests__'
        ? []
        : sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );

describe('@grpc/grpc-js', () => {
  it('is imported only by the services entry and the service files split out for it', () => {
    const importing = sources(SRC)
      .filter((file) => readFileSync(file, 'utf8').includes('from "@grpc/grpc-js"'))
      .map((file) => relative(SRC, file));
    expect(importing.length).toBe(8);
    for (const file of importing) expect(file).toMatch(/^generated\/services\//);
    expect(readFileSync(join(SRC, 'services.ts'), 'utf8')).toContain('./generated/services/');
    expect(readFileSync(join(SRC, 'index.ts'), 'utf8')).not.toContain('generated/services/');
  });
});
