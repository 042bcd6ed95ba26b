// What Kubernetes mode takes: the API server, leader election's namespace, how proxies reach the
// xDS server, certificate rotation, rate limiting, telemetry and the topology injector.
import type { ExtensionManager } from '@egts/api';
import type { CertificateRotationOptions } from '@egts/certgen';
import type { TranslateOptions } from '@egts/gatewayapi-translator';
import type { WatchMode } from '@egts/provider-kubernetes';
import type { TlsFiles } from '@egts/xds-server';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ControlPlaneTelemetry } from '../admin/telemetryServer.js';
import type { Logging } from '../logging.js';
import type { RateLimitOptions } from './rateLimitOptions.js';

export interface KubernetesGatewayOptions {
  kubeConfig: KubeConfig;
  controllerName: string;
  /** The EnvoyGateway's extensionApis: EnvoyPatchPolicy is off unless enabled there. */
  extensionApis?: TranslateOptions['extensionApis'];
  /** The EnvoyGateway `extensionManager`: an extension server called during xDS translation. */
  extensionManager?: ExtensionManager | undefined;
  /**
   * EnvoyGateway `extensionManagers` (several extension servers, called in this order at each
   * hook); `extensionManager` then carries the kinds of all of them.
   */
  extensionManagers?: readonly (ExtensionManager & { name: string })[] | undefined;
  /** Where egts runs: the Lease, and the proxies' default namespace. */
  namespace: string;
  watch: WatchMode;
  /** With `tls`, xDS is served over mTLS: proxies present the `envoy` Secret's certificate. */
  xds: { host: string; port: number; tls?: TlsFiles | undefined };
  admin: { host: string; port: number };
  /**
   * The port the Wasm cache serves EnvoyExtensionPolicy modules on (default 18002, Envoy
   * Gateway's), on the xDS host; proxies reach it on the same port of the egts Service.
   */
  wasmPort?: number;
  /** How proxies reach this xDS server: the egts Service's DNS name and port. */
  xdsService: { host: string; port: number };
  /**
   * With xDS over mTLS: rotate its certificates (the Secrets `egts certgen` made in `namespace`)
   * while leading, with these lifetimes (defaults: see @egts/certgen).
   */
  certificates?: Pick<
    CertificateRotationOptions,
    'validityMs' | 'caValidityMs' | 'propagationMs' | 'maxIntervalMs'
  >;
  /**
   * Global rate limiting (EnvoyGateway `rateLimit`): the leader keeps the Rate Limit Service's
   * Deployment, Service and ServiceAccount in `namespace`; absent, it deletes them.
   */
  rateLimit?: RateLimitOptions | undefined;
  /** EnvoyGateway `telemetry`: the control plane's Prometheus endpoint and OpenTelemetry sinks. */
  telemetry?: ControlPlaneTelemetry | undefined;
  /**
   * EnvoyGateway `provider.kubernetes.topologyInjector`: unless disabled, and with xDS over mTLS
   * (its certificate is the webhook's), every replica serves the topology injector at `address`
   * (default the xDS host, port 9443) and proxy pods read their zone from its annotation;
   * otherwise from the label the API server copies where PodTopologyLabelsAdmission is on.
   */
  topologyInjector?:
    | { disable?: boolean | undefined; address?: { host: string; port: number } }
    | undefined;
  logging: Logging;
}
