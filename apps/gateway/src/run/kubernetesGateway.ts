// Envoy Gateway's Kubernetes mode: resources from the API server (informers), statuses written
// back (Gateways with their proxies' addresses and availability), proxies as Deployments and
// Services, xDS certificates rotated; only the replica holding the Lease writes status,
// infrastructure and certificates, every replica serves xDS.

import { isDeepStrictEqual } from 'node:util';
import type { ResourceStatus, Service } from '@egts/api';
import {
  type CertificateRotation,
  type CertificateRotationOptions,
  startCertificateRotation,
} from '@egts/certgen';
import {
  createKubernetesInfraManager,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  type NodeAddressFields,
  nodeAddresses,
  type ProxyWorkload,
  withInfraStatus,
} from '@egts/infra-manager';
import type { InfraIR } from '@egts/ir';
import {
  createKubernetesProvider,
  startLeaderElection,
  type WatchMode,
  watchObjects,
} from '@egts/provider-kubernetes';
import type { TlsFiles } from '@egts/xds-server';
import type { KubeConfig } from '@kubernetes/client-node';
import { BehaviorSubject, combineLatest, distinctUntilChanged, filter, map, startWith } from 'rxjs';
import type { Logging } from '../logging.js';
import type { InfraManager } from '../pipeline/ports.js';
import { type RunningGateway, runGateway } from './runGateway.js';

export interface KubernetesGatewayOptions {
  kubeConfig: KubeConfig;
  controllerName: string;
  /** Where egts runs: the Lease, and the proxies' default namespace. */
  namespace: string;
  watch: WatchMode;
  /** With `tls`, xDS is served over mTLS: proxies present the `envoy` Secret's certificate. */
  xds: { host: string; port: number; tls?: TlsFiles | undefined };
  admin: { host: string; port: number };
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
  logging: Logging;
}

// Envoy Gateway's leader election Lease name, so the two never lead at once in one namespace.
const LEASE_NAME = '5b9825d2.gateway.envoyproxy.io';

export async function runKubernetesGateway(
  options: KubernetesGatewayOptions,
): Promise<RunningGateway> {
  const log = options.logging.component('provider');
  const leaderElection = startLeaderElection({
    kubeConfig: options.kubeConfig,
    namespace: options.namespace,
    name: LEASE_NAME,
    log: (message) => log.info(message),
  });
  const provider = createKubernetesProvider({
    kubeConfig: options.kubeConfig,
    controllerName: options.controllerName,
    watch: options.watch,
    leaderElection,
    log: (message) => log.info(message),
  });
  const manager = createKubernetesInfraManager({
    kubeConfig: options.kubeConfig,
    xds: options.xdsService,
  });
  // Only the leader changes infrastructure; a new leader applies the latest Infra IR at once.
  const infraIR$ = new BehaviorSubject<InfraIR | undefined>(undefined);
  const infra: InfraManager = {
    apply: async (infraIR) => {
      infraIR$.next(infraIR);
      if (leaderElection.isLeader()) await manager.apply(infraIR);
    },
    close: async () => {},
  };
  const leading = leaderElection.isLeader$.subscribe((isLeader) => {
    const latest = infraIR$.value;
    if (!isLeader || latest === undefined) return;
    manager
      .apply(latest)
      .catch((error: unknown) => log.error({ err: error }, 'infrastructure update failed'));
  });
  // Certificates are rotated by the leader only (two writers would race), and continuously: the
  // chart's certgen Job runs only at install and upgrade.
  const certLog = options.logging.component('certgen');
  let rotation: CertificateRotation | undefined;
  const rotating = leaderElection.isLeader$.subscribe((isLeader) => {
    if (options.xds.tls === undefined) return;
    if (isLeader && rotation === undefined) {
      rotation = startCertificateRotation({
        ...options.certificates,
        kubeConfig: options.kubeConfig,
        namespace: options.namespace,
        onRotated: (result) => certLog.info(result, 'xDS certificates rotated'),
        onError: (error) => certLog.error({ err: error }, 'xDS certificate rotation failed'),
      });
    } else if (!isLeader && rotation !== undefined) {
      void rotation.stop();
      rotation = undefined;
    }
  });
  const gateway = await runGateway({
    provider,
    infra: () => infra,
    xds: options.xds,
    admin: options.admin,
    translate: { controllerName: options.controllerName, controllerNamespace: options.namespace },
    logging: options.logging,
  });
  const statusLog = options.logging.component('status');
  // Gateway addresses come from the proxy Services the provider watches: a Service gaining its
  // load balancer ingress rewrites its Gateway's status without a new translation.
  const proxyServices$ = provider.resources$.pipe(
    map(({ resources }) =>
      resources.services.filter((s) => s.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY),
    ),
    distinctUntilChanged<Service[]>(isDeepStrictEqual),
  );
  // And a Gateway is Programmed once a proxy replica is available: its Deployment's or DaemonSet's
  // status, watched where the proxies run.
  const workloadWatches = ['deployments', 'daemonsets'].map((plural) =>
    watchObjects({
      kubeConfig: options.kubeConfig,
      path: `/apis/apps/v1/namespaces/${options.namespace}/${plural}`,
      labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY}`,
      log: (message) => log.info(message),
    }),
  );
  const workloads$ = combineLatest(workloadWatches.map((w) => w.objects$)).pipe(
    map((lists) => lists.flat() as unknown as ProxyWorkload[]),
  );
  // NodePort Services are reached on the nodes' addresses. Starts empty so that a cluster where
  // nodes cannot be listed still gets its other statuses written.
  const nodeWatch = watchObjects({
    kubeConfig: options.kubeConfig,
    path: '/api/v1/nodes',
    log: (message) => log.info(message),
  });
  const nodeAddresses$ = nodeWatch.objects$.pipe(
    map((nodes) => nodeAddresses(nodes as unknown as readonly NodeAddressFields[])),
    startWith([] as string[]),
    distinctUntilChanged<string[]>(isDeepStrictEqual),
  );
  const writing = combineLatest([
    gateway.pipeline.statuses$,
    infraIR$.pipe(filter((ir) => ir !== undefined)),
    proxyServices$,
    workloads$,
    nodeAddresses$,
  ])
    .pipe(
      map(([statuses, infraIR, services, workloads, nodes]) =>
        withInfraStatus(statuses, infraIR, { services, workloads, nodeAddresses: nodes }),
      ),
      distinctUntilChanged<ResourceStatus[]>(isDeepStrictEqual),
    )
    .subscribe((statuses) => {
      if (statuses.length === 0) return;
      provider
        .writeStatus(statuses)
        .catch((error: unknown) => statusLog.error({ err: error }, 'status write failed'));
    });
  return {
    ...gateway,
    async close() {
      writing.unsubscribe();
      await Promise.all([...workloadWatches, nodeWatch].map((w) => w.stop()));
      leading.unsubscribe();
      rotating.unsubscribe();
      await rotation?.stop();
      await gateway.close();
      await leaderElection.stop();
    },
  };
}
