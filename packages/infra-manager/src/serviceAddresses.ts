// A Gateway's status.addresses from its proxy Service (GEP-1651), as Envoy Gateway derives them
// (internal/gatewayapi/status/gateway.go, UpdateGatewayStatusProgrammedCondition).

export interface GatewayStatusAddress {
  readonly type: 'IPAddress' | 'Hostname';
  readonly value: string;
}

/** The fields of a core/v1 Service that addresses come from. */
export interface ServiceAddressFields {
  readonly spec?: {
    readonly type?: string | undefined;
    readonly clusterIP?: string | undefined;
    readonly clusterIPs?: readonly string[] | undefined;
    readonly externalIPs?: readonly string[] | undefined;
  };
  readonly status?: {
    readonly loadBalancer?: {
      readonly ingress?: ReadonlyArray<{ ip?: string; hostname?: string }> | undefined;
    };
  };
}

const ip = (value: string): GatewayStatusAddress => ({ type: 'IPAddress', value });

/**
 * - The Gateway asked for addresses (`spec.addresses`): the Service's external IPs (or, for a
 *   ClusterIP Service, its cluster IPs), which is where the infra manager put them.
 * - LoadBalancer: the load balancer's ingress IPs, then hostnames; none until one is provisioned.
 * - ClusterIP: its cluster IPs (a headless Service has none).
 * - NodePort: nothing here (Envoy Gateway reports the nodes' addresses, which egts does not watch).
 */
export const serviceAddresses = (
  service: ServiceAddressFields,
  requested: boolean,
): GatewayStatusAddress[] => {
  const spec = service.spec ?? {};
  const clusterIPs = (spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])).filter(
    (a) => a !== '' && a !== 'None',
  );
  if (requested) {
    const external = spec.externalIPs ?? [];
    return (external.length > 0 ? external : clusterIPs).map(ip);
  }
  if (spec.type === 'LoadBalancer') {
    const ingress = service.status?.loadBalancer?.ingress ?? [];
    const ips = ingress.flatMap((i) => (i.ip ? [ip(i.ip)] : []));
    const hostnames = ingress.flatMap((i) =>
      !i.ip && i.hostname ? [{ type: 'Hostname' as const, value: i.hostname }] : [],
    );
    return [...ips, ...hostnames];
  }
  if ((spec.type ?? 'ClusterIP') === 'ClusterIP') return clusterIPs.map(ip);
  return [];
};
