// What runGateway takes and gives: the options every mode (host, Kubernetes, config server) fills
// in, and the running control plane it hands back.
import type { ExtensionManager as ExtensionManagerConfig, ResourceStatus } from '@egts/api';
import type { TranslateOptions } from '@egts/gatewayapi-translator';
import type { TlsFiles } from '@egts/xds-server';
import type { BehaviorSubject } from 'rxjs';
import type { Metrics } from '../admin/metrics.js';
import type { ControlPlaneTelemetry } from '../admin/telemetryServer.js';
import type { Logging } from '../logging.js';
import type { ClustersFirstOptions } from '../pipeline/clustersFirst.js';
import type { Pipeline } from '../pipeline/createPipeline.js';
import type { InfraManager, ResourceProvider } from '../pipeline/ports.js';
import type { DiscoveryOptions } from '../pipeline/translatorRunner.js';
import type { WasmResolver } from '../pipeline/wasmRunner.js';

export interface GatewayOptions {
  provider: ResourceProvider;
  /** Builds the infrastructure once the xDS server listens (it needs the xDS port). */
  infra?:
    | ((
        xds: { host: string; port: number },
        metrics: Metrics,
      ) => InfraManager & { proxies?(): unknown; auxiliaryMetrics?(): Promise<string> })
    | undefined;
  xds: { host: string; port: number; tls?: TlsFiles | undefined };
  admin: { host: string; port: number };
  translate?: TranslateOptions;
  /** OpenID provider discovery beside the translator (default on); `false` never fetches. */
  oidcDiscovery?: DiscoveryOptions | false | undefined;
  logging: Logging;
  /** The Wasm cache the proxies load EnvoyExtensionPolicy Wasm modules from (host mode). */
  wasm?: WasmResolver | undefined;
  /** Push each Gateway's clusters first on a cold start (proxies run here, and boot meanwhile). */
  clustersFirst?: ClustersFirstOptions | undefined;
  /**
   * EnvoyGateway `telemetry` (the control plane's own): where its Prometheus endpoint listens
   * and the OpenTelemetry sinks it pushes to; absent: neither (the admin API serves /metrics).
   */
  telemetry?: ControlPlaneTelemetry | undefined;
  /** The EnvoyGateway `extensionManager`: an extension server called during xDS translation. */
  extensionManager?: ExtensionManagerConfig | undefined;
  /**
   * EnvoyGateway `extensionManagers` (several extension servers, called in this order at each
   * hook); `extensionManager` then carries the kinds of all of them.
   */
  extensionManagers?: readonly (ExtensionManagerConfig & { name: string })[] | undefined;
}

export interface RunningGateway {
  readonly xdsPort: number;
  readonly adminPort: number;
  readonly pipeline: Pipeline;
  /**
   * The statuses to show and write back: the pipeline's, with a DataPlaneRejected condition on
   * each resource whose configuration a proxy rejects (issue #16, item 2).
   */
  readonly statuses$: BehaviorSubject<readonly ResourceStatus[]>;
  close(): Promise<void>;
}
