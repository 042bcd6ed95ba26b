// The fleet's own proxies by zone as Envoy's `local_cluster` (the name the proxies' bootstrap
// gives cluster_manager.local_cluster_name): zone-aware routing compares the fleet's share in the
// proxy's zone with the upstream's
// (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/zone_aware).
// Envoy never sends traffic to it; only its localities count. Over ADS only its
// ClusterLoadAssignment: the cluster is the bootstrap's (infra-manager proxyBootstrap).
import type { DestinationSetting, XdsIR } from '@egts/ir';
import { LOCAL_CLUSTER } from '../../proxyZone.js';
import type { ResourceSet } from '../resourceSet.js';
import { addCluster } from './buildCluster.js';

/** One setting object per local cluster object: addCluster memoizes on it. */
const settings = new WeakMap<object, DestinationSetting>();

export const addLocalCluster = (ir: XdsIR, out: ResourceSet): void => {
  const local = ir.localCluster;
  if (local === undefined) return;
  let setting = settings.get(local);
  if (setting === undefined) {
    setting = {
      name: LOCAL_CLUSTER,
      weight: 1,
      protocol: 'HTTP',
      addressType: 'IP',
      endpoints: local.endpoints,
    };
    settings.set(local, setting);
  }
  const own = out.nested();
  addCluster(LOCAL_CLUSTER, [setting], own);
  const built = own.toResources();
  // Over ADS the proxies' bootstrap holds the cluster itself (Envoy wants the local cluster
  // defined at start), with its endpoints over EDS: only those are served.
  if (out.mode === 'ads') for (const assignment of built.endpoints) out.addEndpoints(assignment);
  else out.addResources(built);
};
