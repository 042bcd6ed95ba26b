// The control plane's pipeline (DESIGN.md "Data flow"): one runner per stage, each subscribing to
// one stream and publishing one. provider -> translator -> { statuses$, xdsIR$ per Gateway ->
// xDS snapshots, infraIR$ -> infrastructure }. One failing stage never stops the others.

import type { ProviderSnapshot, ResourceStatus } from '@egts/api';
import type { TranslateOptions } from '@egts/gatewayapi-translator';
import type { XdsIR } from '@egts/ir';
import type { SnapshotCache } from '@egts/xds-server';
import type { XdsResources } from '@egts/xds-translator';
import { type BehaviorSubject, type Observable, of, Subscription } from 'rxjs';
import type { Metrics } from '../admin/metrics.js';
import type { Logging } from '../logging.js';
import type { ClustersFirstOptions } from './clustersFirst.js';
import { fleetStatuses } from './fleetStatuses.js';
import { runInfra } from './infraRunner.js';
import type { InfraManager } from './ports.js';
import { runProvider } from './providerRunner.js';
import { runStatus } from './statusRunner.js';
import { type DiscoveryOptions, runTranslator } from './translatorRunner.js';
import { runWasm, type WasmResolver } from './wasmRunner.js';
import { runXds } from './xdsRunner.js';

export interface PipelineOptions {
  provider: { readonly resources$: Observable<ProviderSnapshot> };
  translate?: TranslateOptions;
  /**
   * OpenID provider discovery beside the translator (default: on, with the global fetch and
   * default back-off); `false` never fetches.
   */
  oidcDiscovery?: DiscoveryOptions | false | undefined;
  cache: SnapshotCache;
  infra?: InfraManager | undefined;
  logging: Logging;
  metrics: Metrics;
  /**
   * The control plane's Wasm cache (host mode): each Gateway's IR passes through it, in order,
   * so that the xDS translator finds where every Wasm module is served.
   */
  wasm?: WasmResolver | undefined;
  /** Push each Gateway's clusters before its listeners and routes the first time (a cold start). */
  clustersFirst?: ClustersFirstOptions | undefined;
  /** The extension server's hooks on each Gateway's xDS resources (EnvoyGateway extensionManager). */
  extension?: { extend(ir: XdsIR, resources: XdsResources): Promise<XdsResources> } | undefined;
}

export interface Pipeline {
  /** The statuses of the latest translation (empty before the first). */
  readonly statuses$: BehaviorSubject<readonly ResourceStatus[]>;
  /** The problems the provider reported with its latest snapshot. */
  readonly problems$: BehaviorSubject<ProviderSnapshot['problems']>;
  /**
   * Accepted=False statuses of the resources the provider refused (never translated): shown with
   * `statuses$`, not written by the Kubernetes status writer (the API server stores what it accepts).
   */
  readonly refused$: BehaviorSubject<readonly ResourceStatus[]>;
  /** The xDS IR each Gateway is served from now, by name. */
  readonly xdsIR: ReadonlyMap<string, XdsIR>;
  /**
   * The resource behind `resourceName` (an Envoy route, cluster, listener...) in the snapshot of
   * fleet `fleet`: the route it comes from, else the fleet's Gateway (or GatewayClass).
   */
  readonly sourceOf: (
    fleet: string,
    resourceName?: string,
  ) => { kind: string; namespace?: string; name: string } | undefined;
  /** True once the first snapshot was translated and served (and, with infrastructure, applied). */
  readonly ready: () => boolean;
  stop(): void;
}

export function createPipeline(options: PipelineOptions): Pipeline {
  const { logging, metrics } = options;
  const provider = runProvider(options.provider.resources$, logging.component('provider'));
  const translator = runTranslator(provider.resources$, {
    translate: options.translate,
    oidcDiscovery: options.oidcDiscovery,
    metrics,
    log: logging.component('gatewayapi-translator'),
  });
  // Infrastructure before xDS: a proxy started as soon as the Infra IR is known boots while its
  // xDS resources are translated (an Infra IR is published before the xDS IR it goes with).
  const infra = runInfra(
    translator.infraIR$,
    options.infra,
    logging.component('infrastructure'),
    metrics.controlPlane,
  );
  const wasm = runWasm(translator.xdsIR$, options.wasm);
  const xds = runXds(wasm.xdsIR$, {
    cache: options.cache,
    metrics,
    log: logging.component('xds-translator'),
    clustersFirst: options.clustersFirst,
    extension: options.extension,
  });
  const statuses = fleetStatuses({
    statuses$: translator.statuses$,
    infraIR$: translator.infraIR$,
    patchOutcomes$: xds.patchOutcomes$,
    wasmFailures$: wasm.failures$,
    refusals$: options.infra?.bootstrapRefusals$ ?? of(new Map<string, string>()),
  });
  const status = runStatus(statuses.statuses$, logging.component('status'));

  const subscription = new Subscription();
  subscription.add(status.subscription);
  subscription.add(xds.subscription);
  subscription.add(infra.subscription);
  subscription.add(statuses.subscription);
  // Last: a provider that replays its latest snapshot on subscription reaches every stage.
  subscription.add(translator.connect());
  return {
    statuses$: status.statuses$,
    problems$: provider.problems$,
    refused$: provider.refused$,
    xdsIR: xds.served,
    sourceOf: (fleet, resourceName) => {
      const route = resourceName === undefined ? undefined : xds.sourceOf(fleet, resourceName);
      if (route !== undefined)
        return { kind: route.kind, namespace: route.namespace, name: route.name };
      return statuses.owner(fleet);
    },
    ready: () => translator.translatedOnce() && infra.appliedOnce(),
    stop: () => subscription.unsubscribe(),
  };
}
