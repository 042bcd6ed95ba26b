// EnvoyProxy `ipFamily` on clusters that resolve hostnames, as Envoy Gateway sets it
// (xds/translator/cluster.go buildXdsCluster): IPv4 -> V4_ONLY, IPv6 -> V6_ONLY, both whatever a
// BackendTrafficPolicy's dns.lookupFamily says; DualStack -> ALL unless the policy chose a family.
// Applied to the built clusters so the per-IR memos (shared between fleets) stay fleet-neutral.
import { type Cluster, Cluster_DiscoveryType, Cluster_DnsLookupFamily } from '@egts/envoy-api';
import type { IpFamily } from '@egts/ir';
import type { XdsResources } from '../../xdsResources.js';

const FAMILY: Record<IpFamily, Cluster_DnsLookupFamily> = {
  IPv4: Cluster_DnsLookupFamily.V4_ONLY,
  IPv6: Cluster_DnsLookupFamily.V6_ONLY,
  DualStack: Cluster_DnsLookupFamily.ALL,
};

const resolves = (cluster: Cluster): boolean =>
  cluster.type === Cluster_DiscoveryType.STRICT_DNS ||
  cluster.type === Cluster_DiscoveryType.LOGICAL_DNS;

/** The lookup family `ipFamily` gives `cluster`, or undefined when it keeps its own. */
const familyFor = (cluster: Cluster, ipFamily: IpFamily): Cluster_DnsLookupFamily | undefined => {
  if (!resolves(cluster)) return undefined;
  // A BackendTrafficPolicy family other than the default is the more specific one for DualStack
  // (a policy asking for IPv4Preferred, the default's value, cannot be told apart and gets ALL).
  if (ipFamily === 'DualStack' && cluster.dnsLookupFamily !== Cluster_DnsLookupFamily.V4_PREFERRED)
    return undefined;
  const family = FAMILY[ipFamily];
  return cluster.dnsLookupFamily === family ? undefined : family;
};

/** Per built cluster and family, the copy with that lookup family (same object across calls). */
const copies = new WeakMap<Cluster, Map<IpFamily, Cluster>>();

const withFamily = (cluster: Cluster, ipFamily: IpFamily, family: Cluster_DnsLookupFamily) => {
  let byFamily = copies.get(cluster);
  if (byFamily === undefined) {
    byFamily = new Map();
    copies.set(cluster, byFamily);
  }
  let copy = byFamily.get(ipFamily);
  if (copy === undefined) {
    copy = { ...cluster, dnsLookupFamily: family };
    byFamily.set(ipFamily, copy);
  }
  return copy;
};

/** `resources` with the fleet's `ipFamily` on its DNS clusters; the same object when none changes. */
export function withIpFamilyDns(
  resources: XdsResources,
  ipFamily: IpFamily | undefined,
): XdsResources {
  if (ipFamily === undefined) return resources;
  let changed = false;
  const clusters = resources.clusters.map((cluster) => {
    const family = familyFor(cluster, ipFamily);
    if (family === undefined) return cluster;
    changed = true;
    return withFamily(cluster, ipFamily, family);
  });
  return changed ? { ...resources, clusters } : resources;
}
