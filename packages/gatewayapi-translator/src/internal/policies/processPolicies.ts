// Step 6: status of Envoy Gateway's policies (ClientTrafficPolicy, BackendTrafficPolicy,
// SecurityPolicy, EnvoyExtensionPolicy): the Gateways each policy reaches (its ancestors, GEP-713)
// and, per ancestor, Accepted; TargetNotFound for a sectionName that names nothing; Conflicted
// when an older policy of the same kind already targets the same object; Overridden when a more
// specific policy of the same kind applies inside its scope; a DeprecatedField warning for the
// singular targetRef. Settings Envoy Gateway rejects while translating a policy (validation/)
// turn Accepted into False with reason Invalid on the ancestors where they fail; a setting egts
// does not apply (registry/) turns it into False with reason NotApplied, naming the fields.
import { ROUTE_KINDS } from '@egts/api';
import { appended } from '../appended.js';
import type { TranslatorContext } from '../context/translatorContext.js';
import { sortByAge } from '../ordering.js';
import { Conditions } from '../status/conditions.js';
import { GATEWAY_GROUP } from '../types.js';
import { envoyExtensionPolicyIR } from './envoyExtensionPolicyIR.js';
import { type PolicyScope, policyScope, scopeContains, scopeListeners } from './policyScope.js';
import { findRoute, type PolicyTargetRef, policyTargets } from './policyTargets.js';
import {
  isRegisteredKind,
  NOT_APPLIED_REASON,
  notAppliedFields,
  notAppliedMessage,
} from './registry/fieldRegistry.js';
import { preferLocalWithoutZone } from './registry/kinds/backendTrafficPolicy.js';
import { securityPolicyIR } from './securityPolicyIR.js';
import type { PolicyRef } from './validation/policyBackendRefs.js';
import type { Obj, PolicyWarning } from './validation/policyValues.js';
import { validateBackendTrafficPolicy } from './validation/validateBackendTrafficPolicy.js';
import {
  clientTrafficPolicyWarnings,
  validateClientTrafficPolicy,
} from './validation/validateClientTrafficPolicy.js';
import { validateEnvoyExtensionPolicy } from './validation/validateEnvoyExtensionPolicy.js';
import { validateSecurityPolicy } from './validation/validateSecurityPolicy.js';

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
    };
  };
  ancestors: PolicyAncestor[];
}

interface Resolved {
  ref: AncestorRef;
  /**
   * The object the policy claims (with the target's sectionName), for conflicts: the route,
   * Gateway or ListenerSet its kind, namespace and name resolve to.
   */
  claimOn: object;
  scope: PolicyScope;
  /** The sectionName names no listener or rule. */
  notFound: boolean;
}

function resolve(ctx: TranslatorContext, target: PolicyTargetRef, namespace: string): Resolved[] {
  if (target.group !== GATEWAY_GROUP) return [];
  if (ROUTE_KINDS.has(target.kind)) {
    const route = findRoute(ctx, target.kind, namespace, target.name);
    if (!route) return [];
    const rules = (route.resource.spec.rules ?? []) as readonly { name?: string | undefined }[];
    const notFound =
      target.sectionName !== undefined && !rules.some((r) => r.name === target.sectionName);
    // A loop, not map() with a closure: asked for every target of every route policy.
    let out: Resolved[] = [];
    for (let i = 0; i < route.parents.length; i++) {
      const p = route.parents[i]!;
      const ref: AncestorRef = {
        group: GATEWAY_GROUP,
        kind: p.ref.kind ?? 'Gateway',
        namespace: p.ref.namespace ?? route.namespace,
        name: p.ref.name,
      };
      if (p.ref.sectionName) ref.sectionName = p.ref.sectionName;
      const scope = target.sectionName
        ? policyScope('rule', p.gateway, { route, rule: target.sectionName })
        : policyScope('route', p.gateway, { route });
      out = appended(out, { ref, claimOn: route, scope, notFound });
    }
    return out;
  }
  const ref: AncestorRef = {
    group: GATEWAY_GROUP,
    kind: target.kind,
    namespace,
    name: target.name,
  };
  if (target.sectionName) ref.sectionName = target.sectionName;
  if (target.kind === 'Gateway') {
    const gateway = ctx.gatewaysByKey.get(`${namespace}/${target.name}`);
    if (!gateway) return [];
    if (!target.sectionName)
      return [{ ref, claimOn: gateway, scope: policyScope('gateway', gateway), notFound: false }];
    const listener = gateway.listeners.find((l) => l.name === target.sectionName);
    const scope = policyScope('listener', gateway, { listener });
    return [{ ref, claimOn: gateway, scope, notFound: !listener }];
  }
  if (target.kind === 'ListenerSet') {
    const listenerSet = ctx.listenerSetsByKey.get(`${namespace}/${target.name}`);
    if (!listenerSet) return [];
    const gateway = listenerSet.gateway;
    if (!target.sectionName) {
      return [
        {
          ref,
          claimOn: listenerSet,
          scope: policyScope('listenerSet', gateway, { listenerSet }),
          notFound: false,
        },
      ];
    }
    const listener = listenerSet.listeners.find((l) => l.name === target.sectionName);
    const scope = policyScope('listener', gateway, { listenerSet, listener });
    return [{ ref, claimOn: listenerSet, scope, notFound: !listener }];
  }
  return [];
}

export type AnyPolicy = PolicyStatus['resource'] & { spec: Parameters<typeof policyTargets>[1] };

const mergesOf = (policy: AnyPolicy) =>
  (policy.spec as { mergeType?: string }).mergeType !== undefined;

/** Levels a mergeType policy does not merge into. */
const MERGE_INTO_EXCLUDED = new Set<PolicyScope['level']>(['route', 'rule']);

const LEVELS = ['rule', 'route', 'listener', 'listenerSet', 'gateway'] as const;

/**
 * A route or rule policy's mergeType merges it into a Gateway, ListenerSet or listener policy;
 * inside another route-level policy it simply overrides it (Envoy Gateway).
 */
const mergeable = (outer: PolicyScope) => !MERGE_INTO_EXCLUDED.has(outer.level);

/** Why a policy's settings are invalid where it applies (`scope`), or undefined. */
type PolicyValidator = (
  spec: Obj,
  scope: PolicyScope,
  ctx: TranslatorContext,
  policy: PolicyRef,
  /** Every scope the policy applies to (for rules across its targets). */
  scopes: readonly PolicyScope[],
) => string | undefined;

/** Where one policy applies, and whether it is accepted there. */
export interface AppliedPolicy {
  policy: AnyPolicy;
  scope: PolicyScope;
  ancestor: PolicyAncestor;
}

/** What a policy of each kind does instead when it sets fields egts does not apply. */
const NOT_APPLIED_EFFECT: Record<string, string> = {
  SecurityPolicy: 'the policy is not in effect and the routes it targets answer 500.',
};

/**
 * The same ancestor: what comparing the refs' JSON said, field by field (every ref is built with
 * its fields in the same order). Asked for each ancestor of each of thousands of policies.
 */
const sameRef = (a: AncestorRef, b: AncestorRef): boolean =>
  a.name === b.name &&
  a.namespace === b.namespace &&
  a.kind === b.kind &&
  a.sectionName === b.sectionName &&
  a.group === b.group;

/** The entry of `ancestors` for `ref`: a loop, not find() with a closure per ancestor. */
function ancestorAt(
  ancestors: readonly PolicyAncestor[],
  ref: AncestorRef,
): PolicyAncestor | undefined {
  for (let i = 0; i < ancestors.length; i++)
    if (sameRef(ancestors[i]!.ancestorRef, ref)) return ancestors[i];
  return undefined;
}

const DEPRECATED_TARGET_REF: PolicyWarning = {
  reason: 'DeprecatedField',
  message: 'spec.targetRef is deprecated, use spec.targetRefs.',
};

/**
 * The policy's warnings as one Warning condition. Warnings of one reason keep it; different
 * reasons are reported together as Warnings (Envoy Gateway).
 */
function setWarnings(
  conditions: Conditions,
  policy: AnyPolicy,
  warn: ((spec: Obj) => PolicyWarning[]) | undefined,
): void {
  const own = warn?.(policy.spec as Obj) ?? [];
  const warnings =
    !policy.spec.targetRefs?.length && policy.spec.targetRef
      ? [DEPRECATED_TARGET_REF, ...own]
      : own;
  if (warnings.length === 0) return;
  const reasons = new Set(warnings.map((w) => w.reason));
  conditions.set(
    'Warning',
    'True',
    reasons.size === 1 ? (warnings[0] as PolicyWarning).reason : 'Warnings',
    warnings.map((w) => w.message).join(' '),
  );
}

/** Where a policy applies and is in effect, and whether it merges (mergeType) into broader ones. */
interface Applied extends AppliedPolicy {
  merges: boolean;
}

/**
 * Overridden and Merged on the applied policies of one kind. A function of its own, not a step
 * of processKind: V8 compiled these loops inside processKind on their own (on-stack
 * replacement) and threw that code away again and again as the kinds alternated (55
 * deoptimizations of processKind over 36 translations of the bench's large shape; 5 now).
 */
function markOverridesAndMerges(
  applied: readonly Applied[],
  statuses: ReadonlyMap<AnyPolicy, PolicyStatus>,
): void {
  // A more specific policy either replaces a broader one where both apply (Overridden), or, with
  // a mergeType, is merged into it (Merged on both).
  // Scopes only contain scopes of the same Gateway and of a more specific level: compare within
  // each Gateway's, level by level (most policies target routes, which contain only rules).
  const byGateway = new Map<PolicyScope['gateway'], Applied[][]>();
  for (const a of applied) {
    const levels = byGateway.get(a.scope.gateway) ?? LEVELS.map(() => []);
    levels[LEVELS.indexOf(a.scope.level)]!.push(a);
    byGateway.set(a.scope.gateway, levels);
  }
  for (const a of applied) {
    const levels = byGateway.get(a.scope.gateway) ?? [];
    // LEVELS runs from the most specific: lower indexes hold what `a` may contain.
    const rank = LEVELS.indexOf(a.scope.level);
    // What lies inside: whether some of it merges and some does not. Flags, not a list: asked
    // for every applied policy, mostly with nothing inside.
    let innerMerges = false;
    let innerReplaces = false;
    for (let i = 0; i < rank; i++)
      for (const b of levels[i] ?? [])
        if (scopeContains(a.scope, b.scope)) {
          if (b.merges) innerMerges = true;
          else innerReplaces = true;
        }
    // An invalid policy is merged with nothing: a more specific policy with a mergeType then
    // replaces it where both apply (Envoy Gateway reports it Overridden).
    const aInvalid = isInvalid(a.ancestor);
    if (mergeable(a.scope) && !aInvalid && innerMerges) {
      a.ancestor.conditions.set(
        'Merged',
        'True',
        'Merged',
        'A more specific policy is merged with this one.',
      );
    }
    if (innerReplaces || (innerMerges && (!mergeable(a.scope) || aInvalid))) {
      a.ancestor.conditions.set(
        'Overridden',
        'True',
        'Overridden',
        'A more specific policy overrides this one for part of its target.',
      );
    }
    // Only a policy with a mergeType (few) looks at what is broader.
    if (!a.merges) continue;
    const broader = levels
      .slice(rank + 1)
      .flat()
      .filter((b) => mergeable(b.scope) && scopeContains(b.scope, a.scope));
    // Merging into an invalid broader policy fails: Envoy Gateway reports it on an ancestor entry
    // per listener the policy's route attaches to (the Gateway with that sectionName).
    const invalidBroader = broader.find((b) => isInvalid(b.ancestor));
    if (invalidBroader && a.scope.route) {
      const status = statuses.get(a.policy);
      const meta = invalidBroader.policy.metadata;
      for (const listener of scopeListeners(a.scope)) {
        if (listener.listenerSet || !status) continue;
        const ancestorRef: AncestorRef = {
          group: GATEWAY_GROUP,
          kind: 'Gateway',
          namespace: a.scope.gateway.namespace,
          name: a.scope.gateway.name,
          sectionName: listener.name,
        };
        if (status.ancestors.some((x) => sameRef(x.ancestorRef, ancestorRef))) continue;
        const conditions = new Conditions(a.policy.metadata.generation ?? undefined);
        conditions.set(
          'Accepted',
          'False',
          'Invalid',
          `Cannot merge with ${invalidBroader.policy.kind} ${meta.namespace ?? ''}/${meta.name}: it is invalid.`,
        );
        status.ancestors.push({ ancestorRef, conditions });
      }
    }
    const valid = broader.filter((b) => !isInvalid(b.ancestor));
    const ref = a.ancestor.ancestorRef;
    if (valid.length > 0 && a.scope.route && ref.sectionName === undefined) {
      // Through a whole Gateway or ListenerSet (a parentRef without sectionName), Envoy Gateway
      // merges per listener and says so on an entry per listener (the parent with that
      // sectionName) where a broader policy applies.
      const status = statuses.get(a.policy);
      for (const listener of scopeListeners(a.scope)) {
        const owner = listener.listenerSet ?? listener.gateway;
        const ownerKind = listener.listenerSet ? 'ListenerSet' : 'Gateway';
        if (!status || ownerKind !== ref.kind) continue;
        if (owner.namespace !== ref.namespace || owner.name !== ref.name) continue;
        const covered = valid.some((b) => scopeListeners(b.scope).some((l) => l === listener));
        if (!covered) continue;
        const ancestorRef: AncestorRef = { ...ref, sectionName: listener.name };
        let entry = status.ancestors.find((x) => sameRef(x.ancestorRef, ancestorRef));
        if (!entry) {
          entry = {
            ancestorRef,
            conditions: new Conditions(a.policy.metadata.generation ?? undefined),
          };
          status.ancestors.push(entry);
        }
        entry.conditions.set(
          'Merged',
          'True',
          'Merged',
          'This policy is merged with a broader one.',
        );
      }
    } else if (valid.length > 0) {
      a.ancestor.conditions.set(
        'Merged',
        'True',
        'Merged',
        'This policy is merged with a broader one.',
      );
    }
  }
}

function processKind(
  ctx: TranslatorContext,
  policies: readonly AnyPolicy[],
  validate?: PolicyValidator,
  warn?: (spec: Obj) => PolicyWarning[],
  out: AppliedPolicy[] = [],
): PolicyStatus[] {
  const sorted = sortByAge(policies);
  // The sections ('' for none) claimed on each target object: no key string per target.
  const claimed = new Map<object, string[]>();
  const statuses = new Map<AnyPolicy, PolicyStatus>();
  // Indexed loops throughout: the four kinds' policies differ in shape, so V8 keeps throwing
  // this function's optimized code away, and every for-of step then allocates.
  for (let i = 0; i < policies.length; i++)
    statuses.set(policies[i]!, { resource: policies[i]!, ancestors: [] });
  const applied: Applied[] = [];
  // Targets resolved once per policy and grouped by level, oldest policy first within a level
  // (the order the claims are made in); a target's scopes at one level stay together.
  const byLevel: { policy: AnyPolicy; target: PolicyTargetRef; resolved: Resolved[] }[][] =
    LEVELS.map(() => []);
  // Every scope each policy applies to, for its validator.
  const scopesOf = new Map<AnyPolicy, PolicyScope[]>();
  // The fields a policy sets that egts does not apply: asked only where the policy is neither
  // Conflicted nor aimed at a missing section (most ClientTrafficPolicies of a Gateway are
  // Conflicted), once per policy.
  const notAppliedOf = new Map<AnyPolicy, string[]>();
  const notAppliedIn = (policy: AnyPolicy): string[] => {
    let fields = notAppliedOf.get(policy);
    if (fields === undefined) {
      fields = isRegisteredKind(policy.kind) ? notAppliedFields(policy.kind, policy.spec) : [];
      if (policy.kind === 'BackendTrafficPolicy' && ctx.options.proxiesWithoutZone)
        fields.push(...preferLocalWithoutZone(policy.spec));
      notAppliedOf.set(policy, fields);
    }
    return fields;
  };
  for (let i = 0; i < sorted.length; i++) {
    const policy = sorted[i]!;
    const namespace = policy.metadata.namespace ?? 'default';
    const scopes: PolicyScope[] = [];
    const targets = policyTargets(ctx, policy.spec, namespace, policy.kind);
    for (let t = 0; t < targets.length; t++) {
      const target = targets[t]!;
      const resolvedTargets = resolve(ctx, target, target.namespace ?? namespace);
      for (let j = 0; j < resolvedTargets.length; j++) {
        const r = resolvedTargets[j]!;
        if (!r.notFound) scopes.push(r.scope);
        const bucket = byLevel[LEVELS.indexOf(r.scope.level)] as (typeof byLevel)[number];
        const last = bucket[bucket.length - 1];
        if (last?.policy === policy && last.target === target) last.resolved.push(r);
        else bucket.push({ policy, target, resolved: [r] });
      }
    }
    scopesOf.set(policy, scopes);
  }
  // Most specific first, as Envoy Gateway applies them.
  for (let level = 0; level < byLevel.length; level++) {
    const claims = byLevel[level]!;
    for (let c = 0; c < claims.length; c++) {
      const { policy, target, resolved } = claims[c]!;
      const status = statuses.get(policy) as PolicyStatus;
      // A target's resolved scopes all make the same claim: the first tells whether an older
      // policy holds it already.
      const on = (resolved[0] as Resolved).claimOn;
      const section = target.sectionName ?? '';
      const sections = claimed.get(on);
      const conflicted = sections?.includes(section) ?? false;
      if (sections === undefined) claimed.set(on, [section]);
      else if (!conflicted) sections.push(section);
      for (let j = 0; j < resolved.length; j++) {
        const r = resolved[j]!;
        const existing = ancestorAt(status.ancestors, r.ref);
        if (existing) {
          // The same policy already reached this ancestor more specifically (a route of the
          // Gateway it also targets): one entry, which its broader part may mark Overridden.
          if (!conflicted && !r.notFound)
            applied.push({
              policy,
              scope: r.scope,
              ancestor: existing,
              merges: mergesOf(policy),
            });
          continue;
        }
        const conditions = new Conditions(policy.metadata.generation ?? undefined);
        if (r.notFound) {
          conditions.set(
            'Accepted',
            'False',
            'TargetNotFound',
            `No section ${target.sectionName} in ${target.kind} ${target.name}.`,
          );
        } else if (conflicted) {
          conditions.set(
            'Accepted',
            'False',
            'Conflicted',
            `Another ${policy.kind} already targets ${target.kind} ${target.name}.`,
          );
        } else {
          const invalid = validate?.(
            policy.spec as Obj,
            r.scope,
            ctx,
            {
              kind: policy.kind,
              namespace: policy.metadata.namespace ?? 'default',
              name: policy.metadata.name,
            },
            scopesOf.get(policy) ?? [],
          );
          const notApplied = invalid ? [] : notAppliedIn(policy);
          // Invalid first: Envoy Gateway rejects those settings too, and says so.
          if (invalid) conditions.set('Accepted', 'False', 'Invalid', invalid);
          else if (notApplied.length > 0)
            conditions.set(
              'Accepted',
              'False',
              NOT_APPLIED_REASON,
              notAppliedMessage(
                notApplied,
                NOT_APPLIED_EFFECT[policy.kind] ?? 'the policy is not in effect.',
              ),
            );
          else conditions.set('Accepted', 'True', 'Accepted', 'Policy has been accepted.');
          setWarnings(conditions, policy, warn);
        }
        const ancestor = { ancestorRef: r.ref, conditions };
        status.ancestors = appended(status.ancestors, ancestor);
        const merges = mergesOf(policy);
        if (!conflicted && !r.notFound) applied.push({ policy, scope: r.scope, ancestor, merges });
      }
    }
  }
  markOverridesAndMerges(applied, statuses);
  // The applied entries themselves (their `merges` flag rides along), not a copy of each.
  for (let i = 0; i < applied.length; i++) out.push(applied[i]!);
  return policies.map((p) => statuses.get(p) as PolicyStatus);
}

/** Refused by Envoy Gateway's validation (not merely a setting egts does not apply). */
const isInvalid = (ancestor: PolicyAncestor) =>
  ancestor.conditions.get('Accepted')?.reason === 'Invalid';

/** Envoy Gateway's checks, then whether egts can build what the policy enforces (securityPolicyIR). */
const validateSecurityPolicyIR: PolicyValidator = (spec, scope, ctx, policy) => {
  const invalid = validateSecurityPolicy(spec, scope, ctx, policy);
  if (invalid) return invalid;
  const key = `${policy.namespace}/${policy.name}`;
  let built = ctx.securityPolicyIR.get(key);
  if (!built) {
    built = securityPolicyIR(ctx, policy, spec);
    ctx.securityPolicyIR.set(key, built);
  }
  return built.problem;
};

/** Envoy Gateway's checks, then whether egts can build what the policy runs on that Gateway. */
const validateEnvoyExtensionPolicyIR: PolicyValidator = (spec, scope, ctx, policy) => {
  const invalid = validateEnvoyExtensionPolicy(spec, scope, ctx, policy);
  if (invalid) return invalid;
  const built = envoyExtensionPolicyIR(ctx, policy, spec, scope);
  if (built.extensions)
    ctx.envoyExtensionPolicyIR.set(
      `${policy.namespace}/${policy.name}|${scope.gateway.key}`,
      built.extensions,
    );
  return built.problem;
};

export function processPolicies(ctx: TranslatorContext): PolicyStatus[] {
  const r = ctx.resources;
  return [
    ...processKind(
      ctx,
      r.clientTrafficPolicies as unknown as AnyPolicy[],
      validateClientTrafficPolicy,
      clientTrafficPolicyWarnings,
      ctx.clientTrafficPolicies,
    ),
    ...processKind(
      ctx,
      r.backendTrafficPolicies as unknown as AnyPolicy[],
      validateBackendTrafficPolicy,
      undefined,
      ctx.backendTrafficPolicies,
    ),
    ...processKind(
      ctx,
      r.securityPolicies as unknown as AnyPolicy[],
      validateSecurityPolicyIR,
      undefined,
      ctx.securityPolicies,
    ),
    ...processKind(
      ctx,
      r.envoyExtensionPolicies as unknown as AnyPolicy[],
      validateEnvoyExtensionPolicyIR,
      undefined,
      ctx.envoyExtensionPolicies,
    ),
  ];
}
