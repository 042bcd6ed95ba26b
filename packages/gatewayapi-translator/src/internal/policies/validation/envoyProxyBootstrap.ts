// EnvoyProxy `bootstrap` as the infra IR carries it: the YAML `value` parsed, the JSON patches
// checked for shape. What only Envoy can judge (the patched bootstrap as a whole) is checked by
// the infra-manager with `envoy --mode validate` before a proxy starts with it.
import { createRequire } from 'node:module';
import type { EnvoyProxy } from '@egts/api';
import type { ProxyInfra } from '@egts/ir';
import type * as Yaml from 'yaml';
import { list, obj } from './policyValues.js';

// Loaded at the first bootstrap value, not at import: a server without one no longer pays the
// YAML library at start (about 1 MiB of heap and 35 ms of CPU; #24).
let yaml: typeof Yaml | undefined;
const yamlLibrary = (): typeof Yaml => {
  yaml ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
  return yaml;
};

type Override = NonNullable<ProxyInfra['bootstrap']>;
type Patch = NonNullable<Override['jsonPatches']>[number];

const OPS = new Set<unknown>(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** The override the EnvoyProxy asks for, or why it is invalid (naming the field). */
export function bootstrapOverride(proxy: EnvoyProxy | undefined): {
  override?: Override;
  problem?: string;
} {
  const bootstrap = obj(obj((proxy as { spec?: unknown } | undefined)?.spec)?.bootstrap);
  if (!bootstrap) return {};
  // Replace when unspecified (the CRD's default).
  const type =
    bootstrap.type === 'Merge' || bootstrap.type === 'JSONPatch' ? bootstrap.type : 'Replace';
  if (type === 'JSONPatch') {
    const patches: Patch[] = [];
    for (const [i, patch] of list(bootstrap.jsonPatches).entries()) {
      const field = `spec.bootstrap.jsonPatches[${i}]`;
      if (!OPS.has(patch.op))
        return { problem: `${field}.op: unknown operation ${String(patch.op)}` };
      if (typeof patch.path !== 'string' || !(patch.path === '' || patch.path.startsWith('/')))
        return { problem: `${field}.path: not a JSON pointer` };
      if ((patch.op === 'move' || patch.op === 'copy') && typeof patch.from !== 'string')
        return { problem: `${field}.from: ${String(patch.op)} needs from` };
      patches.push({
        op: patch.op as Patch['op'],
        path: patch.path,
        ...(typeof patch.from === 'string' ? { from: patch.from } : {}),
        ...(patch.value === undefined ? {} : { value: patch.value }),
      });
    }
    if (patches.length === 0) return { problem: 'spec.bootstrap.jsonPatches: none given' };
    return { override: { type, jsonPatches: patches } };
  }
  let value: unknown;
  try {
    value = yamlLibrary().parse(String(bootstrap.value ?? ''));
  } catch (error) {
    return {
      problem: `spec.bootstrap.value: not YAML: ${(error as Error).message.split('\n')[0]}`,
    };
  }
  if (obj(value) === undefined)
    return { problem: 'spec.bootstrap.value: not a YAML object (an Envoy Bootstrap)' };
  return { override: { type, value: value as Record<string, unknown> } };
}
