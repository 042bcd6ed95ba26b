// Kubernetes mode: resources from the API server (with leader election), proxies as Deployments
// the leader applies, statuses written back, and xDS certificates rotated while leading.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topologyInjectorWebhookName } from '@egts/certgen';
import { createKubernetesInfraManager, createWasmCache } from '@egts/infra-manager';
import {
  type ControlPlaneMetrics,
  countObjectWrite,
  countStatusUpdate,
} from '../admin/controlPlaneMetrics.js';
import { bootstrapRefusals } from '../pipeline/bootstrapRefusals.js';
import type { RunningGateway } from './gatewayOptions.js';
import type { KubernetesGatewayOptions } from './kubernetesOptions.js';
import { kubernetesRateLimit } from './kubernetesRateLimit.js';
import { kubernetesResources } from './kubernetesResources.js';
import { writeKubernetesStatuses } from './kubernetesStatus.js';
import { rotateCertificatesWhileLeading } from './leaderCertificates.js';
import { leaderInfra } from './leaderInfra.js';
import { runGateway } from './runGateway.js';
import { startTopologyInjector } from './topologyInjector.js';

/** The port the Wasm cache serves on (Envoy Gateway's wasm port). */
const WASM_PORT = 18002;

export async function runKubernetesGateway(
  options: KubernetesGatewayOptions,
): Promise<RunningGateway> {
  const log = options.logging.component('provider');
  // The control plane's metrics exist once runGateway made them (its `infra` factory below).
  let controlPlane: ControlPlaneMetrics | undefined;
  const { leaderElection, provider } = kubernetesResources(options, log, (update) => {
    if (controlPlane) countStatusUpdate(controlPlane, update);
  });
  const rateLimit = kubernetesRateLimit({
    kubeConfig: options.kubeConfig,
    namespace: options.namespace,
    xdsService: options.xdsService,
    rateLimit: options.rateLimit,
    leader: leaderElection,
    log,
  });
  // Only the leader changes infrastructure; a new leader applies the latest Infra IR at once.
  // Bootstraps it refuses become Gateway status (bootstrapRefusals.ts), as in host mode.
  const refusals = bootstrapRefusals();
  const infraLog = options.logging.component('infrastructure');
  const injector = await startTopologyInjector(options, infraLog);
  const leader = leaderInfra(
    createKubernetesInfraManager({
      kubeConfig: options.kubeConfig,
      xds: options.xdsService,
      zoneAware: true,
      zoneFrom: injector ? 'annotation' : 'label',
      onEvent: (event) => {
        refusals.note(event);
        infraLog.info({ event }, `proxy ${event.proxy} ${event.type}`);
      },
      onObject: (write) => {
        if (controlPlane) countObjectWrite(controlPlane, write);
      },
    }),
    leaderElection,
    log,
  );
  const rotation =
    options.xds.tls === undefined
      ? undefined
      : rotateCertificatesWhileLeading(
          leaderElection.isLeader$,
          {
            ...options.certificates,
            kubeConfig: options.kubeConfig,
            namespace: options.namespace,
            // The injector's webhook trusts the bundle that signs its certificate.
            ...(injector
              ? { webhookConfigurations: [topologyInjectorWebhookName(options.namespace)] }
              : {}),
          },
          options.logging.component('certgen'),
          (notAfter) => rateLimit.certificatesRotated(notAfter),
        );
  // Wasm modules of EnvoyExtensionPolicies, served to the proxies through the egts Service on
  // Envoy Gateway's Wasm port; the module's sha256 in the filter is what Envoy checks.
  const wasm = createWasmCache({
    dir: join(tmpdir(), `egts-wasm-${process.pid}`),
    host: options.xds.host,
    port: options.wasmPort ?? WASM_PORT,
    publicHost: options.xdsService.host,
  });
  await wasm.listen();
  const gateway = await runGateway({
    provider,
    wasm,
    infra: (_xds, metrics) => {
      controlPlane = metrics.controlPlane;
      return { ...leader.infra, bootstrapRefusals$: refusals.refusals$ };
    },
    xds: options.xds,
    admin: options.admin,
    telemetry: options.telemetry,
    extensionManager: options.extensionManager,
    extensionManagers: options.extensionManagers,
    translate: {
      controllerName: options.controllerName,
      controllerNamespace: options.namespace,
      extensionApis: options.extensionApis ?? {},
      // Each pod's zone is its node's, and each fleet's local cluster its Service's endpoints
      // (the infra-manager's zoneAware): preferLocal applies.
      proxyLocality: { serviceNamespace: options.namespace },
      ...rateLimit.translate,
    },
    logging: options.logging,
  });
  const writer = writeKubernetesStatuses({
    kubeConfig: options.kubeConfig,
    namespace: options.namespace,
    provider,
    statuses$: gateway.statuses$,
    infraIR$: leader.infraIR$,
    zoneFrom: injector ? 'annotation' : 'label',
    log: options.logging.component('status'),
  });
  return {
    ...gateway,
    async close() {
      await writer.stop();
      leader.stop();
      rateLimit.stop();
      await rotation?.stop();
      await gateway.close();
      await wasm.close();
      await injector?.close();
      await leaderElection.stop();
    },
  };
}
