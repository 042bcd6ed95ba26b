// Test data the Envoy Gateway e2e tests keep in Go source (JWTs signed by the keys of their
// JWKS manifests), read at test time from ../shared so that nothing of it is committed here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The string constant `name = "..."` of an e2e Go file under `tests/`, or an error naming it. */
export const goConstant = (suiteDir: string, file: string, name: string): string => {
  const text = readFileSync(join(suiteDir, 'tests', file), 'utf8');
  const match = new RegExp(`\\b${name}\\s*=\\s*"([^"]*)"`).exec(text);
  if (!match?.[1]) throw new Error(`no constant ${name} in tests/${file}`);
  return match[1];
};
