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
 * - NodePort: the nodes' addresses (`nodeAddresses`), where the port is open.
 */
export const serviceAddresses = (
  service: ServiceAddressFields,
  requested: boolean,
  nodeAddresses: readonly string[] = [],
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
  if (spec.type === 'NodePort') return nodeAddresses.map(ip);
  return [];
};

/** The fields of a core/v1 Node that its address comes from. */
export interface NodeAddressFields {
  readonly status?: {
    readonly addresses?: ReadonlyArray<{ type?: string; address?: string }> | undefined;
  };
}

/**
 * One address per node, as Envoy Gateway reports them for NodePort Services: its ExternalIP, else
 * its InternalIP (a node with neither counts for nothing). Sorted, so the status is stable.
 */
export const nodeAddresses = (nodes: readonly NodeAddressFields[]): string[] => {
  const found = new Set<string>();
  for (const node of nodes) {
    const addresses = node.status?.addresses ?? [];
    const pick = (type: string) => addresses.find((a) => a.type === type && a.address)?.address;
    const address = pick('ExternalIP') ?? pick('InternalIP');
    if (address !== undefined) found.add(address);
  }
  return [...found].sort();
};
