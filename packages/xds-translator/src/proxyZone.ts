// What a proxy's bootstrap needs for Envoy's zone-aware routing: its own zone in node.locality
// (Envoy puts the upstream locality equal to it first, as the local one) and `local_cluster`, the
// proxy fleet by zone, whose share in each zone Envoy compares with the upstream's
// (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/zone_aware).
// Envoy Gateway's Kubernetes proxies get the zone from their node (ENVOY_SERVICE_ZONE) and an EDS
// local_cluster of the proxy Service's endpoints; a single proxy outside Kubernetes is a fleet of
// one, so its local cluster is itself (its admin address), statically.
import { Cluster, Cluster_DiscoveryType } from '@egts/envoy-api';
import { socketAddress } from './internal/protoValues.js';

/** The bootstrap's name for the local cluster, as Envoy Gateway's. */
export const LOCAL_CLUSTER = 'local_cluster';

export const proxyZone = (zone: string, adminPort: number) => ({
  node: { locality: { zone } },
  bootstrap: { clusterManager: { localClusterName: LOCAL_CLUSTER } },
  localCluster: Cluster.fromPartial({
    name: LOCAL_CLUSTER,
    type: Cluster_DiscoveryType.STATIC,
    connectTimeout: { seconds: 10 },
    loadAssignment: {
      clusterName: LOCAL_CLUSTER,
      endpoints: [
        {
          locality: { zone },
          lbEndpoints: [{ endpoint: { address: socketAddress('127.0.0.1', adminPort) } }],
        },
      ],
    },
  }),
});
