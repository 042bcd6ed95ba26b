// JSON merge patch (RFC 7396): Envoy Gateway's `JSONMerge`, of a policy's `mergeType`, an
// EnvoyProxy's `mergeType` and a KubernetesPatchSpec. Shared by the translator (policy and
// EnvoyProxy merges) and the infra-manager (patches of the proxies' Kubernetes objects).

import { isRecord } from './loader/isRecord.js';

/** Objects merge, null removes a member, anything else (lists too) replaces. Neither mutated. */
export const jsonMergePatch = (target: unknown, patch: unknown): unknown => {
  if (!isRecord(patch)) return patch;
  const result: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = jsonMergePatch(result[key], value);
  }
  return result;
};
