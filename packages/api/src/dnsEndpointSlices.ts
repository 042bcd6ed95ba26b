// For providers outside Kubernetes (files, the config server): Services that have no
// EndpointSlice resolve through the host's DNS, one synthetic EndpointSlice per such Service,
// which the translator reads like any other (backendRefs.ts).
import { isIP } from 'node:net';
import type { EndpointPort, EndpointSlice } from './core/endpointSlice.js';
import type { Service } from './core/service.js';
import type { Resources } from './resources.js';

/** Label on every synthesized slice, as Kubernetes marks a slice's managing controller. */
export const ENDPOINT_SLICE_MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
/** Its value on the slices made here (the name they have always had). */
export const DNS_ENDPOINT_SLICE_MANAGER = 'provider-file.egts.io';

/**
 * Where a Service without EndpointSlices is reached from this host, in this order:
 * 1. `type: ExternalName` -> `spec.externalName` (an FQDN, or an IP literal);
 * 2. `spec.clusterIP` when set and not `None` -> that IP;
 * 3. otherwise `<name>.<namespace>` (namespace `default` when absent), looked up by Envoy through the
 *    host's resolver (/etc/hosts, search domains), as a pod would with cluster DNS.
 * Undefined for an ExternalName Service without `externalName`: nothing to resolve.
 */
export const serviceAddress = (service: Service): string | undefined => {
  const { spec, metadata } = service;
  if (spec.type === 'ExternalName') {
    const name = spec.externalName?.trim();
    return name === undefined || name === '' ? undefined : name.replace(/\.$/, '');
  }
  const clusterIP = spec.clusterIP?.trim();
  if (clusterIP !== undefined && clusterIP !== '' && clusterIP !== 'None') return clusterIP;
  return `${metadata.name}.${metadata.namespace ?? 'default'}`;
};

const addressTypeOf = (address: string): EndpointSlice['addressType'] => {
  const family = isIP(address);
  return family === 4 ? 'IPv4' : family === 6 ? 'IPv6' : 'FQDN';
};

/**
 * One EndpointSlice for `service`, named `<service>-dns`, labelled `kubernetes.io/service-name`.
 * An IP literal gets addressType IPv4/IPv6 (the translator makes an EDS cluster: no lookup); a
 * hostname gets FQDN (a STRICT_DNS cluster: Envoy re-resolves it). The slice's ports are the
 * Service's own `port`s, by name: the address is the Service's (its DNS name or cluster IP), which
 * listens on `port`; `targetPort` is a pod's port and is not reachable through it.
 */
export const dnsEndpointSlice = (service: Service): EndpointSlice | undefined => {
  const address = serviceAddress(service);
  if (address === undefined) return undefined;
  const namespace = service.metadata.namespace ?? 'default';
  const ports: EndpointPort[] = (service.spec.ports ?? []).map((port) => ({
    ...(port.name === undefined ? {} : { name: port.name }),
    port: port.port,
    protocol: port.protocol,
    ...(port.appProtocol === undefined ? {} : { appProtocol: port.appProtocol }),
  }));
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${service.metadata.name}-dns`,
      namespace,
      labels: {
        'kubernetes.io/service-name': service.metadata.name,
        [ENDPOINT_SLICE_MANAGED_BY_LABEL]: DNS_ENDPOINT_SLICE_MANAGER,
      },
    },
    addressType: addressTypeOf(address),
    endpoints: [{ addresses: [address], conditions: { ready: true } }],
    ports,
  };
};

/**
 * `resources` with a DNS EndpointSlice added for every Service that no EndpointSlice names
 * (label `kubernetes.io/service-name` in the Service's namespace). Does not mutate its input.
 */
export const withDnsEndpointSlices = (resources: Resources): Resources => {
  const covered = new Set<string>();
  for (const slice of resources.endpointSlices) {
    const service = slice.metadata.labels?.['kubernetes.io/service-name'];
    if (service !== undefined) covered.add(`${slice.metadata.namespace ?? 'default'}/${service}`);
  }
  const added: EndpointSlice[] = [];
  for (const service of resources.services) {
    const key = `${service.metadata.namespace ?? 'default'}/${service.metadata.name}`;
    if (covered.has(key)) continue;
    const slice = dnsEndpointSlice(service);
    if (slice !== undefined) added.push(slice);
  }
  if (added.length === 0) return resources;
  return { ...resources, endpointSlices: [...resources.endpointSlices, ...added] };
};
