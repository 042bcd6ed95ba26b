// A self-contained Envoy bootstrap for one proxy fleet: the translated resources in
// static_resources, admin on loopback; `envoy -c` runs it as it is
// (https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/bootstrap/v3/bootstrap.proto).
import { Bootstrap } from '@egts/envoy-api';
import type { XdsIR } from '@egts/ir';
import { socketAddress } from './internal/protoValues.js';
import { proxyZone } from './proxyZone.js';
import { translateXds } from './translateXds.js';

export interface BootstrapOptions {
  /** Admin port on 127.0.0.1 (default 19000, as Envoy Gateway's proxies). */
  readonly adminPort?: number;
  /**
   * The proxy's own zone, for zone-aware routing (BackendTrafficPolicy `zoneAware.preferLocal`):
   * node.locality and a local cluster of this proxy alone in that zone.
   */
  readonly zone?: string;
}

export const DEFAULT_ADMIN_PORT = 19000;

export const translateBootstrap = (ir: XdsIR, options: BootstrapOptions = {}): Bootstrap => {
  const resources = translateXds(ir, { mode: 'static' });
  const adminPort = options.adminPort ?? DEFAULT_ADMIN_PORT;
  const zone = options.zone === undefined ? undefined : proxyZone(options.zone, adminPort);
  const bootstrap = Bootstrap.fromPartial({
    node: { id: ir.name, cluster: ir.name, ...zone?.node },
    admin: { address: socketAddress('127.0.0.1', adminPort) },
    staticResources: {},
    ...zone?.bootstrap,
  });
  // The translated messages as they are: fromPartial would copy every one of them (at 5,000
  // routes, tens of MiB more at the peak of `egts translate -o xds`).
  return {
    ...bootstrap,
    staticResources: {
      ...bootstrap.staticResources!,
      listeners: [...resources.listeners],
      // The IR's local cluster (the fleet by zone) when it has one, else this proxy alone.
      clusters:
        zone && ir.localCluster === undefined
          ? [...resources.clusters, zone.localCluster]
          : [...resources.clusters],
      secrets: [...resources.secrets],
    },
  };
};
