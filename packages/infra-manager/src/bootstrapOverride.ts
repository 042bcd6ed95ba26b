// EnvoyProxy `bootstrap` applied to the bootstrap egts generates for a proxy, as Envoy Gateway
// applies it: Replace takes the user's document, Merge merges it in the way protobuf merges
// messages (fields set replace, messages merge, lists append), JSONPatch applies RFC 6902
// operations in order. The generated document is first written with Envoy's proto field names
// (snake_case), which the user's YAML and patch paths use; Envoy reads either.

import { createRequire } from 'node:module';
import { isRecord } from '@egts/api';
import type { ProxyInfra } from '@egts/ir';
import type jsonPatch from 'fast-json-patch';

// Loaded at the first patch, not at import: most configurations have no
// EnvoyProxy bootstrap JSONPatch (#24).
let jsonPatchLibrary: typeof jsonPatch | undefined;
const patches = (): typeof jsonPatch => {
  jsonPatchLibrary ??= createRequire(import.meta.url)('fast-json-patch') as typeof jsonPatch;
  return jsonPatchLibrary;
};

type Override = NonNullable<ProxyInfra['bootstrap']>;

/** lowerCamelCase field names as proto names; other keys (`@type`, map keys with dots) kept. */
const protoNames = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(protoNames);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [
      /^[a-z][a-zA-Z0-9]*$/.test(key) ? key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : key,
      protoNames(v),
    ]),
  );
};

/** protobuf's Merge over JSON documents: objects merge, lists append, the rest is replaced. */
const merge = (base: unknown, update: unknown): unknown => {
  if (Array.isArray(base) && Array.isArray(update)) return [...base, ...update];
  if (!isRecord(base) || !isRecord(update)) return update;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(update)) out[key] = merge(out[key], value);
  return out;
};

/**
 * The bootstrap `generated` with `override` applied; throws an Error naming the EnvoyProxy field
 * when a patch cannot apply (Envoy itself judges the result: validateEnvoyConfig).
 */
export function applyBootstrapOverride(generated: object, override: Override): object {
  const base = protoNames(generated) as Record<string, unknown>;
  if (override.type === 'Replace') return protoNames(override.value ?? {}) as object;
  if (override.type === 'Merge') return merge(base, protoNames(override.value ?? {})) as object;
  let document: unknown = structuredClone(base);
  for (const [i, patch] of (override.jsonPatches ?? []).entries()) {
    try {
      // Validated, on the clone made above.
      document = patches().applyOperation(
        document,
        patch as jsonPatch.Operation,
        true,
        true,
      ).newDocument;
    } catch (error) {
      throw new Error(
        `spec.bootstrap.jsonPatches[${i}] (${patch.op} ${patch.path}): ${(error as Error).message.split('\n')[0]}`,
      );
    }
  }
  return document as object;
}
