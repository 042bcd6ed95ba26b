// Resolving Envoy Gateway policy targets (GEP-713 policy attachment): `targetRefs`, the
// deprecated singular `targetRef`, and `targetSelectors` (labels of same-namespace objects).
// Targets are local: a policy only reaches objects in its own namespace.
import type { AnyRouteContext } from '../context/routeContext.js';
import type { TranslatorContext } from '../context/translatorContext.js';
import { selectorMatches } from '../labelSelector.js';
import { GATEWAY_GROUP, type LabelSelector } from '../types.js';

export interface PolicyTargetRef {
  group: string;
  kind: string;
  name: string;
  sectionName?: string | undefined;
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
    | readonly ({ group?: string | undefined; kind: string } & LabelSelector)[]
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

/** The targets a policy names, deduplicated, in declaration order. */
export function policyTargets(
  ctx: TranslatorContext,
  spec: TargetSpec,
  namespace: string,
): PolicyTargetRef[] {
  const out: PolicyTargetRef[] = [];
  const add = (t: PolicyTargetRef) => {
    if (!out.some((o) => o.kind === t.kind && o.name === t.name && o.sectionName === t.sectionName))
      out.push(t);
  };
  const refs =
    spec.targetRefs && spec.targetRefs.length > 0
      ? spec.targetRefs
      : spec.targetRef
        ? [spec.targetRef]
        : [];
  for (const r of refs)
    add({
      group: r.group ?? GATEWAY_GROUP,
      kind: r.kind,
      name: r.name,
      sectionName: r.sectionName,
    });
  for (const s of spec.targetSelectors ?? []) {
    for (const o of objectsOfKind(ctx, s.kind)) {
      if ((o.metadata.namespace ?? 'default') !== namespace) continue;
      if (selectorMatches(s, (o.metadata.labels ?? {}) as Record<string, string>)) {
        add({ group: s.group ?? GATEWAY_GROUP, kind: s.kind, name: o.metadata.name });
      }
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
  // Indexed once the routes are processed (policies resolve thousands of targets): the first
  // route of each kind/namespace/name, as a scan would find it.
  let index = routeIndex.get(ctx);
  if (index === undefined || index.size !== ctx.routes.length) {
    const byKey = new Map<string, AnyRouteContext>();
    for (const r of ctx.routes) {
      const key = `${r.kind}/${r.namespace}/${r.name}`;
      if (!byKey.has(key)) byKey.set(key, r);
    }
    index = { size: ctx.routes.length, byKey };
    routeIndex.set(ctx, index);
  }
  return index.byKey.get(`${kind}/${namespace}/${name}`);
}

const routeIndex = new WeakMap<
  TranslatorContext,
  { size: number; byKey: Map<string, AnyRouteContext> }
>();
