// A self-contained Envoy bootstrap for one proxy fleet: the translated resources in
// static_resources, admin on loopback; `envoy -c` runs it as it is
// (https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/bootstrap/v3/bootstrap.proto).
import { Bootstrap } from '@egts/envoy-api';
import type { XdsIR } from '@egts/ir';
import { socketAddress } from './internal/protoValues.js';
import { translateXds } from './translateXds.js';

export interface BootstrapOptions {
  /** Admin port on 127.0.0.1 (default 19000, as Envoy Gateway's proxies). */
  readonly adminPort?: number;
}

export const DEFAULT_ADMIN_PORT = 19000;

export const translateBootstrap = (ir: XdsIR, options: BootstrapOptions = {}): Bootstrap => {
  const resources = translateXds(ir, { mode: 'static' });
  const bootstrap = Bootstrap.fromPartial({
    node: { id: ir.name, cluster: ir.name },
    admin: { address: socketAddress('127.0.0.1', options.adminPort ?? DEFAULT_ADMIN_PORT) },
    staticResources: {},
  });
  // The translated messages as they are: fromPartial would copy every one of them (at 5,000
  // routes, tens of MiB more at the peak of `egts translate -o xds`).
  return {
    ...bootstrap,
    staticResources: {
      ...bootstrap.staticResources!,
      listeners: [...resources.listeners],
      clusters: [...resources.clusters],
      secrets: [...resources.secrets],
    },
  };
};
