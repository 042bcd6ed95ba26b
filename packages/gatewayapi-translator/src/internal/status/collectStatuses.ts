// Assembles the statuses the translator computed, one entry per resource, in a fixed kind order
// and input order within a kind, so the same input always gives the same output.
import type { ResourceStatus } from '@egts/api';
import { appended } from '../appended.js';
import type { GatewayContext } from '../context/gatewayContext.js';
import type { ListenerContext } from '../context/listenerContext.js';
import type { ListenerSetContext } from '../context/listenerSetContext.js';
import type { TranslatorContext } from '../context/translatorContext.js';
import type { BackendStatus } from '../policies/processBackends.js';
import type { EnvoyPatchPolicyStatus } from '../policies/processEnvoyPatchPolicies.js';
import type { EnvoyProxyStatus } from '../policies/processEnvoyProxies.js';
import type { PolicyAncestor, PolicyStatus } from '../policies/processPolicies.js';
import type { GatewayClassStatus } from '../processGatewayClasses.js';
import { mergeConditions, otherControllersEntries } from './previousStatus.js';

// Internal steps import the stage contract from here.
export type { ResourceStatus };

/** Gateway API caps route parents at 32 and policy ancestors at 16 entries. */
const MAX_PARENTS = 32;
const MAX_ANCESTORS = 16;

interface Meta {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string | undefined };
}

function entry(resource: Meta, status: Record<string, unknown>): ResourceStatus {
  const metadata: ResourceStatus['metadata'] = { name: resource.metadata.name };
  if (resource.metadata.namespace) metadata.namespace = resource.metadata.namespace;
  return { apiVersion: resource.apiVersion, kind: resource.kind, metadata, status };
}

function listenerStatus(l: ListenerContext) {
  return {
    name: l.name,
    supportedKinds: l.supportedKinds.map((k) => ({ group: k.group, kind: k.kind })),
    attachedRoutes: l.attachedRoutes,
    conditions: l.conditions.toArray(),
  };
}

function gatewayStatus(gw: GatewayContext): Record<string, unknown> {
  const status: Record<string, unknown> = {
    conditions: mergeConditions('Gateway', gw.resource.status, gw.conditions.toArray()),
  };
  const addresses = (gw.resource.spec.addresses ?? []).filter((a) => a.value);
  if (addresses.length > 0) {
    status.addresses = addresses.map((a) => ({ type: a.type ?? 'IPAddress', value: a.value }));
  }
  status.listeners = gw.listeners.map(listenerStatus);
  // GEP-1713: how many ListenerSets are attached (allowed, parented, Accepted). Only for a Gateway
  // that allows ListenerSets: the field exists only in CRDs that have them, and an API server
  // without it would drop it, making every status write look like a change.
  if (gw.resource.spec.allowedListeners) {
    status.attachedListenerSets = gw.listenerSets.filter(
      (set) => set.conditions.get('Accepted')?.status === 'True',
    ).length;
  }
  return status;
}

function listenerSetStatus(set: ListenerSetContext): Record<string, unknown> {
  const status: Record<string, unknown> = {
    conditions: mergeConditions(set.resource.kind, set.resource.status, set.conditions.toArray()),
  };
  if (set.listeners.length > 0) status.listeners = set.listeners.map(listenerStatus);
  return status;
}

/** Statuses computed by the steps after routes. */
export interface LaterStatuses {
  gatewayClasses: readonly GatewayClassStatus[];
  rejectedListenerSets: readonly ListenerSetContext[];
  policies: readonly PolicyStatus[];
  patchPolicies: readonly EnvoyPatchPolicyStatus[];
  backends: readonly BackendStatus[];
  envoyProxies: readonly EnvoyProxyStatus[];
}

const ancestorKey = (a: PolicyAncestor) =>
  `${a.ancestorRef.namespace ?? ''}/${a.ancestorRef.name}/${a.ancestorRef.kind}/${a.ancestorRef.sectionName ?? ''}`;

/** Ancestors with something to report (not just Accepted) first, so truncation keeps them. */
const plain = (a: PolicyAncestor) =>
  a.conditions.all().every((c) => c.type === 'Accepted' && c.status === 'True') ? 1 : 0;

const byReportThenKey = (a: PolicyAncestor, b: PolicyAncestor) =>
  plain(a) - plain(b) ||
  (ancestorKey(a) < ancestorKey(b) ? -1 : ancestorKey(a) > ancestorKey(b) ? 1 : 0);

/**
 * Ancestors sorted, capped at 16; the last kept entry says how many it stands for. Other
 * controllers' ancestors in the previous status are kept first (previousStatus.ts).
 */
function renderAncestors(
  ctx: TranslatorContext,
  ancestors: readonly PolicyAncestor[],
  previousStatus: unknown,
) {
  const others = otherControllersEntries(previousStatus, 'ancestors', ctx.options.controllerName);
  const room = Math.max(0, MAX_ANCESTORS - others.length);
  // Most policies have one ancestor and no other controller's: nothing to sort, cut or join
  // (once per policy, thousands of them); only `ours` is a new list.
  const sorted = ancestors.length < 2 ? ancestors : [...ancestors].sort(byReportThenKey);
  const kept = sorted.length > room ? sorted.slice(0, room) : sorted;
  const last = kept[kept.length - 1];
  if (sorted.length > room && last) {
    last.conditions.set(
      'Aggregated',
      'True',
      'Aggregated',
      `${sorted.length - room + 1} ancestors are aggregated into this entry.`,
    );
  }
  // others is a new list (otherControllersEntries): ours go after them, in a loop.
  let entries = others;
  for (let i = 0; i < kept.length; i++) {
    const a = kept[i]!;
    entries = appended(entries, {
      ancestorRef: a.ancestorRef,
      controllerName: ctx.options.controllerName,
      conditions: a.conditions.toArray(),
    });
  }
  return entries;
}

/** Envoy Gateway policies' and EnvoyPatchPolicies' statuses, in that order. */
export function policyStatuses(
  ctx: TranslatorContext,
  policies: LaterStatuses['policies'],
  patchPolicies: LaterStatuses['patchPolicies'],
): ResourceStatus[] {
  // Thousands of policies: one list, filled in loops (no concatenated copy, no closure).
  const out: ResourceStatus[] = [];
  for (let i = 0; i < policies.length; i++) out.push(policyEntry(ctx, policies[i]!));
  for (let i = 0; i < patchPolicies.length; i++) out.push(policyEntry(ctx, patchPolicies[i]!));
  return out;
}

const policyEntry = (
  ctx: TranslatorContext,
  p: LaterStatuses['policies'][number] | LaterStatuses['patchPolicies'][number],
): ResourceStatus =>
  entry(p.resource, {
    ancestors: renderAncestors(ctx, p.ancestors, (p.resource as { status?: unknown }).status),
  });

export function collectStatuses(ctx: TranslatorContext, later: LaterStatuses): ResourceStatus[] {
  const out: ResourceStatus[] = [];
  for (const gc of later.gatewayClasses) {
    const conditions = mergeConditions('GatewayClass', gc.resource.status, gc.conditions.toArray());
    out.push(entry(gc.resource, { conditions }));
  }
  for (const gw of ctx.gateways) out.push(entry(gw.resource, gatewayStatus(gw)));
  const sets = new Map<unknown, ListenerSetContext>();
  for (const gw of ctx.gateways) for (const s of gw.listenerSets) sets.set(s.resource, s);
  for (const s of later.rejectedListenerSets) sets.set(s.resource, s);
  for (const resource of ctx.resources.listenerSets) {
    const set = sets.get(resource);
    if (set) out.push(entry(resource, listenerSetStatus(set)));
  }
  // One entry per route, thousands: the parents list is built once, in a loop.
  const name = ctx.options.controllerName;
  const routes = ctx.routes;
  for (let r = 0; r < routes.length; r++) {
    const route = routes[r]!;
    // A new list (kept in the output: of the exact size while short, see appended).
    let parents = otherControllersEntries(route.resource.status, 'parents', name);
    for (let p = 0; p < route.parents.length && parents.length < MAX_PARENTS; p++) {
      const parent = route.parents[p]!;
      parents = appended(parents, {
        parentRef: parent.ref,
        controllerName: name,
        conditions: parent.conditions.toArray(),
      });
    }
    if (parents.length > MAX_PARENTS) parents = parents.slice(0, MAX_PARENTS);
    out.push(entry(route.resource, { parents }));
  }
  for (const policy of ctx.backendTLSPolicies) {
    if (policy.ancestors.size === 0) continue;
    const generation = policy.resource.metadata.generation ?? undefined;
    const ancestors = [...policy.ancestors.values()].map((a) => ({
      ancestorRef: a.ref as PolicyAncestor['ancestorRef'],
      conditions: policy.conditionsFor(a.conflicted, generation),
    }));
    const rendered = renderAncestors(ctx, ancestors, policy.resource.status);
    out.push(entry(policy.resource, { ancestors: rendered }));
  }
  const policies = policyStatuses(ctx, later.policies, later.patchPolicies);
  for (let i = 0; i < policies.length; i++) out.push(policies[i]!);
  for (const b of later.backends)
    out.push(entry(b.resource, { conditions: b.conditions.toArray() }));
  for (const e of later.envoyProxies)
    out.push(
      entry(e.resource, { ancestors: renderAncestors(ctx, e.ancestors, e.resource.status) }),
    );
  return out;
}
