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

/** A listed path: what decides the fields at and below it (unless listed themselves). */
interface Entry {
  readonly path: string;
  readonly applied: boolean;
  /** Some path below this not-applied one is applied: its fields are named one by one. */
  readonly partly: boolean;
}

/** A field name of the registry's paths, as a tree node. */
interface FieldNode {
  readonly children: Map<string, FieldNode>;
  /** The entry deciding this field: its own, else its closest listed ancestor's. */
  decides: Entry | undefined;
  /** Some applied path lies below this one. */
  aboveApplied: boolean;
  /**
   * This field and everything below it are applied: nothing set there, known to the registry or
   * not, is ever reported, so notAppliedFields skips the subtree (most of a policy's spec).
   */
  silent: boolean;
  /** The CRD default of this field, when it has one. */
  crdDefault?: { readonly value: unknown };
}

const trees = new Map<RegisteredKind, FieldNode>();

/**
 * A kind's registry as a tree of field names, built once: every set field of every policy is
 * looked up on each translation, and walking the tree beside the spec finds each one's entry
 * without building, hashing and cutting its path string level by level.
 */
function fieldTree(kind: RegisteredKind): FieldNode {
  const built = trees.get(kind);
  if (built !== undefined) return built;
  const newNode = (): FieldNode => ({
    children: new Map(),
    decides: undefined,
    aboveApplied: false,
    silent: false,
  });
  const root = newNode();
  const nodeAt = (path: string): FieldNode => {
    let node = root;
    for (const name of path.split('.')) {
      let child = node.children.get(name);
      if (child === undefined) {
        child = newNode();
        node.children.set(name, child);
      }
      node = child;
    }
    return node;
  };
  const fields: KindFields = FIELD_REGISTRY[kind];
  const applied = Object.keys(fields.applied);
  const listed = new Map<FieldNode, string>();
  for (const path of fields.notApplied) listed.set(nodeAt(path), path);
  for (const path of applied) {
    listed.set(nodeAt(path), path);
    const names = path.split('.');
    let node = root;
    for (const name of names.slice(0, -1)) {
      node = node.children.get(name) as FieldNode;
      node.aboveApplied = true;
    }
  }
  for (const [path, value] of Object.entries(CRD_DEFAULTS[kind] as Record<string, unknown>))
    nodeAt(path).crdDefault = { value };
  const settle = (node: FieldNode, inherited: Entry | undefined) => {
    const path = listed.get(node);
    node.decides =
      path === undefined
        ? inherited
        : {
            path,
            // Listed in both: applied (the applied list is read first).
            applied: Object.hasOwn(fields.applied, path),
            partly: node.aboveApplied,
          };
    let silent = node.decides?.applied === true;
    for (const child of node.children.values()) {
      settle(child, node.decides);
      silent &&= child.silent;
    }
    node.silent = silent;
  };
  settle(root, undefined);
  trees.set(kind, root);
  return root;
}

/**
 * The node of `name` below `node`, or undefined when the registry has none. A name with dots
 * reads as several names, as it does in a field path; `deepest` gets the last node reached.
 */
function childNode(
  node: FieldNode,
  name: string,
  deepest: { node: FieldNode },
): FieldNode | undefined {
  if (!name.includes('.')) return node.children.get(name);
  let at: FieldNode | undefined = node;
  for (const part of name.split('.')) {
    at = at.children.get(part);
    if (at === undefined) return undefined;
    deepest.node = at;
  }
  return at;
}

/** The entry deciding a field: itself or its closest listed ancestor; undefined when unknown. */
export function fieldEntry(
  kind: RegisteredKind,
  path: string,
): { path: string; applied: boolean } | undefined {
  let node = fieldTree(kind);
  for (const name of path.split('.')) {
    const child = node.children.get(name);
    if (child === undefined) break;
    node = child;
  }
  const entry = node.decides;
  return entry && { path: entry.path, applied: entry.applied };
}

// Most defaults are strings or numbers a spec repeats as is: no JSON for those.
const sameValue = (a: unknown, b: unknown): boolean =>
  a === b || JSON.stringify(a) === JSON.stringify(b);

/** The not-applied paths found so far: no set until the first (most specs have none). */
interface Findings {
  found: Set<string> | undefined;
}

function addFinding(findings: Findings, path: string): void {
  if (findings.found === undefined) findings.found = new Set();
  findings.found.add(path);
}

/**
 * A set value at `path` (`node` its registry node, or its closest known ancestor's). The path is
 * a stack of field names, joined only for a finding: most fields are applied and never named.
 */
function report(
  findings: Findings,
  path: readonly string[],
  node: FieldNode,
  exact: boolean,
): void {
  const entry = node.decides;
  if (entry?.applied) return;
  // An empty object (`authorization: {}`) asks for the feature with its defaults: applied
  // when some of its fields are.
  if (exact && node.aboveApplied) return;
  // Named by its entry, unless part of that entry is applied: then by the field itself.
  addFinding(findings, entry && !entry.partly ? entry.path : path.join('.'));
}

/**
 * Every set value of `value` with its field path: leaves, and empty objects (an empty object
 * such as `envoyDaemonSet: {}` is a setting too). Arrays are transparent; null is unset; a value
 * equal to the CRD default changes nothing and is skipped (the API server fills defaults in).
 * `node` is the field's node in the registry tree when `exact`, else (a field the registry does
 * not know) its closest known ancestor's. `path` is pushed to and popped back as it descends.
 */
function visitSet(
  value: unknown,
  path: string[],
  node: FieldNode,
  exact: boolean,
  findings: Findings,
): void {
  if (value === null || value === undefined || node.silent) return;
  if (Array.isArray(value)) {
    for (const item of value) visitSet(item, path, node, exact, findings);
    return;
  }
  if (isRecord(value)) {
    let empty = true;
    // for-in rather than Object.keys: no array per object (specs are plain JSON objects).
    for (const key in value) {
      empty = false;
      const child = exact && !key.includes('.') ? node.children.get(key) : undefined;
      path.push(key);
      if (child !== undefined) {
        if (!child.silent) visitSet(value[key], path, child, true, findings);
      } else {
        const deepest = { node };
        const dotted = exact ? childNode(node, key, deepest) : undefined;
        visitSet(value[key], path, dotted ?? deepest.node, dotted !== undefined, findings);
      }
      path.pop();
    }
    if (empty) report(findings, path, node, exact);
    return;
  }
  if (exact && node.crdDefault && sameValue(node.crdDefault.value, value)) return;
  report(findings, path, node, exact);
}

/**
 * The not-applied fields a resource's spec sets, as their registry paths, sorted. A field the
 * CRD does not know is reported by its own path (egts cannot apply what it does not know).
 */
export function notAppliedFields(kind: RegisteredKind, spec: unknown): string[] {
  const root = fieldTree(kind);
  const deepest = { node: root };
  const specNode = childNode(root, 'spec', deepest);
  const findings: Findings = { found: undefined };
  visitSet(spec, ['spec'], specNode ?? deepest.node, specNode !== undefined, findings);
  const fields: KindFields = FIELD_REGISTRY[kind];
  if (fields.notAppliedIn && isRecord(spec))
    for (const path of fields.notAppliedIn(spec)) addFinding(findings, path);
  return findings.found === undefined ? [] : [...findings.found].sort();
}

/** The message of a resource that sets not-applied fields; `effect` says what happens instead. */
export const notAppliedMessage = (fields: readonly string[], effect: string): string =>
  `egts does not apply ${fields.join(', ')} yet; ${effect}`;

/** Condition reason of a resource that sets a field egts does not apply. */
export const NOT_APPLIED_REASON = 'NotApplied';
