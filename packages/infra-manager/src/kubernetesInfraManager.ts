// Kubernetes infrastructure: keeps one set of objects per proxy fleet of the Infra IR (Envoy
// Gateway's Kubernetes infrastructure provider) with server-side apply, and deletes what no fleet needs.

import { findEnvoy } from '@egts/envoy-binary';
import type { InfraIR, ProxyInfra } from '@egts/ir';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { createBootstrapJudge } from './bootstrapJudge.js';
import type { ProxyEvent } from './events.js';
import { deleteInBackground, isNotFound, lazyObjectClient } from './internal/kubernetesClient.js';
import {
  COMPONENT_LABEL,
  FLEET_KINDS,
  fleetObjectNames,
  type KubeObject,
  kubernetesObjects,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  proxyPodFiles,
  type ZoneSource,
} from './internal/kubernetesObjects.js';
import { validateAsPod } from './internal/podValidation.js';
import {
  type GatewayStatusAddress,
  type ServiceAddressFields,
  serviceAddresses,
} from './serviceAddresses.js';

export interface KubernetesInfraManagerOptions {
  readonly kubeConfig: KubeConfig;
  /** Where proxies reach the xDS server (the egts Service), e.g. `envoy-gateway.envoy-gateway-system.svc.cluster.local` : 18000. */
  readonly xds: { readonly host: string; readonly port: number };
  /** Secret with the proxies' xDS client certificate (`ca.crt`, `tls.crt`, `tls.key`); default `envoy`. */
  readonly certsSecret?: string;
  /** Envoy image when the EnvoyProxy sets none. */
  readonly image?: string;
  /** Server-side apply field manager; default `egts`. */
  readonly fieldManager?: string;
  /**
   * The Envoy that validates EnvoyProxy bootstraps (`envoy --mode validate`) before a fleet's
   * ConfigMap gets one; default `findEnvoy()` when there is one. Without it, only a patch that
   * does not apply is refused (a result Envoy refuses then fails the new pods' readiness).
   */
  readonly envoyPath?: string;
  /** A fleet's EnvoyProxy bootstrap refused (it keeps its last good objects), or accepted again. */
  readonly onEvent?: (event: ProxyEvent) => void;
  /**
   * Zone-aware proxies: each pod's zone (its node's, see kubernetesObjects) is its Envoy's
   * locality, and its bootstrap names `local_cluster`, which the xDS server must then serve for
   * every fleet (the gatewayapi-translator's `proxyLocality`). Default false.
   */
  readonly zoneAware?: boolean;
  /**
   * Where a zone-aware pod reads its zone: `annotation` (default), written by egts's topology
   * injector (createTopologyInjector) at binding, as Envoy Gateway's proxies read it; `label`,
   * copied by the API server itself where PodTopologyLabelsAdmission is on (beta from Kubernetes
   * 1.35), for a cluster that runs no topology injector.
   */
  readonly zoneFrom?: ZoneSource;
  /** Every object written: applied or deleted, how long the API server took, whether it did. */
  readonly onObject?: (write: ObjectWrite) => void;
}

/** One object the infra-manager applied or deleted (Envoy Gateway's `resource_*` metrics). */
export interface ObjectWrite {
  readonly operation: 'apply' | 'delete';
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly seconds: number;
  readonly ok: boolean;
}

export interface KubernetesInfraManager {
  /**
   * Makes the cluster match `infraIR`: applies every fleet's objects (server-side apply, forced: we
   * own these fields) and deletes objects of fleets that are gone, in every namespace a fleet was
   * in. Calls are applied in order.
   */
  apply(infraIR: InfraIR): Promise<void>;
  /**
   * The addresses of a fleet's Service for its Gateway's status.addresses (GEP-1651), read from the
   * API server (see `serviceAddresses`).
   */
  addresses(proxy: ProxyInfra): Promise<GatewayStatusAddress[]>;
}

export const DEFAULT_ENVOY_IMAGE = 'docker.io/envoyproxy/envoy:distroless-v1.36.2';

const anEnvoy = (): string | undefined => {
  try {
    return findEnvoy();
  } catch {
    return undefined;
  }
};

/** The bootstrap a fleet's ConfigMap carries. */
const bootstrapOf = (objects: readonly KubeObject[]): object => {
  const configMap = objects.find((o) => o.kind === 'ConfigMap') as
    | (KubeObject & { data?: Record<string, string> })
    | undefined;
  return JSON.parse(configMap?.data?.['envoy.json'] ?? '{}') as object;
};

export const createKubernetesInfraManager = (
  options: KubernetesInfraManagerOptions,
): KubernetesInfraManager => {
  const client = lazyObjectClient(options.kubeConfig);
  const fieldManager = options.fieldManager ?? 'egts';
  const namespaces = new Set<string>();
  let queue: Promise<void> = Promise.resolve();
  const judge = createBootstrapJudge({
    envoyPath: options.envoyPath ?? anEnvoy(),
    validate: validateAsPod(proxyPodFiles()),
    onEvent: options.onEvent,
  });

  /** Runs one write of `object`, reporting it to `onObject`. */
  const timed = async (
    operation: ObjectWrite['operation'],
    object: { kind?: string; metadata?: { name?: string; namespace?: string } },
    write: () => Promise<unknown>,
  ): Promise<void> => {
    const started = performance.now();
    const report = (ok: boolean) =>
      options.onObject?.({
        operation,
        kind: object.kind ?? '',
        name: object.metadata?.name ?? '',
        namespace: object.metadata?.namespace ?? '',
        seconds: (performance.now() - started) / 1000,
        ok,
      });
    try {
      await write();
    } catch (error) {
      report(false);
      throw error;
    }
    report(true);
  };

  const gatewayClassOwner = async (name: string) => {
    const { api } = await client();
    try {
      const gc = await api.read({
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'GatewayClass',
        metadata: { name },
      });
      return gc.metadata?.uid ? { name, uid: gc.metadata.uid } : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  };

  const applyNow = async (infraIR: InfraIR): Promise<void> => {
    const { api, serverSideApply } = await client();
    const wanted = new Set<string>();
    for (const proxy of infraIR.proxies) {
      namespaces.add(proxy.namespace);
      const owner = await gatewayClassOwner(proxy.owner.gatewayClass);
      let objects: KubeObject[] | { error: string };
      try {
        objects = kubernetesObjects(proxy, {
          xds: options.xds,
          certsSecret: options.certsSecret ?? 'envoy',
          image: options.image ?? DEFAULT_ENVOY_IMAGE,
          ...(owner ? { owner } : {}),
          ...(options.zoneAware ? { zoneAware: true } : {}),
          ...(options.zoneFrom ? { zoneFrom: options.zoneFrom } : {}),
        });
      } catch (error) {
        objects = { error: (error as Error).message };
      }
      let refused: string | undefined;
      // A bootstrap or an object patch that does not apply is refused with the field it names.
      if (proxy.bootstrap || 'error' in objects)
        refused = await judge.judge(
          proxy.name,
          'error' in objects ? objects : bootstrapOf(objects),
        );
      else judge.accept(proxy.name);
      if (refused !== undefined || 'error' in objects) {
        // An EnvoyProxy bootstrap refused: this fleet keeps the objects it has (its proxies
        // their last good bootstrap); the other fleets go on.
        const names = Object.values(fleetObjectNames(proxy));
        for (const { kind } of FLEET_KINDS)
          for (const name of names) wanted.add(`${kind}/${proxy.namespace}/${name}`);
        continue;
      }
      for (const object of objects) {
        wanted.add(`${object.kind}/${object.metadata.namespace}/${object.metadata.name}`);
        // Server-side apply: the API server merges our fields and owns conflicts for us
        // (Kubernetes "Server-Side Apply"); force, since these objects are ours by label.
        await timed('apply', object, () =>
          api.patch(
            object as unknown as KubernetesObject,
            undefined,
            undefined,
            fieldManager,
            true,
            serverSideApply,
          ),
        );
      }
    }
    judge.retain(new Set(infraIR.proxies.map((proxy) => proxy.name)));
    // Anything we manage that no fleet wants any more goes (a removed Gateway, an HPA no longer asked for).
    for (const namespace of namespaces) {
      for (const { apiVersion, kind } of FLEET_KINDS) {
        const list = await api.list<KubeObject & KubernetesObject>(
          apiVersion,
          kind,
          namespace,
          undefined,
          undefined,
          undefined,
          undefined,
          // Proxy objects only: the rate limit service's (kubernetesRateLimit.ts) live beside them.
          `${MANAGED_BY_LABEL}=${MANAGED_BY},${COMPONENT_LABEL}=proxy`,
        );
        for (const item of list.items) {
          const key = `${kind}/${item.metadata.namespace}/${item.metadata.name}`;
          if (wanted.has(key)) continue;
          const gone = { apiVersion, kind, metadata: item.metadata } as KubernetesObject;
          await timed('delete', gone, () => deleteInBackground(api, gone));
        }
      }
    }
  };

  return {
    apply: (infraIR) => {
      const next = queue.then(() => applyNow(infraIR));
      queue = next.catch(() => undefined);
      return next;
    },
    addresses: async (proxy) => {
      const { api } = await client();
      try {
        const service = await api.read<KubernetesObject & ServiceAddressFields>({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: fleetObjectNames(proxy).service, namespace: proxy.namespace },
        });
        return serviceAddresses(service, proxy.addresses.length > 0);
      } catch (error) {
        if (isNotFound(error)) return [];
        throw error;
      }
    },
  };
};
