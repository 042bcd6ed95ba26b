// Local rate limit options Envoy Gateway's e2e tests do not exercise (a rule's request cost, its
// x-ratelimit-* headers switch, for the route-wide bucket and rule by rule, a bucket shared by every route of a policy, an inverted source
// range), tested as they do: manifests made here, each request sent once through egts and real
// Envoy, answers counted.
import {
  accepted,
  type ConformanceTest,
  gw,
  infra,
  type KubeObject,
  type StatusExpectation,
  type TestHarness,
} from '../../conformanceTest.js';

const sameNs = gw('same-namespace');

const route = (name: string): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name, namespace: infra },
  spec: {
    parentRefs: [{ name: 'same-namespace' }],
    rules: [
      {
        matches: [{ path: { type: 'PathPrefix', value: `/${name}` } }],
        backendRefs: [{ name: 'infra-backend-v1', port: 8080 }],
      },
    ],
  },
});

const policy = (name: string, routes: readonly string[], rules: readonly object[]): KubeObject => ({
  apiVersion: 'gateway.envoyproxy.io/v1alpha1',
  kind: 'BackendTrafficPolicy',
  metadata: { name, namespace: infra },
  spec: {
    targetRefs: routes.map((r) => ({
      group: 'gateway.networking.k8s.io',
      kind: 'HTTPRoute',
      name: r,
    })),
    rateLimit: { type: 'Local', local: { rules } },
  },
});

const policyAccepted = (name: string): StatusExpectation => ({
  kind: 'BackendTrafficPolicy',
  namespace: infra,
  name,
  ancestors: [{ gateway: sameNs, conditions: [{ type: 'Accepted', status: 'True' }] }],
});

const john = { headers: [{ name: 'x-user-id', value: 'john' }] };
const perHour = (requests: number) => ({ requests, unit: 'Hour' });

/** Sends one request; returns its status and x-ratelimit-* headers, or throws. */
const once = async (harness: TestHarness, path: string, headers: Record<string, string> = {}) => {
  const reply = await harness.send({ request: { path, headers }, status: 200 });
  if (reply instanceof Error) throw new Error(`${path}: ${reply.message}`);
  const limitHeaders = Object.keys(reply.headers).filter((h) => h.startsWith('x-ratelimit-'));
  return { status: reply.status, limitHeaders, remaining: reply.headers['x-ratelimit-remaining'] };
};

/** The statuses of `paths` sent in order, once each. */
const statuses = async (
  harness: TestHarness,
  paths: readonly string[],
  headers: Record<string, string> = {},
) => {
  const out: number[] = [];
  for (const path of paths) out.push((await once(harness, path, headers)).status);
  return out;
};

const expectStatuses = (what: string, got: readonly number[], want: readonly number[]) => {
  if (JSON.stringify(got) !== JSON.stringify(want))
    throw new Error(`${what}: answered ${got.join(', ')}, want ${want.join(', ')}`);
};

const ROUTES = [
  'egts-lrl-cost',
  'egts-lrl-no-headers',
  'egts-lrl-shared-a',
  'egts-lrl-shared-b',
  'egts-lrl-outside',
  'egts-lrl-inside',
  'egts-lrl-rule-headers',
];

export const localRateLimitOptionsTest: ConformanceTest = {
  name: 'EgtsLocalRateLimitOptions',
  description:
    'Local rate limit: a request cost, x-ratelimit-* headers off (route-wide and per rule), a bucket shared across routes, an inverted source range',
  features: ['BackendTrafficPolicy', 'LocalRateLimit'],
  manifests: [],
  objects: [
    ...ROUTES.map(route),
    // john's requests cost 2 of his 6 an hour: the 4th is refused.
    policy(
      'egts-lrl-cost',
      ['egts-lrl-cost'],
      [
        {
          clientSelectors: [john],
          limit: perHour(6),
          cost: { request: { from: 'Number', number: 2 } },
        },
      ],
    ),
    policy(
      'egts-lrl-no-headers',
      ['egts-lrl-no-headers'],
      [{ limit: perHour(2), xRateLimitHeaders: 'Off' }],
    ),
    // One bucket of 3 for john across both routes; the route-wide buckets stay their own.
    policy(
      'egts-lrl-shared',
      ['egts-lrl-shared-a', 'egts-lrl-shared-b'],
      [{ clientSelectors: [john], limit: perHour(3), shared: true }],
    ),
    // The client (127.0.0.1) is outside 10.0.0.0/8, so the inverted range limits it...
    policy(
      'egts-lrl-outside',
      ['egts-lrl-outside'],
      [
        {
          clientSelectors: [{ sourceCIDR: { type: 'Exact', value: '10.0.0.0/8', invert: true } }],
          limit: perHour(2),
        },
      ],
    ),
    // x-ratelimit-* headers rule by rule: the route-wide bucket's Off does not reach a rule
    // without a setting of its own (it inherits the listener's: on).
    policy(
      'egts-lrl-rule-headers',
      ['egts-lrl-rule-headers'],
      [
        { limit: perHour(50), xRateLimitHeaders: 'Off' },
        { clientSelectors: [john], limit: perHour(5), xRateLimitHeaders: 'Off' },
        {
          clientSelectors: [{ headers: [{ name: 'x-user-id', value: 'jane' }] }],
          limit: perHour(6),
          xRateLimitHeaders: 'DraftVersion03',
        },
        {
          clientSelectors: [{ headers: [{ name: 'x-user-id', value: 'bob' }] }],
          limit: perHour(7),
        },
      ],
    ),
    // ...and inside 127.0.0.0/8, so this one never does.
    policy(
      'egts-lrl-inside',
      ['egts-lrl-inside'],
      [
        {
          clientSelectors: [{ sourceCIDR: { type: 'Exact', value: '127.0.0.0/8', invert: true } }],
          limit: perHour(2),
        },
      ],
    ),
  ],
  statuses: [
    ...accepted(sameNs, ROUTES),
    ...[
      'egts-lrl-cost',
      'egts-lrl-no-headers',
      'egts-lrl-shared',
      'egts-lrl-outside',
      'egts-lrl-inside',
      'egts-lrl-rule-headers',
    ].map(policyAccepted),
  ],
  // Programmed before counting: requests that no rule limits (not john's) answer.
  requests: [
    { request: { path: '/egts-lrl-cost' }, backend: 'infra-backend-v1', namespace: infra },
  ],
  steps: async (harness) => {
    const johnHeaders = { 'x-user-id': 'john' };
    const cost = await once(harness, '/egts-lrl-cost', johnHeaders);
    if (cost.status !== 200 || cost.remaining !== '4')
      throw new Error(
        `cost: first answer ${cost.status}, remaining ${cost.remaining}, want 200, 4`,
      );
    expectStatuses(
      'cost 2 of 6',
      await statuses(harness, ['/egts-lrl-cost', '/egts-lrl-cost', '/egts-lrl-cost'], johnHeaders),
      [200, 200, 429],
    );
    // Others are not john: no cost, no limit.
    expectStatuses('not john', await statuses(harness, ['/egts-lrl-cost']), [200]);

    const quiet = [];
    for (let i = 0; i < 3; i++) quiet.push(await once(harness, '/egts-lrl-no-headers'));
    expectStatuses(
      'no headers',
      quiet.map((q) => q.status),
      [200, 200, 429],
    );
    const withHeaders = quiet.find((q) => q.limitHeaders.length > 0);
    if (withHeaders) throw new Error(`no headers: ${withHeaders.limitHeaders.join(', ')} present`);

    expectStatuses(
      'shared bucket',
      await statuses(
        harness,
        ['/egts-lrl-shared-a', '/egts-lrl-shared-b', '/egts-lrl-shared-a', '/egts-lrl-shared-b'],
        johnHeaders,
      ),
      [200, 200, 200, 429],
    );
    expectStatuses(
      'shared bucket, not john',
      await statuses(harness, ['/egts-lrl-shared-a', '/egts-lrl-shared-b']),
      [200, 200],
    );

    expectStatuses(
      'outside an inverted range',
      await statuses(harness, ['/egts-lrl-outside', '/egts-lrl-outside', '/egts-lrl-outside']),
      [200, 200, 429],
    );
    expectStatuses(
      'inside an inverted range',
      await statuses(harness, ['/egts-lrl-inside', '/egts-lrl-inside', '/egts-lrl-inside']),
      [200, 200, 200],
    );

    const limitHeaders = async (user?: string) =>
      (await once(harness, '/egts-lrl-rule-headers', user ? { 'x-user-id': user } : {}))
        .limitHeaders.length > 0;
    const sent = {
      john: await limitHeaders('john'),
      jane: await limitHeaders('jane'),
      bob: await limitHeaders('bob'),
      routeWide: await limitHeaders(),
    };
    const want = { john: false, jane: true, bob: true, routeWide: false };
    if (JSON.stringify(sent) !== JSON.stringify(want))
      throw new Error(`rule headers: sent ${JSON.stringify(sent)}, want ${JSON.stringify(want)}`);
  },
};
