// A proxy's zone for Envoy's zone-aware routing: node.locality names it (Envoy treats the upstream
// locality equal to it as the local one) and `local_cluster` is the proxy fleet by zone, whose
// share in each zone Envoy compares with the upstream's
// (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/zone_aware).
// Envoy Gateway's Kubernetes proxies learn the zone from their node (ENVOY_SERVICE_ZONE, set by its
// topology injector) and get an EDS local_cluster of the proxy Service's endpoints. A host-mode
// proxy is a fleet of one, so its zone is configured (ENVOY_SERVICE_ZONE of egts, the same
// variable) and its local cluster is itself, statically. Only the zones count: Envoy never
// connects to a local cluster's hosts, so the one endpoint is a placeholder on loopback.
import { Cluster, Cluster_DiscoveryType } from '@egts/envoy-api';

/** The local cluster's name, as Envoy Gateway's bootstrap names it. */
export const LOCAL_CLUSTER = 'local_cluster';

/** The environment variable a host-mode proxy's zone is read from (Envoy Gateway's name). */
export const ZONE_VARIABLE = 'ENVOY_SERVICE_ZONE';

export const localCluster = (zone: string): Cluster =>
  Cluster.fromPartial({
    name: LOCAL_CLUSTER,
    type: Cluster_DiscoveryType.STATIC,
    connectTimeout: { seconds: 10 },
    loadAssignment: {
      clusterName: LOCAL_CLUSTER,
      endpoints: [
        {
          locality: { zone },
          lbEndpoints: [
            { endpoint: { address: { socketAddress: { address: '127.0.0.1', portValue: 1 } } } },
          ],
        },
      ],
    },
  });
