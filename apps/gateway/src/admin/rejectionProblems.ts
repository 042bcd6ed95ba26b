// What Envoy rejects, as problems on the resources that produced it: a quarantined route names
// its route object (Envoy route names start with the IR name `kind/namespace/name`), anything
// else names the xDS resource. Shown in /problems, and as a condition on the route's status,
// while the rejected content is still in the snapshot.
import type { Problem, ResourceStatus } from '@egts/api';
import type { Rejection, SnapshotCache } from '@egts/xds-server';

const ROUTE_KINDS: Record<string, string> = {
  httproute: 'HTTPRoute',
  grpcroute: 'GRPCRoute',
  tlsroute: 'TLSRoute',
  tcproute: 'TCPRoute',
  udproute: 'UDPRoute',
};

const typeName = (typeUrl: string): string => typeUrl.slice(typeUrl.lastIndexOf('.') + 1);

/** The route object an Envoy route name comes from, when it follows the IR naming. */
const routeSource = (routeName: string) => {
  const [kind, namespace, name] = routeName.split('/');
  const fullKind = kind === undefined ? undefined : ROUTE_KINDS[kind];
  return fullKind && namespace && name ? { kind: fullKind, namespace, name } : undefined;
};

/** Problems for `rejection` as long as the group's snapshot still has the rejected content. */
export function rejectionProblems(rejection: Rejection, cache: SnapshotCache): Problem[] {
  const group = rejection.stream.group;
  const current = group === undefined ? undefined : cache.getSnapshot(group)?.snapshot;
  const proxy = rejection.stream.node?.id ?? `stream ${rejection.stream.streamId}`;
  const problems: Problem[] = [];
  for (const { name, version } of rejection.resources) {
    // A quarantined version is `<snapshot version>~q<n>`.
    const source = version.split('~q')[0];
    if (current?.resources(rejection.typeUrl).get(name)?.version !== source) continue;
    const quarantined = rejection.quarantined.find((q) => q.name === name);
    const what = `${typeName(rejection.typeUrl)} ${name}`;
    if (quarantined === undefined) {
      problems.push({
        severity: 'error',
        file: '<xds>',
        path: [],
        message: `Envoy ${proxy} rejected ${what}, which keeps its earlier version: ${rejection.message}`,
      });
      continue;
    }
    for (const route of quarantined.routes) {
      problems.push({
        severity: 'error',
        file: '<xds>',
        ...routeSource(route),
        path: [],
        message: `Envoy ${proxy} rejected route ${route} in ${what}; it is left out and the rest is served: ${rejection.message}`,
      });
    }
  }
  return problems;
}

/** The condition a route gets while Envoy rejects what it produced (a domain-prefixed type). */
export const DATA_PLANE_REJECTED = 'egts.io/DataPlaneRejected';

/**
 * `statuses` with a DataPlaneRejected condition (Envoy's message) on every parent of each route
 * `problems` names: the translator accepted the route, the proxy did not load it.
 */
export function withRejectionConditions(
  statuses: readonly ResourceStatus[],
  problems: readonly Problem[],
): readonly ResourceStatus[] {
  const byRoute = new Map<string, string>();
  for (const p of problems)
    if (p.kind && p.name) byRoute.set(`${p.kind}/${p.namespace ?? ''}/${p.name}`, p.message);
  if (byRoute.size === 0) return statuses;
  return statuses.map((entry) => {
    const message = byRoute.get(
      `${entry.kind}/${entry.metadata.namespace ?? ''}/${entry.metadata.name}`,
    );
    const parents = entry.status.parents;
    if (message === undefined || !Array.isArray(parents)) return entry;
    const condition = { type: DATA_PLANE_REJECTED, status: 'True', reason: 'Rejected', message };
    return {
      ...entry,
      status: {
        ...entry.status,
        parents: parents.map((parent: { conditions?: unknown[] }) => ({
          ...parent,
          conditions: [...(parent.conditions ?? []), condition],
        })),
      },
    };
  });
}
