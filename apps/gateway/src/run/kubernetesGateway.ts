// Kubernetes mode: resources from the API server (with leader election), proxies as Deployments
// the leader applies, statuses written back, and xDS certificates rotated while leading.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExtensionManager } from '@egts/api';
import { type CertificateRotationOptions, topologyInjectorWebhookName } from '@egts/certgen';
import type { TranslateOptions } from '@egts/gatewayapi-translator';
import { createKubernetesInfraManager, createWasmCache } from '@egts/infra-manager';
import type { WatchMode } from '@egts/provider-kubernetes';
import type { TlsFiles } from '@egts/xds-server';
import type { KubeConfig } from '@kubernetes/client-node';
import {
  type ControlPlaneMetrics,
  countObjectWrite,
  countStatusUpdate,
} from '../admin/controlPlaneMetrics.js';
import type { ControlPlaneTelemetry } from '../admin/telemetryServer.js';
import type { Logging } from '../logging.js';
import { bootstrapRefusals } from '../pipeline/bootstrapRefusals.js';
import { kubernetesRateLimit } from './kubernetesRateLimit.js';
import { kubernetesResources } from './kubernetesResources.js';
import { writeKubernetesStatuses } from './kubernetesStatus.js';
import { rotateCertificatesWhileLeading } from './leaderCertificates.js';
import { leaderInfra } from './leaderInfra.js';
import type { RateLimitOptions } from './rateLimitOptions.js';
import { type RunningGateway, runGateway } from './runGateway.js';
import { startTopologyInjector } from './topologyInjector.js';

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
