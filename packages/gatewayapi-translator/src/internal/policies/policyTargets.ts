// Resolving Envoy Gateway policy targets (GEP-713 policy attachment): `targetRefs`, the
// deprecated singular `targetRef`, and `targetSelectors` (labels of objects). Targets are local,
// except that a selector's `namespaces` (From All, or Selector on namespace labels) reaches other
// namespaces where a ReferenceGrant there lets the policy's kind refer to the object (Envoy
// Gateway); objects of namespaces without one are silently left out.
import type { AnyRouteContext } from '../context/routeContext.js';
import type { TranslatorContext } from '../context/translatorContext.js';
import { selectorMatches } from '../labelSelector.js';
import { isReferenceAllowed } from '../referenceGrants.js';
import { ENVOY_GATEWAY_GROUP, GATEWAY_GROUP, type LabelSelector } from '../types.js';

export interface PolicyTargetRef {
  group: string;
  kind: string;
  name: string;
  sectionName?: string | undefined;
  /** Set when a targetSelector reached another namespace than the policy's. */
  namespace?: string | undefined;
}

interface SelectorNamespaces {
  from?: string | undefined;
  selector?: LabelSelector | null | undefined;
}

interface TargetSpec {
  targetRef?:
    | { group?: string; kind: string; name: string; sectionName?: string | undefined }
    | null
    | undefined;
  targetRefs?:
    | readonly { group?: string; kind: string; name: string; sectionName?: string | undefined }[]
    | null
    | undefined;
  targetSelectors?:
    | readonly ({
        group?: string | undefined;
        kind: string;
        namespaces?: SelectorNamespaces | null | undefined;
      } & LabelSelector)[]
    | null
    | undefined;
}

interface Labelled {
  metadata: {
    name: string;
    namespace?: string | undefined;
    labels?: Record<string, string> | null | undefined;
  };
}

function objectsOfKind(ctx: TranslatorContext, kind: string): Labelled[] {
  switch (kind) {
    case 'Gateway':
      return ctx.gateways.map((g) => g.resource);
    case 'ListenerSet':
      return [...ctx.listenerSetsByKey.values()].map((s) => s.resource);
    default:
      return ctx.routes.filter((r) => r.kind === kind).map((r) => r.resource);
  }
}

// Module functions rather than closures in policyTargets: it runs for every policy.

/** Adds `t` unless the same target is there already. */
function addTarget(out: PolicyTargetRef[], t: PolicyTargetRef): void {
  for (const o of out)
    if (
      o.kind === t.kind &&
      o.name === t.name &&
      o.sectionName === t.sectionName &&
      o.namespace === t.namespace
    )
      return;
  out.push(t);
}

/** Whether a selector of a `policyKind` policy in `namespace` reaches an object in `ns`. */
function reaches(
  ctx: TranslatorContext,
  namespace: string,
  policyKind: string,
  s: {
    group?: string | undefined;
    kind: string;
    namespaces?: SelectorNamespaces | null | undefined;
  },
  ns: string,
  name: string,
): boolean {
  if (ns === namespace) return true;
  const from = s.namespaces?.from ?? 'Same';
  const inScope =
    from === 'All' ||
    (from === 'Selector' &&
      !!s.namespaces?.selector &&
      selectorMatches(s.namespaces.selector, ctx.namespaceLabels(ns)));
  return (
    inScope &&
    isReferenceAllowed(
      ctx,
      { group: ENVOY_GATEWAY_GROUP, kind: policyKind, namespace },
      { group: s.group ?? GATEWAY_GROUP, kind: s.kind, namespace: ns, name },
    )
  );
}

/** The targets a policy names, deduplicated, in declaration order. */
export function policyTargets(
  ctx: TranslatorContext,
  spec: TargetSpec,
  namespace: string,
  policyKind: string,
): PolicyTargetRef[] {
  const out: PolicyTargetRef[] = [];
  const refs =
    spec.targetRefs && spec.targetRefs.length > 0
      ? spec.targetRefs
      : spec.targetRef
        ? [spec.targetRef]
        : [];
  for (const r of refs)
    addTarget(out, {
      group: r.group ?? GATEWAY_GROUP,
      kind: r.kind,
      name: r.name,
      sectionName: r.sectionName,
    });
  for (const s of spec.targetSelectors ?? []) {
    for (const o of objectsOfKind(ctx, s.kind)) {
      const ns = o.metadata.namespace ?? 'default';
      if (!selectorMatches(s, (o.metadata.labels ?? {}) as Record<string, string>)) continue;
      if (!reaches(ctx, namespace, policyKind, s, ns, o.metadata.name)) continue;
      const target: PolicyTargetRef = {
        group: s.group ?? GATEWAY_GROUP,
        kind: s.kind,
        name: o.metadata.name,
      };
      if (ns !== namespace) target.namespace = ns;
      addTarget(out, target);
    }
  }
  return out;
}

export function findRoute(
  ctx: TranslatorContext,
  kind: string,
  namespace: string,
  name: string,
): AnyRouteContext | undefined {
  // Indexed once the routes are processed (policies resolve thousands of targets): by name, the
  // input's own strings (their hashes are kept), not by a key string built for every lookup; the
  // first route of the kind and namespace, as a scan would find it.
  let index = routeIndex.get(ctx);
  if (index === undefined || index.size !== ctx.routes.length) {
    const byName = new Map<string, AnyRouteContext[]>();
    for (const r of ctx.routes) {
      const named = byName.get(r.name);
      if (named === undefined) byName.set(r.name, [r]);
      else named.push(r);
    }
    index = { size: ctx.routes.length, byName };
    routeIndex.set(ctx, index);
  }
  const named = index.byName.get(name);
  if (named === undefined) return undefined;
  for (const r of named) if (r.kind === kind && r.namespace === namespace) return r;
  return undefined;
}

const routeIndex = new WeakMap<
  TranslatorContext,
  { size: number; byName: Map<string, AnyRouteContext[]> }
>();
