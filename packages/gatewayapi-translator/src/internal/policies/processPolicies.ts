// Step 6: status of Envoy Gateway's policies (ClientTrafficPolicy, BackendTrafficPolicy,
// SecurityPolicy, EnvoyExtensionPolicy): which Gateways each policy reaches (its ancestors, per
// GEP-713), and per ancestor Accepted, Conflicted (an older policy of the same kind already
// targets the same object), Overridden (a more specific policy of the same kind applies below),
// and a DeprecatedField warning for the singular targetRef. Policy-specific settings are not
// validated here.
import type { GatewayContext } from '../context/gatewayContext.js';
import type { TranslatorContext } from '../context/translatorContext.js';
import { compareByAgeThenName } from '../ordering.js';
import { Conditions } from '../status/conditions.js';
import { GATEWAY_GROUP } from '../types.js';
import { findRoute, type PolicyTargetRef, policyTargets } from './policyTargets.js';

const ROUTE_KINDS = new Set(['HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute']);

export interface AncestorRef {
  group: string;
  kind: string;
  namespace: string;
  name: string;
  sectionName?: string;
}

export interface PolicyAncestor {
  ancestorRef: AncestorRef;
  conditions: Conditions;
}

export interface PolicyStatus {
  resource: {
    apiVersion: string;
    kind: string;
    metadata: {
      name: string;
      namespace?: string | undefined;
      generation?: number | null | undefined;
      creationTimestamp?: string | null | undefined;
    };
    spec: unknown;
  };
  ancestors: PolicyAncestor[];
}

interface Resolved {
  ref: AncestorRef;
  /** What the policy claims, for conflicts: `kind/ns/name/section`. */
  claim: string;
  level: 'route' | 'listener' | 'gateway';
  gateway: GatewayContext;
}

function resolve(ctx: TranslatorContext, target: PolicyTargetRef, namespace: string): Resolved[] {
  if (target.group !== GATEWAY_GROUP) return [];
  const claim = `${target.kind}/${namespace}/${target.name}/${target.sectionName ?? ''}`;
  if (ROUTE_KINDS.has(target.kind)) {
    const route = findRoute(ctx, target.kind, namespace, target.name);
    return (route?.parents ?? []).map((p) => {
      const ref: AncestorRef = {
        group: GATEWAY_GROUP,
        kind: p.ref.kind ?? 'Gateway',
        namespace: p.ref.namespace ?? route?.namespace ?? namespace,
        name: p.ref.name,
      };
      if (p.ref.sectionName) ref.sectionName = p.ref.sectionName;
      return { ref, claim, level: 'route' as const, gateway: p.gateway };
    });
  }
  let gateway: GatewayContext | undefined;
  if (target.kind === 'Gateway') gateway = ctx.gatewaysByKey.get(`${namespace}/${target.name}`);
  else if (target.kind === 'ListenerSet')
    gateway = ctx.listenerSetsByKey.get(`${namespace}/${target.name}`)?.gateway;
  if (!gateway) return [];
  const ref: AncestorRef = {
    group: GATEWAY_GROUP,
    kind: target.kind,
    namespace,
    name: target.name,
  };
  if (target.sectionName) ref.sectionName = target.sectionName;
  const level = target.sectionName || target.kind === 'ListenerSet' ? 'listener' : 'gateway';
  return [{ ref, claim, level, gateway }];
}

type AnyPolicy = PolicyStatus['resource'] & { spec: Parameters<typeof policyTargets>[1] };

function processKind(ctx: TranslatorContext, policies: readonly AnyPolicy[]): PolicyStatus[] {
  const sorted = [...policies].sort(compareByAgeThenName);
  const claimed = new Set<string>();
  const statuses = new Map<AnyPolicy, PolicyStatus>();
  const applied: { level: Resolved['level']; gateway: GatewayContext; ancestor: PolicyAncestor }[] =
    [];
  // Most specific first, as Envoy Gateway applies them: route, then listener, then gateway.
  for (const level of ['route', 'listener', 'gateway'] as const) {
    for (const policy of sorted) {
      const namespace = policy.metadata.namespace ?? 'default';
      const status = statuses.get(policy) ?? { resource: policy, ancestors: [] };
      statuses.set(policy, status);
      const deprecated =
        !policy.spec.targetRefs?.length &&
        policy.spec.targetRef !== undefined &&
        policy.spec.targetRef !== null;
      for (const target of policyTargets(ctx, policy.spec, namespace)) {
        const resolved = resolve(ctx, target, namespace).filter((r) => r.level === level);
        const conflicted = resolved.length > 0 && claimed.has(resolved[0]?.claim ?? '');
        for (const r of resolved) {
          claimed.add(r.claim);
          const key = JSON.stringify(r.ref);
          if (status.ancestors.some((a) => JSON.stringify(a.ancestorRef) === key)) continue;
          const conditions = new Conditions(policy.metadata.generation ?? undefined);
          if (conflicted) {
            conditions.set(
              'Accepted',
              'False',
              'Conflicted',
              `Another ${policy.kind} already targets ${target.kind} ${target.name}.`,
            );
          } else {
            conditions.set('Accepted', 'True', 'Accepted', 'Policy has been accepted.');
            if (deprecated)
              conditions.set(
                'Warning',
                'True',
                'DeprecatedField',
                'spec.targetRef is deprecated, use spec.targetRefs.',
              );
          }
          const ancestor = { ancestorRef: r.ref, conditions };
          status.ancestors.push(ancestor);
          if (!conflicted) applied.push({ level, gateway: r.gateway, ancestor });
        }
      }
    }
  }
  // A Gateway-wide policy is overridden where a more specific one applies on the same Gateway.
  for (const a of applied) {
    if (a.level === 'route') continue;
    const below = applied.some(
      (b) =>
        b.gateway === a.gateway &&
        (b.level === 'route' || (a.level === 'gateway' && b.level === 'listener')),
    );
    if (below)
      a.ancestor.conditions.set(
        'Overridden',
        'True',
        'Overridden',
        'A more specific policy overrides this one for part of its target.',
      );
  }
  return policies.map((p) => statuses.get(p) ?? { resource: p, ancestors: [] });
}

export function processPolicies(ctx: TranslatorContext): PolicyStatus[] {
  const r = ctx.resources;
  return [
    ...processKind(ctx, r.clientTrafficPolicies as unknown as AnyPolicy[]),
    ...processKind(ctx, r.backendTrafficPolicies as unknown as AnyPolicy[]),
    ...processKind(ctx, r.securityPolicies as unknown as AnyPolicy[]),
    ...processKind(ctx, r.envoyExtensionPolicies as unknown as AnyPolicy[]),
  ];
}
