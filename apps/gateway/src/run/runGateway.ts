// Starts the control plane around a provider: the xDS server, the pipeline, the infrastructure
// and the admin API; `close()` stops them in reverse order (proxies drained first).
import type { ExtensionManager as ExtensionManagerConfig, ResourceStatus } from '@egts/api';
import type { TranslateOptions } from '@egts/gatewayapi-translator';
import type { XdsIR } from '@egts/ir';
import { createSnapshotCache, createXdsServer, type TlsFiles } from '@egts/xds-server';
import { BehaviorSubject, combineLatest, map, merge } from 'rxjs';
import { type AdminServer, startAdminServer } from '../admin/adminServer.js';
import { countingSnapshotCache, timingStreams } from '../admin/controlPlaneMetrics.js';
import { createMetrics, type Metrics } from '../admin/metrics.js';
import { withRejectionConditions } from '../admin/rejectionProblems.js';
import {
  type ControlPlaneTelemetry,
  type RunningTelemetry,
  startControlPlaneTelemetry,
} from '../admin/telemetryServer.js';
import { createXdsTracker } from '../admin/xdsTracker.js';
import type { Logging } from '../logging.js';
import type { ClustersFirstOptions } from '../pipeline/clustersFirst.js';
import { createPipeline, type Pipeline } from '../pipeline/createPipeline.js';
import type { InfraManager, ResourceProvider } from '../pipeline/ports.js';
import type { DiscoveryOptions } from '../pipeline/translatorRunner.js';
import { startExtensionManager } from './extensionManager.js';
import { collectWhenIdle } from './idleCollection.js';
import { trackXdsExchanges } from './xdsExchanges.js';

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
  wasm?: { resolve(ir: XdsIR): Promise<XdsIR> } | undefined;
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

export async function runGateway(options: GatewayOptions): Promise<RunningGateway> {
  const log = options.logging.component('gateway');
  const metrics = createMetrics();
  const cache = createSnapshotCache();
  // Rejections are attributed by the pipeline's stages, which exist once a proxy can be served.
  let attributing: Pipeline | undefined;
  const tracker = createXdsTracker(cache, metrics, (group, name) =>
    attributing?.sourceOf(group, name),
  );
  const exchanges = trackXdsExchanges(tracker.callbacks);
  const xdsServer = createXdsServer(
    cache,
    timingStreams(exchanges.callbacks, metrics.controlPlane),
    options.xds.tls ? { tls: options.xds.tls } : {},
  );
  const xdsPort = await xdsServer.listen(`${options.xds.host}:${options.xds.port}`);
  log.info({ port: xdsPort }, 'xDS server listening');

  // Before the pipeline, so that its first translation is counted and traced. Never stops the
  // start: what cannot run is logged (as Envoy Gateway's metrics server).
  const telemetry: RunningTelemetry | undefined = options.telemetry
    ? await startControlPlaneTelemetry(
        options.telemetry,
        metrics.registry,
        metrics.controlPlane,
        options.logging.component('telemetry'),
      )
    : undefined;
  const infra = options.infra?.({ host: options.xds.host, port: xdsPort }, metrics);
  const extension = options.extensionManager
    ? startExtensionManager(
        options.extensionManagers ?? [{ ...options.extensionManager, name: '' }],
        options.provider.resources$,
        options.translate?.controllerNamespace,
        options.logging.component('extension-manager'),
      )
    : undefined;
  const pipeline = createPipeline({
    provider: options.provider,
    cache: countingSnapshotCache(cache, metrics.controlPlane),
    infra,
    logging: options.logging,
    metrics,
    ...(options.translate || options.extensionManager
      ? {
          translate: {
            ...options.translate,
            // The extension's kinds: its filters and policies reach the IR.
            ...(options.extensionManager ? { extensionManager: options.extensionManager } : {}),
          },
        }
      : {}),
    oidcDiscovery: options.oidcDiscovery,
    ...(options.wasm ? { wasm: options.wasm } : {}),
    clustersFirst: options.clustersFirst,
    ...(extension ? { extension: extension.manager } : {}),
  });
  attributing = pipeline;
  const statuses$ = new BehaviorSubject<readonly ResourceStatus[]>([]);
  const statusing = combineLatest([pipeline.statuses$, tracker.problems$])
    .pipe(map(([statuses]) => withRejectionConditions(statuses, tracker.problems())))
    .subscribe(statuses$);
  let admin: AdminServer;
  try {
    admin = await startAdminServer(
      options.admin,
      {
        ready: pipeline.ready,
        health: () => options.provider.liveness?.() ?? { healthy: true },
        // Shown, not written back: resources the provider refused have a status here too.
        statuses: () => [...statuses$.value, ...pipeline.refused$.value],
        problems: () => [...pipeline.problems$.value, ...tracker.problems()],
        configDump: tracker.configDump,
        proxies: () => infra?.proxies?.() ?? [],
        auxiliaryMetrics: () => infra?.auxiliaryMetrics?.() ?? Promise.resolve(''),
      },
      metrics,
    );
  } catch (error) {
    await telemetry?.close();
    statusing.unsubscribe();
    pipeline.stop();
    extension?.stop();
    await infra?.close();
    await xdsServer.close();
    throw error;
  }
  log.info({ port: admin.port }, 'admin API listening');
  // Once a change is translated, pushed and answered: collecting mid-push (or before the first
  // translation, while a restarted egts's proxies already ask, or while a proxy is still to
  // fetch its first snapshot) would delay the push, and the rest of it would grow the young
  // generation again.
  const idle = collectWhenIdle(merge(options.provider.resources$, exchanges.exchanges$), {
    busy: () =>
      !pipeline.ready() ||
      !xdsServer.answered() ||
      cache.groups().some((group) => !cache.watched(group)),
  });

  return {
    xdsPort,
    adminPort: admin.port,
    pipeline,
    statuses$,
    async close() {
      idle.unsubscribe();
      statusing.unsubscribe();
      pipeline.stop();
      await options.provider.close();
      extension?.stop();
      await infra?.close();
      await telemetry?.close();
      await admin.close();
      await xdsServer.close();
      log.info('stopped');
    },
  };
}
