// "Never accept silently": for every Envoy Gateway kind, each field path of its CRD is either
// applied (it reaches Envoy or the proxies' infrastructure, and a named test proves it) or not
// applied. An entry covers its path and everything below it; the most specific entry wins, so a
// subtree can be not applied while one of its fields is. A resource that sets a not-applied
// field is reported Accepted=False naming the fields (notAppliedFields); the registry test walks
// the CRDs and fails on a field in neither list.

import { isRecord } from '@egts/api';
import { CRD_DEFAULTS } from './crdDefaults.gen.js';
import { backendFields } from './kinds/backend.js';
import { backendTrafficPolicyFields } from './kinds/backendTrafficPolicy.js';
import { clientTrafficPolicyFields } from './kinds/clientTrafficPolicy.js';
import { envoyExtensionPolicyFields } from './kinds/envoyExtensionPolicy.js';
import { envoyPatchPolicyFields } from './kinds/envoyPatchPolicy.js';
import { envoyProxyFields } from './kinds/envoyProxy.js';
import { httpRouteFilterFields } from './kinds/httpRouteFilter.js';
import { securityPolicyFields } from './kinds/securityPolicy.js';

/** Where a field stands: applied with the test that proves it, or not applied. */
export interface KindFields {
  /** Field path (`spec.a.b`, arrays transparent) -> test proving it, as `file: test name`. */
  readonly applied: Readonly<Record<string, string>>;
  /** Field paths egts does not apply: a resource setting one is not accepted. */
  readonly notApplied: readonly string[];
  /**
   * Applied fields egts cannot apply in the way this spec uses them (a combination, not a
   * field): their paths, reported like not-applied fields.
   */
  readonly notAppliedIn?: (spec: Readonly<Record<string, unknown>>) => readonly string[];
}

export const FIELD_REGISTRY = {
  Backend: backendFields,
  BackendTrafficPolicy: backendTrafficPolicyFields,
  ClientTrafficPolicy: clientTrafficPolicyFields,
  EnvoyExtensionPolicy: envoyExtensionPolicyFields,
  EnvoyPatchPolicy: envoyPatchPolicyFields,
  EnvoyProxy: envoyProxyFields,
  HTTPRouteFilter: httpRouteFilterFields,
  SecurityPolicy: securityPolicyFields,
} as const satisfies Record<string, KindFields>;

export type RegisteredKind = keyof typeof FIELD_REGISTRY;

export const isRegisteredKind = (kind: string): kind is RegisteredKind =>
  Object.hasOwn(FIELD_REGISTRY, kind);

/** The entry deciding a field: itself or its closest listed ancestor; undefined when unknown. */
export function fieldEntry(
  kind: RegisteredKind,
  path: string,
): { path: string; applied: boolean } | undefined {
  const fields: KindFields = FIELD_REGISTRY[kind];
  for (let p = path; p !== ''; p = p.slice(0, Math.max(0, p.lastIndexOf('.')))) {
    if (Object.hasOwn(fields.applied, p)) return { path: p, applied: true };
    if (fields.notApplied.includes(p)) return { path: p, applied: false };
  }
  return undefined;
}

const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Every set value of `value` with its field path: leaves, and empty objects (an empty object
 * such as `envoyDaemonSet: {}` is a setting too). Arrays are transparent; null is unset; a value
 * equal to the CRD default changes nothing and is skipped (the API server fills defaults in).
 */
function visitSet(
  kind: RegisteredKind,
  value: unknown,
  path: string,
  visit: (path: string) => void,
): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) visitSet(kind, item, path, visit);
    return;
  }
  if (isRecord(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) visit(path);
    for (const key of keys) visitSet(kind, value[key], `${path}.${key}`, visit);
    return;
  }
  const defaults: Readonly<Record<string, unknown>> = CRD_DEFAULTS[kind];
  if (Object.hasOwn(defaults, path) && sameValue(defaults[path], value)) return;
  visit(path);
}

/**
 * The not-applied fields a resource's spec sets, as their registry paths, sorted. A field the
 * CRD does not know is reported by its own path (egts cannot apply what it does not know).
 */
export function notAppliedFields(kind: RegisteredKind, spec: unknown): string[] {
  const found = new Set<string>();
  const applied = Object.keys(FIELD_REGISTRY[kind].applied);
  visitSet(kind, spec, 'spec', (path) => {
    const entry = fieldEntry(kind, path);
    if (entry?.applied) return;
    // An empty object (`authorization: {}`) asks for the feature with its defaults: applied
    // when some of its fields are.
    if (applied.some((p) => p.startsWith(`${path}.`))) return;
    // Named by its entry, unless part of that entry is applied: then by the field itself.
    const partly = entry && applied.some((p) => p.startsWith(`${entry.path}.`));
    found.add(entry && !partly ? entry.path : path);
  });
  const fields: KindFields = FIELD_REGISTRY[kind];
  if (fields.notAppliedIn && isRecord(spec))
    for (const path of fields.notAppliedIn(spec)) found.add(path);
  return [...found].sort();
}

/** The message of a resource that sets not-applied fields; `effect` says what happens instead. */
export const notAppliedMessage = (fields: readonly string[], effect: string): string =>
  `egts does not apply ${fields.join(', ')} yet; ${effect}`;

/** Condition reason of a resource that sets a field egts does not apply. */
export const NOT_APPLIED_REASON = 'NotApplied';
