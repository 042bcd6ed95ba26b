// The admin console's static files (apps/gateway/console: HTML, script, stylesheet), read once from
// the package itself so they are found both from source (tests) and from dist (the published CLI).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface ConsoleAsset {
  readonly contentType: string;
  readonly body: Buffer;
}

const FILES: Record<string, [file: string, contentType: string]> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/console.js': ['console.js', 'text/javascript; charset=utf-8'],
  '/console.css': ['console.css', 'text/css; charset=utf-8'],
};

/** The console's files by URL path. */
export async function loadConsoleAssets(): Promise<Map<string, ConsoleAsset>> {
  // The package's own package.json, by self-reference: its folder holds console/.
  const root = dirname(createRequire(import.meta.url).resolve('@egts/gateway/package.json'));
  const assets = new Map<string, ConsoleAsset>();
  for (const [path, [file, contentType]] of Object.entries(FILES)) {
    assets.set(path, { contentType, body: await readFile(join(root, 'console', file)) });
  }
  return assets;
}
