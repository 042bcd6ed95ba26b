// Generates src/generated/*.ts — TypeScript interfaces and zod schemas — from the OpenAPI v3 schemas
// of the CRDs in ../shared (Gateway API experimental channel, Envoy Gateway's own kinds).
// Run: `pnpm --filter @egts/api generate`. The output is committed; a test checks it is current.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { crdSources, renderCrd } from './crdToZod.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const sharedDir = process.env.EGTS_SHARED ?? join(packageDir, '..', '..', '..', 'shared');
const outDir = join(packageDir, 'src', 'generated');

export function generate(shared: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const source of crdSources) {
    const dir = join(shared, source.dir);
    for (const file of readdirSync(dir).sort()) {
      if (!source.match.test(file)) continue;
      for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
        const crd = doc.toJS();
        if (crd?.kind !== 'CustomResourceDefinition') continue;
        const rendered = renderCrd(crd, `${source.dir}/${file}`);
        files.set(rendered.fileName, rendered.text);
      }
    }
  }
  return files;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = generate(sharedDir);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const [name, text] of files) writeFileSync(join(outDir, name), text);
  console.log(`generated ${files.size} files into ${outDir}`);
}
