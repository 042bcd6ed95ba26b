// Route-only changes: only the Gateways the changed routes name are translated again, and the
// result (xDS served, IR, statuses) equals a full translation of the same input.
import { loadResourcesFromText, type Resources } from '@egts/api';
import type { ResourceStatus } from '@egts/gatewayapi-translator';
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
  const spliced = () =>
    logs.filter((l) => l.includes('route-only update') && l.includes('"spliced":true')).length;
  return { push, cache, sets, pipeline, incremental, spliced };
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

/** `next` with every object equal to one of `previous` replaced by it, as providers keep them. */
const keepIdentity = (previous: Resources, next: Resources): Resources => {
  const keep = (now: unknown[], was: unknown[]) => {
    const byText = new Map(was.map((w) => [JSON.stringify(w), w]));
    return now.map((o) => byText.get(JSON.stringify(o)) ?? o);
  };
  return Object.fromEntries(
    Object.entries(next).map(([k, v]) => [
      k,
      keep(v as unknown[], previous[k as keyof Resources] as unknown[]),
    ]),
  ) as unknown as Resources;
};

/** Applies each input in turn and checks the served state against a full translation. */
function follow(
  steps: { text: string; touched?: string[] }[],
  first = load(base + route('r1', ['a'], '/one') + route('r2', ['b'], '/two')),
) {
  const { push, cache, sets, pipeline, incremental, spliced } = setup();
  push(first);
  let previous = first;
  const statuses: (readonly ResourceStatus[])[] = [];
  for (const [i, step] of steps.entries()) {
    const resources = keepIdentity(previous, load(step.text));
    sets.length = 0;
    push(resources);
    expect(incremental(), `step ${i} took the incremental path`).toBe(i + 1);
    if (step.touched !== undefined) expect(sets.sort(), `step ${i} pushed`).toEqual(step.touched);
    const full = fresh(resources);
    expect(versions(cache), `step ${i} xDS`).toEqual(full.versions);
    expect([...pipeline.xdsIR].sort(), `step ${i} IR`).toEqual([...full.ir].sort());
    expect(bySortedKey(pipeline.statuses$.value), `step ${i} statuses`).toEqual(
      bySortedKey(full.statuses),
    );
    statuses.push(pipeline.statuses$.value);
    previous = resources;
  }
  pipeline.stop();
  return { spliced: spliced(), statuses };
}

describe('route-only changes', () => {
  it('re-translate only the Gateways a route names, as a full translation would', () => {
    const { spliced } = follow([
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
    expect(spliced, 'HTTPRoute changes are spliced in').toBe(5);
  });

  const routePolicies = `---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: {name: route, namespace: default}
spec: {targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: r1}, {group: gateway.networking.k8s.io, kind: GRPCRoute, name: r2}], cors: {allowOrigins: ['https://a.example']}}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: {name: gateway, namespace: default}
spec: {targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: a}, {group: gateway.networking.k8s.io, kind: Gateway, name: d, sectionName: http}]}
`;
  it.each([
    ['without policies', ''],
    ['with policies', routePolicies],
  ])(
    'splice many kinds of HTTP and gRPC route changes as a full translation would, %s',
    (_, policies) => {
      // Routes made to tie on precedence (same path lengths, shared hostnames) without selecting
      // the same requests (that is RouteRulesOverlap, which is translated in full), some with
      // timestamps, HTTPRoutes and GRPCRoutes of one name, several rules, matches and hostnames,
      // on Gateways with HTTP and HTTPS listeners; edited, added, deleted and moved at random.
      const gateways = `---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: d, namespace: default}
spec:
  gatewayClassName: eg
  listeners:
  - {name: http, protocol: HTTP, port: 80, hostname: "*.example.com"}
  - {name: other, protocol: HTTP, port: 8080}
`;
      const stamps = ['', '2024-01-01T00:00:00Z', '2023-01-01T00:00:00Z'];
      let seed = 11;
      const random = (n: number) => {
        seed = (seed * 48271) % 2147483647;
        return seed % n;
      };
      type Spec = { kind: string; name: string; gateways: string[]; path: number; version: number };
      const text = (specs: Spec[]) =>
        base +
        gateways +
        policies +
        specs
          .map((r) => {
            const stamp = stamps[Number(r.name.slice(1)) % stamps.length];
            const meta = `{name: ${r.name}, namespace: default${stamp ? `, creationTimestamp: "${stamp}"` : ''}}`;
            const parents = `[${r.gateways.map((g) => `{name: ${g}}`).join(', ')}]`;
            const hostnames = '[a.example.com, b.example.com]';
            const rules =
              r.kind === 'HTTPRoute'
                ? `[{matches: [{path: {type: PathPrefix, value: /p${r.path}/${r.name}}}, {path: {type: Exact, value: /h/${r.name}}}], backendRefs: [{name: app, port: 8080}]}, {matches: [{path: {type: PathPrefix, value: /v${r.version}/${r.name}}}], backendRefs: [{name: ${r.version % 3 === 0 ? 'nope' : 'app'}, port: 8080}]}]`
                : `[{matches: [{method: {service: s, method: ${r.name}}}], backendRefs: [{name: app, port: 8080}]}, {matches: [{method: {service: v${r.version}${r.name}}}], backendRefs: [{name: app, port: 8080}]}]`;
            return `---
apiVersion: gateway.networking.k8s.io/v1
kind: ${r.kind}
metadata: ${meta}
spec: {parentRefs: ${parents}, hostnames: ${hostnames}, rules: ${rules}}
`;
          })
          .join('');
      const pick = () => [['a'], ['d'], ['a', 'd'], ['b'], ['zz']][random(5)]!;
      let specs: Spec[] = Array.from({ length: 12 }, (_, i) => ({
        kind: i % 3 === 2 ? 'GRPCRoute' : 'HTTPRoute',
        name: `r${i % 8}`,
        gateways: pick(),
        path: random(3),
        version: 0,
      }));
      const steps: { text: string }[] = [];
      for (let step = 0; step < 40; step++) {
        specs = specs.map((r) => ({ ...r }));
        const target = specs[random(specs.length)]!;
        const action = random(6);
        if (action === 0) specs.splice(specs.indexOf(target), 1);
        else if (action === 1)
          specs.push({
            kind: random(2) ? 'HTTPRoute' : 'GRPCRoute',
            name: `r${8 + random(6)}`,
            gateways: pick(),
            path: random(3),
            version: step,
          });
        else if (action === 2) target.gateways = pick();
        else target.version = step;
        // No two routes of one kind and name.
        specs = specs.filter(
          (r, i) => specs.findIndex((o) => o.kind === r.kind && o.name === r.name) === i,
        );
        if (steps.at(-1)?.text !== text(specs)) steps.push({ text: text(specs) });
      }
      const { spliced } = follow(steps, load(text(specs.slice(0, 0))));
      expect(spliced).toBeGreaterThan(30);
    },
  );

  it('translate only the Gateway of a changed TCPRoute, with policies they cannot see', () => {
    const tcp = `---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: t, namespace: default}
spec: {gatewayClassName: eg, listeners: [{name: tcp, protocol: TCP, port: 9000}]}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: {name: p, namespace: default}
spec: {targetRefs: [{group: gateway.networking.k8s.io, kind: TCPRoute, name: t1}]}
`;
    const tcpRoute = (port: number) => `---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: t1, namespace: default}
spec: {parentRefs: [{name: t}], rules: [{backendRefs: [{name: app, port: ${port}}]}]}
`;
    const { spliced } = follow(
      [
        { text: base + tcp + route('r1', ['a'], '/one') + tcpRoute(8081), touched: ['default/t'] },
        { text: base + tcp + route('r1', ['a'], '/one') + tcpRoute(8080), touched: ['default/t'] },
      ],
      load(base + tcp + route('r1', ['a'], '/one') + tcpRoute(8080)),
    );
    expect(spliced).toBe(0);
  });

  it('with policies, splice route changes and compute the policy statuses again when they see them', () => {
    const policies = `---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: {name: p, namespace: default}
spec: {targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: r1}]}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: {name: g, namespace: default}
spec: {targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: b}]}
`;
    const { spliced, statuses } = follow(
      [
        // r1 moves to b, where its policy overrides b's: policy statuses computed again
        { text: base + route('r1', ['b'], '/one') + policies, touched: ['default/a', 'default/b'] },
        // only its path: policy statuses kept
        { text: base + route('r1', ['b'], '/x') + policies, touched: ['default/b'] },
        // r2 added, then r1 deleted
        {
          text: base + route('r1', ['b'], '/x') + route('r2', ['a'], '/two') + policies,
          touched: ['default/a'],
        },
        { text: base + route('r2', ['a'], '/two') + policies, touched: ['default/b'] },
      ],
      load(base + route('r1', ['a'], '/one') + policies),
    );
    expect(spliced).toBe(4);
    expect(JSON.stringify(statuses[1]!.find((s) => s.metadata.name === 'g'))).toContain(
      'Overridden',
    );
  });
});
