// Envoy Gateway's load balancing e2e tests (test/e2e/tests/load_balancing.go) re-expressed: the
// same manifests (testdata/) through egts and real Envoy, with web-backend's 4 replicas as 4 local
// echo servers; each test counts which pod answered, as the upstream runTrafficTest does.
import {
  accepted,
  type ConformanceTest,
  gw,
  type HttpExpectation,
  infra,
  type StatusExpectation,
  type TestHarness,
} from '../../conformanceTest.js';

const sameNs = gw('same-namespace');
const REPLICAS = 4;

const policy = (name: string): StatusExpectation => ({
  kind: 'BackendTrafficPolicy',
  namespace: infra,
  name,
  ancestors: [{ gateway: sameNs, conditions: [{ type: 'Accepted', status: 'True' }] }],
});

const web = (request: HttpExpectation['request']): HttpExpectation => ({
  request,
  backend: 'web-backend',
  namespace: infra,
});

/** Sends `count` requests and counts the answers per pod; a failed request is an error. */
const countPods = async (
  h: TestHarness,
  request: HttpExpectation['request'],
  count: number,
): Promise<Map<string, number>> => {
  // Converged first, as the upstream suite awaits: a test's route can share its name and path
  // with the previous test's, and a full run once saw a 404 just after the readiness check.
  await h.eventually(`${request.path} answers from a web-backend pod`, async () => {
    const reply = await h.send(web(request));
    if (reply instanceof Error) return reply.message;
    return reply.status === 200 && reply.echo?.pod?.startsWith('web-backend-')
      ? undefined
      : `${request.path}: ${reply.status}`;
  });
  const pods = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const reply = await h.send(web(request));
    if (reply instanceof Error) throw new Error(`${request.path}: ${reply.message}`);
    const pod = reply.echo?.pod;
    if (reply.status !== 200 || !pod?.startsWith('web-backend-'))
      throw new Error(`${request.path}: ${reply.status}, answered by ${pod ?? 'no echo'}`);
    pods.set(pod, (pods.get(pod) ?? 0) + 1);
  }
  return pods;
};

const show = (pods: Map<string, number>) => JSON.stringify(Object.fromEntries(pods));

/** 50 requests per replica, each pod within 5 of an even share (the upstream's AlmostEquals). */
const roundRobin: ConformanceTest = {
  name: 'RoundRobinLoadBalancing',
  description: 'Test for round robin load balancing type',
  features: ['BackendTrafficPolicy'],
  manifests: ['load_balancing_round_robin.yaml'],
  statuses: [...accepted(sameNs, ['round-robin-lb-route']), policy('round-robin-lb-policy')],
  requests: [web({ path: '/round' })],
  steps: async (h) => {
    const total = REPLICAS * 50;
    const even = total / REPLICAS;
    await h.eventually('traffic is split evenly', async () => {
      const pods = await countPods(h, { path: '/round' }, total);
      const uneven = [...pods.values()].some((n) => Math.abs(n - even) > 5);
      return pods.size === REPLICAS && !uneven ? undefined : `uneven split ${show(pods)}`;
    });
  },
};

/**
 * The upstream's runConsistentHashLoadBalancingTest for each request: 200 requests all answered by
 * one pod. Across several keys more than one pod must answer, or hashing picked nothing.
 */
const consistentHash = async (
  h: TestHarness,
  requests: readonly HttpExpectation['request'][],
  distinctKeys: boolean,
) => {
  const chosen = new Set<string>();
  for (const request of requests) {
    const pods = await countPods(h, request, REPLICAS * 50);
    if (pods.size !== 1)
      throw new Error(`${JSON.stringify(request)} reached several pods: ${show(pods)}`);
    chosen.add([...pods.keys()][0]!);
  }
  if (distinctKeys && requests.length > 1 && chosen.size < 2)
    throw new Error(`every key hashed to the same pod ${[...chosen][0]}`);
};

const sourceIp: ConformanceTest = {
  name: 'SourceIPBasedConsistentHashLoadBalancing',
  description: 'Test for source IP based consistent hash load balancing type',
  features: ['BackendTrafficPolicy'],
  manifests: ['load_balancing_consistent_hash_source_ip.yaml'],
  statuses: [...accepted(sameNs, ['source-ip-lb-route']), policy('source-ip-lb-policy')],
  requests: [web({ path: '/source' })],
  // One client address here: every request reaches one pod (round robin would reach all 4).
  steps: (h) => consistentHash(h, [{ path: '/source' }], false),
};

const HEADER_VALUES = ['0.0.0.0', '1.2.3.4', '4.5.6.7', '7.8.9.10', '10.11.12.13'];

const header: ConformanceTest = {
  name: 'HeaderBasedConsistentHashLoadBalancing',
  description: 'Test for header based consistent hash load balancing type',
  features: ['BackendTrafficPolicy'],
  manifests: ['load_balancing_consistent_hash_header.yaml'],
  statuses: [...accepted(sameNs, ['header-lb-route']), policy('header-lb-policy')],
  requests: [web({ path: '/header' })],
  steps: (h) =>
    consistentHash(
      h,
      HEADER_VALUES.map((value) => ({ path: '/header', headers: { 'Lb-Test-Header': value } })),
      true,
    ),
};

const PAIRS = [
  ['value-a', 'value-b'],
  ['value-x', 'value-y'],
  ['test1', 'test2'],
  ['foo', 'bar'],
  ['alpha', 'beta'],
] as const;

const multiHeader: ConformanceTest = {
  name: 'MultiHeaderBasedConsistentHashLoadBalancing',
  description: 'Test for multiple header based consistent hash load balancing type',
  features: ['BackendTrafficPolicy'],
  manifests: ['load_balancing_consistent_hash_multi_header.yaml'],
  statuses: [...accepted(sameNs, ['header-lb-route']), policy('header-lb-policy')],
  requests: [web({ path: '/header' })],
  steps: (h) =>
    consistentHash(
      h,
      PAIRS.map(([first, second]) => ({
        path: '/header',
        headers: { 'Lb-Test-1': first, 'Lb-Test-2': second },
      })),
      true,
    ),
};

const queryParams: ConformanceTest = {
  name: 'QueryParamsBasedConsistentHashLoadBalancing',
  description: 'Test for multiple query parameter based consistent hash load balancing type',
  features: ['BackendTrafficPolicy'],
  manifests: ['load_balancing_consistent_hash_query_parameter.yaml'],
  statuses: [
    ...accepted(sameNs, ['query-parameter-lb-route']),
    policy('query-parameter-lb-policy'),
  ],
  requests: [web({ path: '/query-parameter' })],
  steps: (h) =>
    consistentHash(
      h,
      PAIRS.map(([first, second]) => ({
        path: `/query-parameter?lb-query-parameter-first=${first}&lb-query-parameter-second=${second}`,
      })),
      true,
    ),
};

const cookie: ConformanceTest = {
  name: 'CookieBasedConsistentHashLoadBalancing',
  description: 'Test for cookie based consistent hash load balancing type',
  features: ['BackendTrafficPolicy'],
  manifests: ['load_balancing_consistent_hash_cookie.yaml'],
  statuses: [...accepted(sameNs, ['cookie-lb-route']), policy('cookie-lb-policy')],
  requests: [web({ path: '/cookie' })],
  steps: async (h) => {
    // The same cookie value always reaches the same pod.
    const values = ['abc', 'def', 'ghi', 'jkl', 'mno'];
    await consistentHash(
      h,
      values.map((value) => ({ path: '/cookie', headers: { cookie: `Lb-Test-Cookie=${value}` } })),
      true,
    );
    // Without the cookie, Envoy makes one with the policy's TTL and attributes.
    await h.eventually('Envoy sets Lb-Test-Cookie', async () => {
      const reply = await h.send(web({ path: '/cookie', headers: { cookie: 'foo=bar' } }));
      if (reply instanceof Error) return reply.message;
      const set = [reply.headers['set-cookie'] ?? []].flat().join('\n');
      return set.includes('Lb-Test-Cookie') && set.includes('Max-Age=60; SameSite=Strict')
        ? undefined
        : `set-cookie ${JSON.stringify(set)}`;
    });
  },
};

/**
 * The upstream's three cases: a header naming an address that is no endpoint, and no header,
 * fall back to round robin (every request answered); a header naming one pod's address sends
 * every request there (round robin would reach all 4).
 */
const endpointOverride: ConformanceTest = {
  name: 'EndpointOverrideLoadBalancing',
  description: 'Test for endpoint override load balancing functionality',
  features: ['BackendTrafficPolicy'],
  manifests: ['load_balancing_endpoint_override.yaml'],
  statuses: [
    ...accepted(sameNs, ['endpoint-override-header-lb-route']),
    policy('endpoint-override-header-lb-policy'),
  ],
  requests: [web({ path: '/endpoint-override-header' })],
  steps: async (h) => {
    const path = '/endpoint-override-header';
    const unknown = await countPods(
      h,
      { path, headers: { 'x-custom-host': '192.168.99.99:8080' } },
      10,
    );
    if (unknown.size < 2) throw new Error(`unknown host: not round robin ${show(unknown)}`);
    await countPods(h, { path }, 10);
    const { address, port } = h.endpoint(infra, 'web-backend');
    const chosen = await countPods(
      h,
      { path, headers: { 'x-custom-host': `${address}:${port}` } },
      10,
    );
    if (chosen.size !== 1)
      throw new Error(`${address}:${port} reached several pods: ${show(chosen)}`);
  },
};

/** Answers per pod to `count` requests to `path` (any backend). */
const podsAnswering = async (h: TestHarness, path: string, count: number) => {
  const pods = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const reply = await h.send({ request: { path }, namespace: infra });
    if (reply instanceof Error) throw new Error(`${path}: ${reply.message}`);
    const pod = reply.echo?.pod;
    if (reply.status !== 200 || pod === undefined)
      throw new Error(`${path}: ${reply.status}, answered by ${pod ?? 'no echo'}`);
    pods.set(pod, (pods.get(pod) ?? 0) + 1);
  }
  return pods;
};

/**
 * The upstream's BackendUtilizationLoadBalancing and its out-of-band variant: two pods report CPU
 * utilization 0.9 and 0.1 (the gateway-backend-utilization stand-in), in ORCA headers or only on
 * their OpenRcaService stream; once both have reported (for the streams, a few 1 s reporting
 * periods), at least 80% of 100 requests reach the low-utilization pod.
 */
const utilizationTest = (o: {
  name: string;
  description: string;
  manifest: string;
  route: string;
  policy: string;
  path: string;
  lowPod: string;
  settleMs: number;
}): ConformanceTest => ({
  name: o.name,
  description: o.description,
  features: ['BackendTrafficPolicy'],
  manifests: [o.manifest],
  statuses: [...accepted(sameNs, [o.route]), policy(o.policy)],
  steps: async (h) => {
    await h.eventually('both backends are hit', async () => {
      const pods = await podsAnswering(h, o.path, 20);
      return pods.size >= 2 ? undefined : `only ${show(pods)}`;
    });
    await new Promise((resolve) => setTimeout(resolve, o.settleMs));
    await h.eventually('traffic skews toward the low-utilization backend', async () => {
      const pods = await podsAnswering(h, o.path, 100);
      const low = [...pods].filter(([pod]) => pod.includes(o.lowPod));
      const lowCount = low.reduce((sum, [, n]) => sum + n, 0);
      return lowCount >= 80 ? undefined : `low-util answered ${lowCount}/100: ${show(pods)}`;
    });
  },
});

const backendUtilization = utilizationTest({
  name: 'BackendUtilizationLoadBalancing',
  description:
    'Test that BackendUtilization shifts traffic toward lower-utilization backends using ORCA metrics',
  manifest: 'load_balancing_backend_utilization.yaml',
  route: 'backend-utilization-lb-route',
  policy: 'backend-utilization-lb-policy',
  path: '/backend-utilization',
  lowPod: 'lb-backend-low-util',
  // Weights are recomputed every 100 ms (weightUpdatePeriod).
  settleMs: 200,
});

const backendUtilizationOutOfBand = utilizationTest({
  name: 'BackendUtilizationOutOfBandLoadBalancing',
  description:
    "Test that BackendUtilization shifts traffic using out-of-band ORCA reports pulled from the endpoint's OpenRcaService",
  manifest: 'load_balancing_backend_utilization_out_of_band.yaml',
  route: 'backend-utilization-oob-route',
  policy: 'backend-utilization-oob-policy',
  path: '/backend-utilization-oob',
  lowPod: 'lb-backend-oob-low-util',
  // Reports every 1 s, the first stream delayed by up to a period.
  settleMs: 5_000,
});

const notApplied = (name: string, manifest: string, reason: string): ConformanceTest => ({
  name,
  description: `Load balancing: ${name}`,
  features: ['BackendTrafficPolicy'],
  manifests: [manifest],
  skip: reason,
});

export const loadBalancingTests = (): ConformanceTest[] => [
  roundRobin,
  sourceIp,
  header,
  multiHeader,
  cookie,
  queryParams,
  backendUtilization,
  backendUtilizationOutOfBand,
  notApplied(
    'BackendUtilizationWeightedZones',
    'load_balancing_backend_utilization_weighted_zones.yaml',
    'the zones come from Kubernetes node topology labels (nodeSelector topology.kubernetes.io/zone) this harness has no nodes for; backendTrafficZoneAware.integration and backendTrafficUtilization.integration check weighted zones and BackendUtilization through real Envoy',
  ),
  endpointOverride,
  notApplied(
    'ZoneAwareRouting',
    'zone-aware-routing-deployments.yaml',
    "its pods get their zones from Kubernetes nodes (pod affinity to the proxy's zone, topology.kubernetes.io/zone) and the proxy its zone from its node, which this harness has neither of; backendTrafficZoneAware.integration re-expresses it through real Envoy (force: 100% local, no force: 75% local, with EndpointSlice zones and the proxy in zone-a)",
  ),
  notApplied(
    'WeightedZones',
    'weighted-zones.yaml',
    'its pods get their zones from Kubernetes nodes (nodeSelector topology.kubernetes.io/zone), which this harness has none of; backendTrafficZoneAware.integration re-expresses it through real Envoy (zone weights 80/20: 80% within 10 points)',
  ),
];
