// What Envoy rejects, as problems on the resources that produced it: a quarantined route names
// its route object (Envoy route names start with the IR name `kind/namespace/name`), anything
// else names the xDS resource. Shown in /problems while the rejected content is still served.
import type { Problem } from '@egts/api';
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
