// Route-only changes: only the Gateways the changed routes name are translated again, and the
// result (xDS served, IR, statuses) equals a full translation of the same input.
import { loadResourcesFromText, type Resources } from '@egts/api';
import { createSnapshotCache, type SnapshotCache, UPDATE_ORDER } from '@egts/xds-server';
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../admin/metrics.js';
import { createLogging } from '../logging.js';
import { createPipeline } from './createPipeline.js';
import type { ProviderSnapshot } from './ports.js';

const base = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: v1
kind: Service
metadata: {name: app, namespace: default}
spec: {ports: [{name: http, port: 8080}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: app-1, namespace: default, labels: {kubernetes.io/service-name: app}}
addressType: IPv4
endpoints: [{addresses: [10.0.0.1], conditions: {ready: true}}]
ports: [{name: http, port: 8080}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: a, namespace: default}
spec: {gatewayClassName: eg, listeners: [{name: http, protocol: HTTP, port: 80}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: b, namespace: default}
spec: {gatewayClassName: eg, listeners: [{name: http, protocol: HTTP, port: 80}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: c, namespace: default}
spec: {gatewayClassName: eg, listeners: [{name: http, protocol: HTTP, port: 80}]}
`;
const route = (name: string, parents: string[], prefix: string, backend = 'app') => `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: default}
spec:
  parentRefs: [${parents.map((p) => `{name: ${p}}`).join(', ')}]
  rules: [{matches: [{path: {type: PathPrefix, value: ${prefix}}}], backendRefs: [{name: ${backend}, port: 8080}]}]
`;

const load = (text: string): Resources => loadResourcesFromText(text, 'test').resources;

function setup() {
  const logs: string[] = [];
  const provider = new Subject<ProviderSnapshot>();
  const cache = createSnapshotCache();
  const sets: string[] = [];
  const original = cache.setSnapshot.bind(cache);
  cache.setSnapshot = (group, snapshot) => {
    sets.push(group);
    original(group, snapshot);
  };
  const pipeline = createPipeline({
    provider: { resources$: provider },
    cache,
    logging: createLogging({ default: 'debug' }, { write: (line: string) => logs.push(line) }),
    metrics: createMetrics(),
  });
  const push = (resources: Resources) => provider.next({ resources, problems: [] });
  const incremental = () => logs.filter((l) => l.includes('route-only update')).length;
  return { push, cache, sets, pipeline, incremental };
}

const versions = (cache: SnapshotCache) =>
  Object.fromEntries(
    [...cache.groups()]
      .sort()
      .map((group) => [
        group,
        UPDATE_ORDER.map((type) =>
          [...(cache.getSnapshot(group)?.snapshot.resources(type) ?? [])].map(
            ([n, r]) => `${n}@${r.version}`,
          ),
        ),
      ]),
  );

const bySortedKey = <T extends { kind: string; metadata: { name: string; namespace?: string } }>(
  list: readonly T[],
) =>
  [...list].sort((x, y) => {
    const kx = `${x.kind}/${x.metadata.namespace}/${x.metadata.name}`;
    const ky = `${y.kind}/${y.metadata.namespace}/${y.metadata.name}`;
    return kx < ky ? -1 : kx > ky ? 1 : 0;
  });

const fresh = (resources: Resources) => {
  const { push, cache, pipeline } = setup();
  push(resources);
  return { versions: versions(cache), statuses: pipeline.statuses$.value, ir: pipeline.xdsIR };
};

/** Applies each input in turn and checks the served state against a full translation. */
function follow(steps: { text: string; touched: string[] }[]) {
  const { push, cache, sets, pipeline, incremental } = setup();
  const first = load(base + route('r1', ['a'], '/one') + route('r2', ['b'], '/two'));
  push(first);
  let previous = first;
  for (const [i, step] of steps.entries()) {
    // Unchanged objects keep their identity, as the file provider gives them.
    const next = load(step.text);
    const keep = (now: unknown[], was: unknown[]) =>
      now.map((o) => was.find((w) => JSON.stringify(w) === JSON.stringify(o)) ?? o);
    const resources = Object.fromEntries(
      Object.entries(next).map(([k, v]) => [
        k,
        keep(v as unknown[], previous[k as keyof Resources] as unknown[]),
      ]),
    ) as unknown as Resources;
    sets.length = 0;
    push(resources);
    expect(incremental(), `step ${i} took the incremental path`).toBe(i + 1);
    expect(sets.sort(), `step ${i} pushed`).toEqual(step.touched);
    const full = fresh(resources);
    expect(versions(cache), `step ${i} xDS`).toEqual(full.versions);
    expect([...pipeline.xdsIR].sort(), `step ${i} IR`).toEqual([...full.ir].sort());
    expect(bySortedKey(pipeline.statuses$.value), `step ${i} statuses`).toEqual(
      bySortedKey(full.statuses),
    );
    previous = resources;
  }
  pipeline.stop();
}

describe('route-only changes', () => {
  it('re-translate only the Gateways a route names, as a full translation would', () => {
    follow([
      // edit r1 (on a)
      {
        text: base + route('r1', ['a'], '/uno') + route('r2', ['b'], '/two'),
        touched: ['default/a'],
      },
      // add r3 on a and c
      {
        text:
          base +
          route('r1', ['a'], '/uno') +
          route('r2', ['b'], '/two') +
          route('r3', ['a', 'c'], '/three'),
        touched: ['default/a', 'default/c'],
      },
      // move r2 from b to c
      {
        text:
          base +
          route('r1', ['a'], '/uno') +
          route('r2', ['c'], '/two') +
          route('r3', ['a', 'c'], '/three'),
        touched: ['default/b', 'default/c'],
      },
      // a route with a missing backend (ResolvedRefs=False), then delete r3
      {
        text: base + route('r1', ['a'], '/uno', 'nope') + route('r2', ['c'], '/two'),
        touched: ['default/a', 'default/c'],
      },
      // a route naming a Gateway that does not exist
      {
        text:
          base +
          route('r1', ['a'], '/uno', 'nope') +
          route('r2', ['c'], '/two') +
          route('r4', ['zz'], '/four'),
        touched: [],
      },
    ]);
  });

  it('translate everything when policies or other kinds are part of the change', () => {
    const { push, pipeline, incremental } = setup();
    push(load(base + route('r1', ['a'], '/one')));
    const policy = `---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: {name: p, namespace: default}
spec: {targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: r1}]}
`;
    const withPolicy = load(base + route('r1', ['a'], '/one') + policy);
    push(withPolicy);
    push({ ...withPolicy, httpRoutes: load(base + route('r1', ['a'], '/x')).httpRoutes });
    expect(incremental()).toBe(0);
    expect(pipeline.statuses$.value.some((s) => s.kind === 'BackendTrafficPolicy')).toBe(true);
    pipeline.stop();
  });
});
