// Extension policies (EnvoyGateway `extensionManager.policyResources`) -> the IR. A policy targets
// objects of its own namespace (targetRef or targetRefs, optionally one sectionName), as Envoy
// Gateway supports: a Gateway (or one listener), which makes it one of the fleet's
// `extensionServerPolicies` with the listeners it targets; an HTTPRoute or GRPCRoute (or one
// named rule), which puts it on the route's IR routes (`extensionPolicies`).
import type { ExtensionObject, ExtensionServerPolicy, XdsIR } from '@egts/ir';
import type { TranslatorContext } from '../context/translatorContext.js';
import { groupKindOf } from './extensionObjects.js';

interface TargetRef {
  group?: string;
  kind?: string;
  name?: string;
  sectionName?: string;
}

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

const targetsOf = (spec: unknown): TargetRef[] => {
  const s = (spec ?? {}) as { targetRef?: TargetRef; targetRefs?: TargetRef[] };
  return [...(s.targetRef ? [s.targetRef] : []), ...(s.targetRefs ?? [])];
};

const ROUTE_KINDS = new Set(['HTTPRoute', 'GRPCRoute']);

/** `ir` with the extension policies targeting its Gateways and routes, in the order they were read. */
export function withExtensionPolicies(ctx: TranslatorContext, ir: XdsIR): XdsIR {
  const kinds = ctx.options.extensionKinds.policies;
  if (kinds.size === 0) return ir;
  const policies = extensionServerPolicies(ctx, ir);
  const routePolicies = (ctx.resources.extensionResources ?? []).filter(
    (o) =>
      kinds.has(groupKindOf(o)) && targetsOf(o.spec).some((ref) => ROUTE_KINDS.has(ref.kind ?? '')),
  );
  const http =
    routePolicies.length === 0
      ? ir.http
      : ir.http.map((listener) => {
          let changed = false;
          const routes = listener.routes.map((route) => {
            const { kind, namespace, name, rule } = route.source;
            const targeting = routePolicies.filter(
              (o) =>
                (o.metadata.namespace ?? 'default') === namespace &&
                targetsOf(o.spec).some(
                  (ref) =>
                    (ref.group ?? GATEWAY_GROUP) === GATEWAY_GROUP &&
                    ref.kind === kind &&
                    ref.name === name &&
                    (ref.sectionName === undefined || ref.sectionName === rule),
                ),
            );
            if (targeting.length === 0) return route;
            changed = true;
            return { ...route, extensionPolicies: targeting as ExtensionObject[] };
          });
          return changed ? { ...listener, routes } : listener;
        });
  return {
    ...ir,
    http,
    ...(policies ? { extensionServerPolicies: policies } : {}),
  };
}

/** The extension policies of fleet `ir` targeting its Gateways; undefined: none. */
function extensionServerPolicies(
  ctx: TranslatorContext,
  ir: XdsIR,
): ExtensionServerPolicy[] | undefined {
  const kinds = ctx.options.extensionKinds.policies;
  if (kinds.size === 0) return undefined;
  const listeners = [...ir.http, ...ir.tcp, ...ir.udp].map((l) => l.name);
  const out: ExtensionServerPolicy[] = [];
  for (const object of ctx.resources.extensionResources ?? []) {
    if (!kinds.has(groupKindOf(object))) continue;
    const namespace = object.metadata.namespace ?? 'default';
    const targeted = new Set<string>();
    for (const ref of targetsOf(object.spec)) {
      if ((ref.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || ref.kind !== 'Gateway' || !ref.name)
        continue;
      // IR listener names are `<namespace>/<gateway>/<listener>`.
      const prefix = `${namespace}/${ref.name}/`;
      for (const name of listeners) {
        if (!name.startsWith(prefix)) continue;
        if (ref.sectionName === undefined || name === `${prefix}${ref.sectionName}`)
          targeted.add(name);
      }
    }
    if (targeted.size > 0) out.push({ object, listeners: [...targeted].sort() });
  }
  return out.length > 0 ? out : undefined;
}
