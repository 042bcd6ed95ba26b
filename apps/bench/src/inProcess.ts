// In-process measures: cold translation (Gateway API -> xDS resources), and the cost of one
// HTTPRoute change, one EndpointSlice change and one BackendTrafficPolicy change through the real
// pipeline (translation, snapshot, and the bytes the xDS server would send: resources whose
// content-hash version changed).
import { formatProblem, loadResourcesFromText, type Resources } from '@egts/api';
import { createMetrics, createPipeline, type ProviderSnapshot } from '@egts/gateway';
import { translate } from '@egts/gatewayapi-translator';
import { createSnapshotCache, type Snapshot, UPDATE_ORDER } from '@egts/xds-server';
import { translateXds } from '@egts/xds-translator';
import { pino } from 'pino';
import { Subject } from 'rxjs';
import {
  allObjects,
  endpointSlice,
  httpRouteObject,
  type Json,
  resolveOptions,
  type Scenario,
  securityPolicySpec,
  toText,
} from './scenarios.js';
import { allocated, MiB, median, round } from './stats.js';

export const load = (objects: readonly Json[]): Resources => {
  const { resources, problems } = loadResourcesFromText(toText(objects), 'bench');
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new Error(errors.slice(0, 5).map(formatProblem).join('\n'));
  return resources;
};

export interface ColdResult {
  scenario: string;
  routes: number;
  /** Median of `runs`: Gateway API -> IR, IR -> xDS messages, and both. */
  translateMs: number;
  xdsMs: number;
  totalMs: number;
  allocatedMiB: number;
  resources: number;
}

export const coldTranslation = (scenario: Scenario, runs: number): ColdResult => {
  const resources = load(allObjects(scenario));
  const once = () => {
    const started = performance.now();
    const { xdsIR } = translate(resources);
    const translated = performance.now();
    let count = 0;
    for (const ir of xdsIR) {
      const out = translateXds(ir, { mode: 'ads' });
      count += out.listeners.length + out.routes.length + out.clusters.length;
      count += out.endpoints.length + out.secrets.length;
    }
    const done = performance.now();
    return { translate: translated - started, xds: done - translated, count };
  };
  once(); // warm up (JIT)
  const samples = Array.from({ length: runs }, once);
  const { bytes } = allocated(once);
  return {
    scenario: scenario.name,
    routes: scenario.routes.length,
    translateMs: round(median(samples.map((s) => s.translate))),
    xdsMs: round(median(samples.map((s) => s.xds))),
    totalMs: round(median(samples.map((s) => s.translate + s.xds))),
    allocatedMiB: round(bytes / MiB),
    resources: samples[0]!.count,
  };
};

/** What one push changed: resources whose version differs from the group's previous snapshot. */
interface Push {
  gateways: Set<string>;
  bytes: number;
  /** How many resources changed version. */
  count: number;
  types: Set<string>;
}

const shortType = (typeUrl: string) => typeUrl.slice(typeUrl.lastIndexOf('.') + 1);

export interface ChangeResult {
  scenario: string;
  routes: number;
  change: ChangeKind;
  /** Median of the changes: provider snapshot in -> snapshots set in the cache. */
  ms: number;
  maxMs: number;
  /**
   * Median CPU time of the process during a change (user + system): on a shared, loaded machine
   * wall-clock time mostly says how busy it was.
   */
  cpuMs: number;
  /** Median bytes of the resources whose version changed (what Delta xDS sends). */
  bytes: number;
  /** Median count of the resources whose version changed. */
  resourcesPushed: number;
  gatewaysPushed: number;
  typesPushed: string[];
}

/**
 * Drives createPipeline with a provider under our control: the initial snapshot, then `changes`
 * single-object edits, each timed from the provider's emission until every snapshot is set (the
 * pipeline is synchronous without infrastructure, so `next()` returns when it is done).
 */
type ChangeKind = 'HTTPRoute' | 'EndpointSlice' | 'BackendTrafficPolicy' | 'SecurityPolicy';

/**
 * One SecurityPolicy of the scenario (the large shape has one per HTTPRoute) allowing another
 * client range: only the authorization of the route it targets should change.
 */
const changedSecurityPolicy = (resources: Resources, k: number): Resources => {
  const policies = resources.securityPolicies;
  if (policies.length === 0) throw new Error('the scenario has no SecurityPolicy');
  const i = (k * 7919) % policies.length;
  return {
    ...resources,
    securityPolicies: policies.map((p, j) =>
      j === i
        ? {
            ...p,
            spec: securityPolicySpec(
              p.spec.targetRefs as Json[],
              j,
              `10.${(j + k) % 250}.${k % 250}.0/24`,
            ) as typeof p.spec,
          }
        : p,
    ),
  };
};

/**
 * One BackendTrafficPolicy of the scenario (the large shape has one per HTTPRoute) with a new
 * connect timeout: only the clusters of the route it targets should change.
 */
const changedPolicy = (resources: Resources, k: number): Resources => {
  const policies = resources.backendTrafficPolicies;
  if (policies.length === 0) throw new Error('the scenario has no BackendTrafficPolicy');
  const i = (k * 7919) % policies.length;
  return {
    ...resources,
    backendTrafficPolicies: policies.map((p, j) =>
      j === i
        ? { ...p, spec: { ...p.spec, timeout: { tcp: { connectTimeout: `${10 + k}s` } } } }
        : p,
    ),
  };
};

export const changeCost = (scenario: Scenario, kind: ChangeKind, changes: number): ChangeResult => {
  const options = resolveOptions({ routes: scenario.routes.length });
  let resources = load(allObjects(scenario));
  const provider = new Subject<ProviderSnapshot>();
  const cache = createSnapshotCache();
  // Snapshots set during a change, compared with the group's previous one after the timing.
  const previous = new Map<string, Snapshot>();
  let sets: Array<{ group: string; snapshot: Snapshot }> = [];
  const watchAll = () => {
    for (const group of cache.groups()) {
      previous.set(group, cache.getSnapshot(group)!.snapshot);
      cache.watch(group, ({ snapshot }) => sets.push({ group, snapshot }));
    }
  };
  const diff = (): Push => {
    const push: Push = { gateways: new Set(), bytes: 0, count: 0, types: new Set() };
    for (const { group, snapshot } of sets) {
      const before = previous.get(group);
      previous.set(group, snapshot);
      push.gateways.add(group);
      for (const typeUrl of UPDATE_ORDER) {
        const old = before?.resources(typeUrl);
        for (const [name, resource] of snapshot.resources(typeUrl)) {
          if (old?.get(name)?.version === resource.version) continue;
          push.bytes += resource.resource.value.length;
          push.count += 1;
          push.types.add(shortType(typeUrl));
        }
      }
    }
    sets = [];
    return push;
  };
  const root = pino({ level: 'silent' });
  const pipeline = createPipeline({
    provider: { resources$: provider },
    cache,
    logging: { root, component: (component) => root.child({ component }) },
    metrics: createMetrics(),
  });
  provider.next({ resources, problems: [] });
  watchAll();
  if (cache.groups().length === 0) throw new Error(`${scenario.name}: nothing was served`);

  const samples: Array<{ ms: number; cpuMs: number; push: Push }> = [];
  for (let k = 1; k <= changes + 1; k++) {
    const i = (k * 7919) % scenario.routes.length;
    if (kind === 'HTTPRoute') {
      const [changed] = load([httpRouteObject(i, options, k)]).httpRoutes;
      const name = `route-${i}`;
      resources = {
        ...resources,
        httpRoutes: resources.httpRoutes.map((r) => (r.metadata.name === name ? changed! : r)),
      };
    } else if (kind === 'BackendTrafficPolicy') {
      resources = changedPolicy(resources, k);
    } else if (kind === 'SecurityPolicy') {
      resources = changedSecurityPolicy(resources, k);
    } else {
      const service = `svc-${k % options.servicesPerNamespace}`;
      const namespace = `team-${k % options.namespaces}`;
      const addresses = [`10.200.${k % 250}.1`, `10.200.${k % 250}.2`];
      const [changed] = load([endpointSlice(service, namespace, addresses, 8080)]).endpointSlices;
      const name = `${service}-1`;
      resources = {
        ...resources,
        endpointSlices: resources.endpointSlices.map((e) =>
          e.metadata.name === name && e.metadata.namespace === namespace ? changed! : e,
        ),
      };
    }
    const started = performance.now();
    const cpu = process.cpuUsage();
    provider.next({ resources, problems: [] });
    const used = process.cpuUsage(cpu);
    const ms = performance.now() - started;
    const cpuMs = (used.user + used.system) / 1000;
    const push = diff();
    if (k > 1) samples.push({ ms, cpuMs, push }); // the first change warms up
  }
  pipeline.stop();
  const last = samples[samples.length - 1]!.push;
  return {
    scenario: scenario.name,
    routes: scenario.routes.length,
    change: kind,
    ms: round(median(samples.map((s) => s.ms)), 2),
    maxMs: round(Math.max(...samples.map((s) => s.ms)), 2),
    cpuMs: round(median(samples.map((s) => s.cpuMs)), 2),
    bytes: median(samples.map((s) => s.push.bytes)),
    resourcesPushed: median(samples.map((s) => s.push.count)),
    gatewaysPushed: median(samples.map((s) => s.push.gateways.size)),
    typesPushed: [...last.types].sort(),
  };
};
