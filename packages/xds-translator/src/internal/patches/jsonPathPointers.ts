// EnvoyPatchPolicy `operation.jsonPath`, as Envoy Gateway's ConvertPathToPointers: the JSONPath is
// evaluated on the resource's JSON with proto field names (what Envoy Gateway's protojson writes;
// egts keeps lowerCamelCase JSON names, so keys are read back in snake_case here), each match
// becomes a JSON pointer, and the operation's `path` is appended to it. JSONPath evaluation is
// jsonpath-plus's (filters run in its safe evaluator, never as JavaScript).
import { createRequire } from 'node:module';
import { isRecord } from '@egts/api';
import type { JSONPath as JSONPathFunction } from 'jsonpath-plus';

// Loaded at the first JSONPath patch: most configurations have none.
let jsonPathLibrary: typeof JSONPathFunction | undefined;
const jsonPath = (): typeof JSONPathFunction => {
  jsonPathLibrary ??= (
    createRequire(import.meta.url)('jsonpath-plus') as { JSONPath: typeof JSONPathFunction }
  ).JSONPath;
  return jsonPathLibrary;
};

const snake = (key: string): string =>
  /^[a-z][a-zA-Z0-9]*$/.test(key) ? key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : key;

/** `document` with its keys as proto field names (`filterChains` -> `filter_chains`). */
function protoNames(document: unknown): unknown {
  if (Array.isArray(document)) return document.map(protoNames);
  if (!isRecord(document)) return document;
  return Object.fromEntries(Object.entries(document).map(([k, v]) => [snake(k), protoNames(v)]));
}

/** Envoy Gateway's concat: the match's pointer and `path`, joined by one `/`. */
const joined = (pointer: string, path: string): string =>
  path === '' ? pointer : `${pointer.replace(/\/$/, '')}/${path.replace(/^\//, '')}`;

/** The pointers (proto field names) `expression` selects in `document`, each with `path` appended. */
export function jsonPathPointers(document: unknown, expression: string, path: string): string[] {
  const normalized = expression.startsWith('$') ? expression : `$${expression}`;
  if (normalized.trim() === '$')
    throw new Error("Using only Root ('$') in json path expression is not allowed!");
  const pointers = jsonPath()({
    path: normalized,
    json: protoNames(document) as object,
    resultType: 'pointer',
    wrap: true,
  }) as string[];
  return pointers.map((pointer) => joined(pointer, path));
}
