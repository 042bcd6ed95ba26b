// Starts the control plane around a provider: the xDS server, the pipeline, the infrastructure
// and the admin API; `close()` stops them in reverse order (proxies drained first).
import type { ResourceStatus } from '@egts/api';
import { createSnapshotCache, createXdsServer } from '@egts/xds-server';
import { BehaviorSubject, combineLatest, map, merge } from 'rxjs';
import { type AdminServer, startAdminServer } from '../admin/adminServer.js';
import { countingSnapshotCache, timingStreams } from '../admin/controlPlaneMetrics.js';
import { createMetrics } from '../admin/metrics.js';
import { withRejectionConditions } from '../admin/rejectionProblems.js';
import { type RunningTelemetry, startControlPlaneTelemetry } from '../admin/telemetryServer.js';
import { createXdsTracker } from '../admin/xdsTracker.js';
import { createPipeline, type Pipeline } from '../pipeline/createPipeline.js';
import { startExtensionManager } from './extensionManager.js';
import type { GatewayOptions, RunningGateway } from './gatewayOptions.js';
import { collectWhenIdle } from './idleCollection.js';
import { trackXdsExchanges } from './xdsExchanges.js';

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
