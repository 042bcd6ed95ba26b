// "Incremental equals full": random sequences of edits (routes added, removed, edited and moved
// between Gateways; endpoints; policies added, removed, retargeted and edited, several of a kind
// on one route; a TCPRoute; EnvoyProxy mergeBackends on, off or by selector, whose shared
// clusters depend on every route of a fleet) are fed to one createTranslator(), and after
// every edit its output must equal a fresh translate() of the same input: xDS IR, Infra IR and
// statuses. Unchanged objects keep their identity from one snapshot to the next, as the
// providers keep them, so that the incremental paths (splice, endpoint patch) are taken.
import {
  emptyResources,
  loadResourcesFromText,
  type ResourceStatus,
  type Resources,
} from '@egts/api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTranslator, translate, type UpdatePath } from '../index.js';

const base = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec:
  controllerName: gateway.envoyproxy.io/gatewayclass-controller
  parametersRef: {group: gateway.envoyproxy.io, kind: EnvoyProxy, name: proxy, namespace: default}
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
metadata: {name: d, namespace: default}
spec:
  gatewayClassName: eg
  listeners:
  - {name: http, protocol: HTTP, port: 80, hostname: "*.example.com"}
  - {name: other, protocol: HTTP, port: 8080}
  # Listeners HTTP and gRPC routes never reach: left out of the splice's translations.
  - {name: dns, protocol: UDP, port: 5353}
  - {name: db, protocol: TCP, port: 5432}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: t, namespace: default}
spec: {gatewayClassName: eg, listeners: [{name: tcp, protocol: TCP, port: 9000}]}
---
apiVersion: v1
kind: Service
metadata: {name: app, namespace: default, labels: {merge: "yes"}}
spec: {ports: [{name: http, port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec: {ports: [{name: http, port: 8080}]}
`;

const SERVICES = ['app', 'web'] as const;
const GATEWAYS = ['a', 'b', 'd', 'zz'] as const;
const STAMPS = ['', '2024-01-01T00:00:00Z', '2023-01-01T00:00:00Z'];

interface RouteSpec {
  kind: 'HTTPRoute' | 'GRPCRoute';
  name: string;
  parents: string[];
  section?: string | undefined;
  path: number;
  version: number;
  backend: string;
  hostnames: number;
  stamp: number;
  label: number;
}

interface World {
  routes: Map<string, RouteSpec>;
  endpoints: Record<string, string[]>;
  policies: Map<string, string>;
  tcpPort: number;
  /** EnvoyProxy mergeBackends: off, on, on for the Services labelled merge=yes. */
  merge: number;
}

/** The EnvoyProxy's spec for each `World.merge`. */
const MERGE = [
  '{}',
  '{mergeBackends: {}}',
  '{mergeBackends: {selector: {matchLabels: {merge: "yes"}}}}',
];

type Edit =
  | { op: 'route'; spec: RouteSpec }
  | { op: 'remove'; key: number }
  | {
      op: 'tweak';
      key: number;
      change: Partial<Pick<RouteSpec, 'path' | 'version' | 'backend' | 'hostnames'>>;
    }
  | { op: 'endpoints'; service: string; addresses: string[] }
  | { op: 'policy'; name: string; target: string | null; variant: number }
  | { op: 'retune'; name: string; variant: number }
  | { op: 'tcp'; port: number }
  | { op: 'merge'; merge: number };

// The last attaches to no listener with a hostname (d's http): an edit can move attachedRoutes.
const HOSTNAMES = ['[a.example.com, b.example.com]', '[a.example.com]', '[]', '[other.test]'];

const routeText = (r: RouteSpec) => {
  const stamp = STAMPS[r.stamp];
  const meta = `{name: ${r.name}, namespace: default, labels: {tier: t${r.label}}${stamp ? `, creationTimestamp: "${stamp}"` : ''}}`;
  const section = r.section ? `, sectionName: ${r.section}` : '';
  const parents = `[${r.parents.map((g) => `{name: ${g}${section}}`).join(', ')}]`;
  const rules =
    r.kind === 'HTTPRoute'
      ? `[{matches: [{path: {type: PathPrefix, value: /p${r.path}}}, {path: {type: Exact, value: /s/m}}], backendRefs: [{name: ${r.backend}, port: 8080}]}, {name: v, matches: [{path: {type: PathPrefix, value: /v${r.version}}}], backendRefs: [{name: app, port: 8080}]}]`
      : `[{matches: [{method: {service: s, method: m${r.path}}}], backendRefs: [{name: ${r.backend}, port: 8080}]}, {matches: [{method: {service: v${r.version}}}], backendRefs: [{name: app, port: 8080}]}]`;
  return `---
apiVersion: gateway.networking.k8s.io/v1
kind: ${r.kind}
metadata: ${meta}
spec: {parentRefs: ${parents}, hostnames: ${HOSTNAMES[r.hostnames]}, rules: ${rules}}
`;
};

/** BackendTrafficPolicy settings an edit picks: cluster and route settings, a merge, an invalid one. */
const BTP_SETTINGS = [
  '',
  ', loadBalancer: {type: RoundRobin}, retry: {numRetries: 1}',
  ', mergeType: StrategicMerge, circuitBreaker: {maxConnections: 7}, timeout: {http: {requestTimeout: 3s}}',
  ', rateLimit: {type: Local, local: {rules: [{limit: {requests: 5, unit: Second}}]}}',
  ', rateLimit: {type: Local, local: {rules: [{clientSelectors: [{headers: [{name: x, type: RegularExpression, value: "*"}]}], limit: {requests: 1, unit: Second}}]}}',
];

const policyText = (name: string, target: string) => {
  const [kind, targetName, variant] = target.split(':') as [string, string, string?];
  const policyKind = name.startsWith('btp')
    ? 'BackendTrafficPolicy'
    : name.startsWith('sp')
      ? 'SecurityPolicy'
      : 'ClientTrafficPolicy';
  // A SecurityPolicy writes to the IR of the routes it protects (CORS); a BackendTrafficPolicy
  // to their clusters and routes.
  const settings =
    policyKind === 'SecurityPolicy'
      ? `, cors: {allowOrigins: ['https://a${variant ?? ''}.example']}`
      : policyKind === 'BackendTrafficPolicy'
        ? BTP_SETTINGS[Number(variant ?? 0)]
        : // On one listener (an odd variant) it makes a rule's clusters differ by listener.
          ', http1: {preserveHeaderCase: true}';
  const section =
    policyKind === 'ClientTrafficPolicy' && Number(variant ?? 0) % 2 === 1
      ? ', sectionName: other'
      : '';
  return `---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: ${policyKind}
metadata: {name: ${name}, namespace: default}
spec: {targetRefs: [{group: gateway.networking.k8s.io, kind: ${kind}, name: ${targetName}${section}}]${settings}}
`;
};

const text = (world: World) =>
  base +
  `---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyProxy
metadata: {name: proxy, namespace: default}
spec: ${MERGE[world.merge]}
` +
  SERVICES.map(
    (service) => `---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${service}-1, namespace: default, labels: {kubernetes.io/service-name: ${service}}}
addressType: IPv4
endpoints: [${(world.endpoints[service] ?? []).map((a) => `{addresses: [${a}], conditions: {ready: true}}`).join(', ')}]
ports: [{name: http, port: 8080}]
`,
  ).join('') +
  `---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: t1, namespace: default}
spec: {parentRefs: [{name: t}], rules: [{backendRefs: [{name: app, port: ${world.tcpPort}}]}]}
` +
  [...world.routes.values()].map(routeText).join('') +
  [...world.policies].map(([name, target]) => policyText(name, target)).join('');

/** Each document loaded once: an unchanged object is the same object, as providers keep them. */
const loaded = new Map<string, [keyof Resources, unknown]>();
const loadDocument = (doc: string): [keyof Resources, unknown] => {
  let found = loaded.get(doc);
  if (found === undefined) {
    const resources = loadResourcesFromText(doc, 'world.yaml').resources;
    const [kind, list] = Object.entries(resources).find(([, l]) => l.length > 0) as [
      keyof Resources,
      unknown[],
    ];
    found = [kind, list[0]];
    loaded.set(doc, found);
  }
  return found;
};

/** The world's resources; a list with no changed object is the previous array. */
const load = (world: World, previous?: Resources): Resources => {
  const next = emptyResources() as unknown as Record<keyof Resources, unknown[]>;
  for (const doc of text(world).split(/^---\n/m)) {
    if (doc.trim() === '') continue;
    const [kind, object] = loadDocument(doc);
    next[kind].push(object);
  }
  if (previous === undefined) return next as unknown as Resources;
  for (const kind of Object.keys(next) as (keyof Resources)[]) {
    const was = previous[kind] as unknown[];
    const now = next[kind];
    if (now.length === was.length && now.every((o, i) => o === was[i])) next[kind] = was;
  }
  return next as unknown as Resources;
};

const byKey = (statuses: readonly ResourceStatus[]) =>
  [...statuses].sort((x, y) => {
    const kx = `${x.kind}/${x.metadata.namespace}/${x.metadata.name}`;
    const ky = `${y.kind}/${y.metadata.namespace}/${y.metadata.name}`;
    return kx < ky ? -1 : kx > ky ? 1 : 0;
  });

const routeSpec: fc.Arbitrary<RouteSpec> = fc.record({
  kind: fc.constantFrom('HTTPRoute' as const, 'GRPCRoute' as const),
  name: fc.constantFrom('r0', 'r1', 'r2', 'r3', 'r4', 'r5'),
  parents: fc.subarray([...GATEWAYS], { minLength: 1 }),
  section: fc.option(fc.constantFrom('http', 'other'), { nil: undefined }),
  path: fc.nat(2),
  version: fc.nat(3),
  backend: fc.constantFrom('app', 'web', 'nope'),
  hostnames: fc.nat(HOSTNAMES.length - 1),
  stamp: fc.nat(STAMPS.length - 1),
  label: fc.nat(1),
});

const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 5, arbitrary: routeSpec.map((spec) => ({ op: 'route' as const, spec })) },
  { weight: 2, arbitrary: fc.nat(20).map((key) => ({ op: 'remove' as const, key })) },
  // An existing route edited in place, its parents kept: its rules, backend or hostnames.
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('tweak' as const),
      key: fc.nat(20),
      change: fc.record(
        {
          path: fc.nat(2),
          version: fc.nat(3),
          backend: fc.constantFrom('app', 'web', 'nope'),
          hostnames: fc.nat(HOSTNAMES.length - 1),
        },
        { requiredKeys: [] },
      ),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('endpoints' as const),
      service: fc.constantFrom(...SERVICES),
      addresses: fc.subarray(['10.0.0.1', '10.0.0.2', '10.0.0.3']),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('policy' as const),
      name: fc.constantFrom('btp', 'btp-route', 'btp-route2', 'ctp', 'sp', 'sp2'),
      variant: fc.nat(BTP_SETTINGS.length - 1),
      // Added, removed (null) or retargeted; route targets more often (the incremental path).
      target: fc.option(
        fc.constantFrom(
          'HTTPRoute:r0',
          'HTTPRoute:r1',
          'HTTPRoute:r2',
          'GRPCRoute:r1',
          'HTTPRoute:r0',
          'HTTPRoute:r1',
          'Gateway:a',
          'Gateway:d',
        ),
        { nil: null },
      ),
    }),
  },
  // A policy's settings edited in place, its targets kept.
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('retune' as const),
      name: fc.constantFrom('btp', 'btp-route', 'btp-route2', 'sp', 'sp2'),
      variant: fc.nat(BTP_SETTINGS.length - 1),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(8080, 8081).map((port) => ({ op: 'tcp' as const, port })),
  },
  {
    weight: 1,
    arbitrary: fc.nat(MERGE.length - 1).map((merge) => ({ op: 'merge' as const, merge })),
  },
);

const apply = (world: World, change: Edit): World => {
  const next: World = {
    routes: new Map(world.routes),
    endpoints: { ...world.endpoints },
    policies: new Map(world.policies),
    tcpPort: world.tcpPort,
    merge: world.merge,
  };
  if (change.op === 'route')
    next.routes.set(`${change.spec.kind}/${change.spec.name}`, change.spec);
  else if (change.op === 'tweak') {
    const keys = [...next.routes.keys()];
    const key = keys[change.key % Math.max(keys.length, 1)];
    const spec = key === undefined ? undefined : next.routes.get(key);
    if (key !== undefined && spec !== undefined)
      next.routes.set(key, { ...spec, ...change.change });
  } else if (change.op === 'remove') {
    const keys = [...next.routes.keys()];
    if (keys.length > 0) next.routes.delete(keys[change.key % keys.length]!);
  } else if (change.op === 'endpoints') next.endpoints[change.service] = change.addresses;
  else if (change.op === 'policy') {
    // A policy keeps its target kind while edited: ClientTrafficPolicy and btp target Gateways
    // only, the others routes only (a Gateway's policy sends route policies the full way).
    const gatewayOnly = change.name === 'ctp' || change.name === 'btp';
    const target =
      change.target === null || change.target.startsWith('Gateway') === gatewayOnly
        ? change.target
        : gatewayOnly
          ? null
          : 'HTTPRoute:r2';
    if (target === null) next.policies.delete(change.name);
    else next.policies.set(change.name, `${target}:${change.variant}`);
  } else if (change.op === 'retune') {
    const target = next.policies.get(change.name)?.split(':').slice(0, 2).join(':');
    if (target !== undefined) next.policies.set(change.name, `${target}:${change.variant}`);
  } else if (change.op === 'merge') next.merge = change.merge;
  else next.tcpPort = change.port;
  return next;
};

const START: World = {
  routes: new Map(),
  endpoints: { app: ['10.0.0.1'], web: ['10.0.0.2'] },
  // Route policies from the start, so that edits in place (retune) find them, two of a kind on
  // one route (the younger Conflicted until the older goes or moves).
  policies: new Map([
    ['btp-route', 'HTTPRoute:r0:0'],
    ['sp', 'HTTPRoute:r1:0'],
    ['btp-route2', 'HTTPRoute:r0:1'],
    ['sp2', 'HTTPRoute:r1:0'],
  ]),
  tcpPort: 8080,
  merge: 0,
};

// A few hundred sequences in CI; PROPERTY_RUNS sets more (or fewer) while working on a path.
const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);

describe('createTranslator', () => {
  it('gives, after every edit of a random sequence, what a full translation gives', () => {
    const paths: Record<UpdatePath, number> = { full: 0, endpoints: 0, routes: 0, spliced: 0 };
    // Policies added, removed or retargeted that took the incremental path.
    let policiesSpliced = 0;
    const now = new Date('2026-01-01T00:00:00Z');
    fc.assert(
      fc.property(
        fc.array(routeSpec, { maxLength: 4 }),
        fc.array(edit, { minLength: 1, maxLength: 10 }),
        fc.nat(MERGE.length - 1),
        (initial, edits, merge) => {
          const translator = createTranslator({ now });
          let world = initial.reduce((w, spec) => apply(w, { op: 'route', spec }), {
            ...START,
            merge,
          });
          let resources = load(world);
          translator.update(resources);
          for (const change of edits) {
            world = apply(world, change);
            resources = load(world, resources);
            const update = translator.update(resources);
            paths[update.path]++;
            if (change.op === 'policy' && update.path === 'spliced') policiesSpliced++;
            expect(update.incrementalError).toBeUndefined();
            const full = translate(resources, { now });
            expect([...update.xdsIR.values()]).toEqual(full.xdsIR);
            expect(update.infraIR).toEqual(full.infraIR);
            expect(byKey(update.statuses)).toEqual(byKey(full.statuses));
          }
        },
      ),
      { numRuns: RUNS, endOnFailure: process.env.PROPERTY_SHRINK === undefined },
    );
    // The incremental paths were taken, not just full translations.
    expect(paths.spliced).toBeGreaterThan(RUNS / 2);
    expect(paths.endpoints).toBeGreaterThan(RUNS / 4);
    if (process.env.PROPERTY_PATHS) console.log({ paths, policiesSpliced });
    expect(policiesSpliced).toBeGreaterThan(RUNS / 8);
  });
});
