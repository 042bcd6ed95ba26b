// The Accepted condition of EnvoyExtensionPolicies whose Wasm modules cannot be fetched. The
// control plane's Wasm cache fetches them after translation (a fetch never blocks it) and marks
// each module it cannot serve `unavailable` in the xDS IR; this puts that on the statuses
// translate() gave, as Envoy Gateway does: Accepted False, reason Invalid, "Wasm: <why>", on
// every ancestor (a source that cannot be fetched fails wherever the policy applies).
import type { ResourceStatus } from '@egts/api';
import type { XdsIR } from '@egts/ir';
import { onAcceptedAncestors } from './acceptedAncestors.js';

/** Why each policy's Wasm modules cannot be served, by `<namespace>/<name>`. */
export function wasmFailures(irs: Iterable<XdsIR>): Map<string, string[]> {
  const failures = new Map<string, string[]>();
  for (const ir of irs)
    for (const listener of ir.http)
      for (const route of listener.routes) {
        const extensions = route.extensions;
        for (const module of extensions?.wasm ?? []) {
          if (module.unavailable === undefined || !extensions) continue;
          // A merged policy's name is `<name>/merged/<broader policy>`: the route's own policy.
          const policy = extensions.policy.split('/').slice(0, 2).join('/');
          const known = failures.get(policy) ?? [];
          if (!known.includes(module.unavailable)) known.push(module.unavailable);
          failures.set(policy, known);
        }
      }
  return failures;
}

/**
 * `statuses` with Accepted False (Invalid) on the ancestors of each EnvoyExtensionPolicy whose
 * Wasm modules `failures` names; other statuses are returned as they are.
 */
export function withWasmFailures(
  statuses: readonly ResourceStatus[],
  failures: ReadonlyMap<string, readonly string[]>,
): ResourceStatus[] {
  if (failures.size === 0) return [...statuses];
  return onAcceptedAncestors(
    statuses,
    'EnvoyExtensionPolicy',
    (key) => failures.get(key),
    (conditions, accepted, why) => {
      const failed = {
        ...accepted,
        status: 'False',
        reason: 'Invalid',
        message: `Wasm: ${why.join('; ')}.`,
      };
      return conditions.map((c) => (c === accepted ? failed : c));
    },
  );
}
