// Keeps only the Gateway API objects that concern our GatewayClasses, so that a change to another
// controller's Gateway or route produces no new snapshot (DESIGN.md: cost follows change). The
// translator would ignore them anyway; this only saves work downstream.
import type { Resources } from '@egts/api';

interface ParentRef {
  group?: string | undefined;
  kind?: string | undefined;
  namespace?: string | undefined;
  name: string;
}

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

export const keepOurs = (resources: Resources, controllerName: string): Resources => {
  const classes = resources.gatewayClasses.filter((c) => c.spec.controllerName === controllerName);
  const classNames = new Set(classes.map((c) => c.metadata.name));
  const gateways = resources.gateways.filter((g) => classNames.has(g.spec.gatewayClassName));
  const gatewayKeys = new Set(
    gateways.map((g) => `${g.metadata.namespace ?? 'default'}/${g.metadata.name}`),
  );
  const listenerSets = resources.listenerSets.filter((s) => {
    const parent = s.spec.parentRef as ParentRef;
    return gatewayKeys.has(
      `${parent.namespace ?? s.metadata.namespace ?? 'default'}/${parent.name}`,
    );
  });
  const setKeys = new Set(
    listenerSets.map((s) => `${s.metadata.namespace ?? 'default'}/${s.metadata.name}`),
  );
  // A route concerns us when one of its parentRefs names one of our Gateways or ListenerSets
  // (GEP-1426's Service parents are a mesh's business, not ours).
  const attached = <R extends { metadata: { namespace?: string | undefined }; spec: unknown }>(
    routes: R[],
  ): R[] =>
    routes.filter((route) => {
      const refs = ((route.spec as { parentRefs?: ParentRef[] }).parentRefs ?? []) as ParentRef[];
      return refs.some((ref) => {
        const group = ref.group ?? GATEWAY_GROUP;
        const kind = ref.kind ?? 'Gateway';
        const key = `${ref.namespace ?? route.metadata.namespace ?? 'default'}/${ref.name}`;
        if (group !== GATEWAY_GROUP) return false;
        if (kind === 'Gateway') return gatewayKeys.has(key);
        if (kind === 'ListenerSet') return setKeys.has(key);
        return false;
      });
    });
  return {
    ...resources,
    gatewayClasses: classes,
    gateways,
    listenerSets,
    httpRoutes: attached(resources.httpRoutes),
    grpcRoutes: attached(resources.grpcRoutes),
    tlsRoutes: attached(resources.tlsRoutes),
    tcpRoutes: attached(resources.tcpRoutes),
    udpRoutes: attached(resources.udpRoutes),
  };
};
