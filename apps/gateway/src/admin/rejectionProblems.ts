// What Envoy rejects, as problems on the resources that produced it, shown in /problems and as a
// condition on their status (the admin API's, and the one written back to Kubernetes or the
// config server) while the rejected content is still in the snapshot. Attribution, most precise
// first: a quarantined route, or a rejected resource built for a route, names that route object;
// anything else (a listener, a Secret) names the Gateway whose proxies rejected it, or the
// GatewayClass when its EnvoyProxy merges Gateways. Who made what is asked of the stages that
// made it (`SourceOf`), never read from a name.
import type { Condition, Problem, ResourceStatus } from '@egts/api';
import { type Rejection, type SnapshotCache, snapshotVersionOf } from '@egts/xds-server';

const typeName = (typeUrl: string): string => typeUrl.slice(typeUrl.lastIndexOf('.') + 1);

/**
 * The resource behind Envoy resource `resourceName` (or, without one, behind the whole snapshot)
 * of snapshot group `group`; the pipeline's `sourceOf`.
 */
export type SourceOf = (
  group: string,
  resourceName?: string,
) => { kind: string; namespace?: string | undefined; name: string } | undefined;

/** Problems for `rejection` as long as the group's snapshot still has the rejected content. */
export function rejectionProblems(
  rejection: Rejection,
  cache: SnapshotCache,
  sourceOf: SourceOf,
): Problem[] {
  const group = rejection.stream.group;
  const source = (resourceName?: string) =>
    group === undefined ? undefined : sourceOf(group, resourceName);
  const current = group === undefined ? undefined : cache.getSnapshot(group)?.snapshot;
  const proxy = rejection.stream.node?.id ?? `stream ${rejection.stream.streamId}`;
  const problems: Problem[] = [];
  for (const { name, version } of rejection.resources) {
    const rejected = snapshotVersionOf(version);
    if (current?.resources(rejection.typeUrl).get(name)?.version !== rejected) continue;
    const quarantined = rejection.quarantined.find((q) => q.name === name);
    const what = `${typeName(rejection.typeUrl)} ${name}`;
    if (quarantined === undefined) {
      problems.push({
        severity: 'error',
        file: '<xds>',
        ...source(name),
        path: [],
        message: `Envoy ${proxy} rejected ${what}, which keeps its earlier version: ${rejection.message}`,
      });
      continue;
    }
    for (const route of quarantined.routes) {
      problems.push({
        severity: 'error',
        file: '<xds>',
        ...source(route),
        path: [],
        message: `Envoy ${proxy} rejected route ${route} in ${what}; it is left out and the rest is served: ${rejection.message}`,
      });
    }
  }
  return problems;
}

/** The condition a resource gets while Envoy rejects what it produced (a domain-prefixed type). */
export const DATA_PLANE_REJECTED = 'egts.io/DataPlaneRejected';

// Gateway API bounds a condition message to 32768 characters; Envoy's can list many resources.
const MAX_MESSAGE = 4096;

const appendCondition = (conditions: unknown, condition: Condition): unknown[] => [
  ...(Array.isArray(conditions) ? conditions : []),
  condition,
];

/**
 * `statuses` with a DataPlaneRejected condition (Envoy's message) on each resource `problems`
 * names: on every parent of a route (the translator accepted it, the proxy did not load it), and
 * beside the Gateway's or GatewayClass's own conditions.
 */
export function withRejectionConditions(
  statuses: readonly ResourceStatus[],
  problems: readonly Problem[],
): readonly ResourceStatus[] {
  const messages = new Map<string, string[]>();
  for (const p of problems) {
    if (!p.kind || !p.name) continue;
    const key = `${p.kind}/${p.namespace ?? ''}/${p.name}`;
    messages.set(key, [...(messages.get(key) ?? []), p.message]);
  }
  if (messages.size === 0) return statuses;
  return statuses.map((entry) => {
    const found = messages.get(
      `${entry.kind}/${entry.metadata.namespace ?? ''}/${entry.metadata.name}`,
    );
    if (found === undefined) return entry;
    const joined = [...new Set(found)].join('; ');
    const message =
      joined.length > MAX_MESSAGE ? `${joined.slice(0, MAX_MESSAGE - 14)} [truncated]` : joined;
    const condition: Condition = {
      type: DATA_PLANE_REJECTED,
      status: 'True',
      reason: 'Rejected',
      message,
    };
    const parents = entry.status.parents;
    if (Array.isArray(parents)) {
      return {
        ...entry,
        status: {
          ...entry.status,
          parents: parents.map((parent: { conditions?: unknown }) => ({
            ...parent,
            conditions: appendCondition(parent.conditions, condition),
          })),
        },
      };
    }
    if (entry.kind !== 'Gateway' && entry.kind !== 'GatewayClass') return entry;
    return {
      ...entry,
      status: { ...entry.status, conditions: appendCondition(entry.status.conditions, condition) },
    };
  });
}
