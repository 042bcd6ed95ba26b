// Kubernetes status runner: the translator's statuses in, written back to the API server with
// each Gateway's addresses and Programmed condition from its proxy objects (infra-manager's
// withInfraStatus): the proxy Services the provider watches, the Deployments or DaemonSets and
// the nodes, watched here; and BackendTrafficPolicy preferLocal reported where the proxy pods,
// watched here too, have no zone (withZonelessProxies). Only the provider's leader writes (see
// provider-kubernetes).
import { isDeepStrictEqual } from 'node:util';
import type { ResourceStatus, Service } from '@egts/api';
import {
  MANAGED_BY,
  MANAGED_BY_LABEL,
  type NodeAddressFields,
  nodeAddresses,
  PROXY_POD_SELECTOR,
  type PreferLocalPolicy,
  type ProxyPod,
  type ProxyWorkload,
  withInfraStatus,
  withZonelessProxies,
  type ZoneSource,
} from '@egts/infra-manager';
import type { InfraIR } from '@egts/ir';
import { type KubernetesProvider, watchObjects } from '@egts/provider-kubernetes';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { combineLatest, distinctUntilChanged, map, type Observable, startWith } from 'rxjs';

export interface KubernetesStatusOptions {
  kubeConfig: KubeConfig;
  /** Where the proxies run. */
  namespace: string;
  provider: KubernetesProvider;
  statuses$: Observable<readonly ResourceStatus[]>;
  infraIR$: Observable<InfraIR>;
  /**
   * Where proxy pods read their zone (the infra-manager's zoneFrom): a BackendTrafficPolicy's
   * zoneAware.preferLocal is reported not applied on Gateways whose bound pods have none.
   */
  zoneFrom?: ZoneSource;
  log: Logger;
}

export function writeKubernetesStatuses(options: KubernetesStatusOptions): {
  stop(): Promise<void>;
} {
  const { kubeConfig, provider, log } = options;
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
      kubeConfig,
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
    kubeConfig,
    path: '/api/v1/nodes',
    log: (message) => log.info(message),
  });
  const nodeAddresses$ = nodeWatch.objects$.pipe(
    map((nodes) => nodeAddresses(nodes as unknown as readonly NodeAddressFields[])),
    startWith([] as string[]),
    distinctUntilChanged<string[]>(isDeepStrictEqual),
  );
  // Proxy pods, for their zone (zonelessProxies.ts). Starts empty: no pod, nothing reported.
  const podWatch = watchObjects({
    kubeConfig,
    path: `/api/v1/namespaces/${options.namespace}/pods`,
    labelSelector: PROXY_POD_SELECTOR,
    log: (message) => log.info(message),
  });
  const pods$ = podWatch.objects$.pipe(
    map((pods) => pods as unknown as ProxyPod[]),
    startWith([] as ProxyPod[]),
  );
  const policies$ = provider.resources$.pipe(
    map(({ resources }) => resources.backendTrafficPolicies as readonly PreferLocalPolicy[]),
    distinctUntilChanged<readonly PreferLocalPolicy[]>(isDeepStrictEqual),
  );
  const writing = combineLatest([
    options.statuses$,
    options.infraIR$,
    proxyServices$,
    workloads$,
    nodeAddresses$,
    pods$,
    policies$,
  ])
    .pipe(
      map(([statuses, infraIR, services, workloads, nodes, pods, policies]) =>
        withZonelessProxies(
          withInfraStatus(statuses, infraIR, { services, workloads, nodeAddresses: nodes }),
          infraIR,
          pods,
          policies,
          options.zoneFrom ?? 'annotation',
        ),
      ),
      distinctUntilChanged<ResourceStatus[]>(isDeepStrictEqual),
    )
    .subscribe((statuses) => {
      if (statuses.length === 0) return;
      provider
        .writeStatus(statuses)
        .catch((error: unknown) => log.error({ err: error }, 'status write failed'));
    });
  return {
    async stop() {
      writing.unsubscribe();
      await Promise.all([...workloadWatches, nodeWatch, podWatch].map((w) => w.stop()));
    },
  };
}
