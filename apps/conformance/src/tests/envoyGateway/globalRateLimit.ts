// Envoy Gateway's global rate limit e2e tests (test/e2e/tests/ratelimit.go) re-expressed: the same
// manifests (testdata/), requests and answers, through egts, real Envoy, the real Envoy Rate Limit
// Service and a real Redis (the harness runs both; the tests skip, saying why, without them). A
// limit counts requests, so as upstream each check waits for a first answer, then sends exactly
// as many requests as it counts (MakeRequestAndExpectEventuallyConsistentResponse with one
// success, then GotExactExpectedResponse).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  accepted,
  type ConformanceTest,
  type GatewayRef,
  gw,
  type HttpExpectation,
  infra,
  type StatusExpectation,
  type TestHarness,
} from '../../conformanceTest.js';
import { rateLimitUnavailable } from '../../internal/controlPlane.js';

const FEATURES = ['BackendTrafficPolicy', 'GlobalRateLimit'];
const sameNs = gw('same-namespace');
const egRateLimit = gw('eg-rate-limit');
const LIMIT_3_HOUR = '3, 3;w=3600';

const policy = (name: string, ancestor: GatewayRef = sameNs): StatusExpectation => ({
  kind: 'BackendTrafficPolicy',
  namespace: infra,
  name,
  ancestors: [{ gateway: ancestor, conditions: [{ type: 'Accepted', status: 'True' }] }],
});

interface Ask {
  path: string;
  method?: string;
  host?: string;
  headers?: Record<string, string>;
  gateway?: GatewayRef;
  port?: number;
}

const expectation = (ask: Ask, status: number): HttpExpectation => ({
  ...(ask.gateway ? { gateway: ask.gateway } : {}),
  ...(ask.port ? { port: ask.port } : {}),
  request: {
    path: ask.path,
    ...(ask.method ? { method: ask.method } : {}),
    ...(ask.host ? { host: ask.host } : {}),
    ...(ask.headers ? { headers: ask.headers } : {}),
  },
  status,
  namespace: infra,
});

/** An x-ratelimit-limit value, or a pattern it must match. */
type Limit = string | RegExp;

/** Why one answer is not `status` (with `limit` as x-ratelimit-limit when given), or undefined. */
const check = async (harness: TestHarness, ask: Ask, status: number, limit?: Limit) => {
  const reply = await harness.send(expectation(ask, status));
  if (reply instanceof Error) return `${ask.path}: ${reply.message}`;
  if (reply.status !== status) return `${ask.path}: ${reply.status}, want ${status}`;
  const header = reply.headers['x-ratelimit-limit'];
  const matches =
    limit === undefined ||
    (typeof limit === 'string' ? header === limit : limit.test(String(header)));
  if (!matches) return `${ask.path}: x-ratelimit-limit ${String(header)}, want ${limit}`;
  return undefined;
};

/** Sends until one answer is as expected (the rate limit service may not have the rule yet). */
const first = async (harness: TestHarness, ask: Ask, status: number, limit?: Limit) => {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const problem = await check(harness, ask, status, limit);
    if (problem === undefined) return;
    if (Date.now() > deadline) throw new Error(problem);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
};

/** Exactly `n` requests, each answered as expected. */
const exactly = async (
  harness: TestHarness,
  n: number,
  ask: Ask,
  status: number,
  limit?: Limit,
) => {
  for (let i = 0; i < n; i++) {
    const problem = await check(harness, ask, status, limit);
    if (problem !== undefined) throw new Error(`request ${i + 1} of ${n}: ${problem}`);
  }
};

const unavailable = rateLimitUnavailable();
const test = (t: Omit<ConformanceTest, 'features'>, skip?: string): ConformanceTest => {
  const reason = skip ?? unavailable;
  return { ...t, features: FEATURES, ...(reason ? { skip: reason } : {}) };
};

const cidrMatch = test({
  name: 'RateLimitCIDRMatch',
  description: 'Limit all requests that match CIDR',
  manifests: ['ratelimit-cidr-match.yaml'],
  statuses: [...accepted(sameNs, ['cidr-ratelimit']), policy('ratelimit-all-ips')],
  steps: async (h) => {
    await first(h, { path: '/' }, 200, LIMIT_3_HOUR);
    await first(h, { path: '/' }, 429);
    // The merged listeners of ratelimit-gateway (two hostnames on port 80) both limit.
    for (const host of ['app1.example.com', 'app2.example.com'])
      await first(h, { path: '/', host, gateway: gw('ratelimit-gateway') }, 429, LIMIT_3_HOUR);
  },
});

const LIMIT_2_HOUR = '2, 2;w=3600';
const cidrInvertEnforce = test({
  name: 'RateLimitCIDRInvertMatchAlwaysEnforce',
  description: 'Rate limit all IPs except a defined CIDR (invert match)',
  manifests: ['ratelimit-cidr-invert-match-always-enforce.yaml'],
  statuses: [...accepted(sameNs, ['cidr-invert-ratelimit']), policy('ratelimit-except-cidr')],
  steps: async (h) => {
    // The client (127.0.0.1) is outside 192.0.2.0/24, so the rule counts it: 2 pass, then 429.
    await first(h, { path: '/' }, 200, LIMIT_2_HOUR);
    await exactly(h, 1, { path: '/' }, 200, LIMIT_2_HOUR);
    await exactly(h, 1, { path: '/' }, 429);
  },
});
const cidrInvertExempt = test({
  name: 'RateLimitCIDRInvertAlwaysExempt',
  description: 'Never rate limited when the exempt range is all IPv4',
  manifests: ['ratelimit-cidr-invert-always-exempt.yaml'],
  statuses: [
    ...accepted(sameNs, ['cidr-invert-always-exempt']),
    policy('ratelimit-except-all-ips'),
  ],
  steps: async (h) => {
    // Every IPv4 client is in 0.0.0.0/0: the inverted rule never applies (no limit header).
    await first(h, { path: '/never-limited' }, 200);
    await exactly(h, 4, { path: '/never-limited' }, 200);
    const reply = await h.send(expectation({ path: '/never-limited' }, 200));
    if (!(reply instanceof Error) && reply.headers['x-ratelimit-limit'] !== undefined)
      throw new Error(
        `an exempt client got x-ratelimit-limit ${reply.headers['x-ratelimit-limit']}`,
      );
  },
});

const methodMatch = test({
  name: 'RateLimitMethodMatch',
  description: 'Limit all requests that match the methods',
  manifests: ['ratelimit-method-match.yaml'],
  statuses: [...accepted(sameNs, ['method-ratelimit']), policy('ratelimit-method-match')],
  steps: async (h) => {
    await first(h, { path: '/get', method: 'POST' }, 200, LIMIT_3_HOUR);
    await first(h, { path: '/get', method: 'POST' }, 429);
    await first(h, { path: '/get', method: 'DELETE' }, 429);
    await first(h, { path: '/get' }, 200);
    await exactly(h, 3, { path: '/get' }, 200);
  },
});

const pathMatch = test({
  name: 'RateLimitPathMatch',
  description: 'Limit all requests that match the path',
  manifests: ['ratelimit-path-match.yaml'],
  statuses: [...accepted(sameNs, ['path-ratelimit']), policy('ratelimit-path-match')],
  steps: async (h) => {
    const limited = { path: '/get/specific-path' };
    await first(h, limited, 200, LIMIT_3_HOUR);
    await exactly(h, 2, limited, 200, LIMIT_3_HOUR);
    await exactly(h, 1, limited, 429);
    await exactly(h, 1, { path: '/get/specific-path/subpath' }, 429);
    // A path prefix matches whole segments: /get/specific-path2 is another path.
    await exactly(h, 1, { path: '/get/specific-path2' }, 200);
    await first(h, { path: '/get/no-specific-path' }, 200);
    await exactly(h, 3, { path: '/get/no-specific-path' }, 200);
  },
});

const headerMatch = test({
  name: 'RateLimitHeaderMatch',
  description: 'Limit all requests that match headers',
  manifests: ['ratelimit-header-match.yaml'],
  statuses: [...accepted(sameNs, ['header-ratelimit']), policy('ratelimit-anded-headers')],
  steps: async (h) => {
    const both = { path: '/get', headers: { 'x-user-id': 'one', 'x-user-org': 'acme' } };
    await first(h, both, 200, LIMIT_3_HOUR);
    await first(h, both, 429);
    const one = { path: '/get', headers: { 'x-user-id': 'one' } };
    await first(h, one, 200);
    await exactly(h, 3, one, 200);
  },
});

const headerInvertMatch = test({
  name: 'GlobalRateLimitHeaderInvertMatch',
  description: 'Limit all requests that match distinct headers except the inverted value',
  manifests: ['ratelimit-header-invert-match-global.yaml'],
  statuses: [
    ...accepted(sameNs, ['header-ratelimit']),
    policy('ratelimit-anded-headers-with-invert'),
  ],
  steps: async (h) => {
    const user = { path: '/get', headers: { 'x-user-name': 'username' } };
    await first(h, user, 200, LIMIT_3_HOUR);
    await exactly(h, 2, user, 200, LIMIT_3_HOUR);
    await exactly(h, 1, user, 429);
    const admin = { path: '/get', headers: { 'x-user-name': 'admin' } };
    await first(h, admin, 200);
    await exactly(h, 3, admin, 200);
  },
});

const headersDisabled = test({
  name: 'RateLimitHeadersDisabled',
  description: 'Limit requests without the x-ratelimit headers',
  manifests: ['ratelimit-headers-disabled.yaml'],
  statuses: [
    ...accepted(sameNs, ['ratelimit-headers-disabled']),
    policy('ratelimit-headers-disabled-btp'),
    {
      kind: 'ClientTrafficPolicy',
      namespace: infra,
      name: 'ratelimit-headers-disabled-ctp',
      ancestors: [{ gateway: sameNs, conditions: [{ type: 'Accepted', status: 'True' }] }],
    },
  ],
  steps: async (h) => {
    const both = { path: '/get', headers: { 'x-user-id': 'one', 'x-user-org': 'acme' } };
    // ClientTrafficPolicy headers.disableRateLimitHeaders: limited, without x-ratelimit-*.
    const noHeaders = /^undefined$/;
    await first(h, both, 200, noHeaders);
    await exactly(h, 2, both, 200, noHeaders);
    await exactly(h, 1, both, 429);
    const one = { path: '/get', headers: { 'x-user-id': 'one' } };
    await first(h, one, 200);
    await exactly(h, 3, one, 200);
  },
});

/**
 * The bearer token of ratelimit.go whose `name` claim is `name` (the tokens are inline there, signed
 * by the key of the static file server's jwt/jwks.json), read at test time from ../shared.
 */
const tokenNamed = (suiteDir: string, name: string): string => {
  const text = readFileSync(join(suiteDir, 'tests', 'ratelimit.go'), 'utf8');
  for (const [, token = ''] of text.matchAll(/"Bearer " \+ "([\w-]+\.[\w-]+\.[\w-]+)"/g)) {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
    if (payload.name === name) return token;
  }
  throw new Error(`no token for ${name} in tests/ratelimit.go`);
};

const jwtClaims = (suiteDir: string) =>
  test({
    name: 'RateLimitBasedJwtClaims',
    description: 'Limit based on JWT claims (SecurityPolicy claimToHeaders)',
    manifests: ['ratelimit-based-jwt-claims.yaml'],
    statuses: [
      ...accepted(sameNs, ['http-ratelimit-based-jwt-claims', 'http-no-ratelimit']),
      policy('ratelimit-specific-user'),
    ],
    steps: async (h) => {
      await first(h, { path: '/bar' }, 200);
      const john = {
        path: '/foo',
        headers: { Authorization: `Bearer ${tokenNamed(suiteDir, 'John Doe')}` },
      };
      // The JWT filter puts the name claim in x-claim-name; the rule limits John Doe.
      await first(h, john, 200, LIMIT_3_HOUR);
      await exactly(h, 2, john, 200, LIMIT_3_HOUR);
      await exactly(h, 1, john, 429);
      const tom = {
        path: '/foo',
        headers: { Authorization: `Bearer ${tokenNamed(suiteDir, 'Tom')}` },
      };
      await exactly(h, 4, tom, 200);
      await exactly(h, 1, { path: '/foo' }, 401);
    },
  });

const multipleListeners = test({
  name: 'RateLimitMultipleListeners',
  description: 'Limit requests on multiple listeners',
  manifests: ['ratelimit-multiple-listeners.yaml'],
  statuses: [
    ...accepted(egRateLimit, ['cidr-ratelimit']),
    policy('ratelimit-all-ips', egRateLimit),
  ],
  steps: async (h) => {
    // Each listener counts apart: 3 per client on port 80, 3 more on port 8080.
    for (const port of [80, 8080]) {
      const ask = { path: '/', gateway: egRateLimit, port };
      await first(h, ask, 200, LIMIT_3_HOUR);
      await exactly(h, 2, ask, 200, LIMIT_3_HOUR);
      await exactly(h, 1, ask, 429);
    }
  },
});

const headersAndCidr = test({
  name: 'RateLimitHeadersAndCIDRMatch',
  description: 'Limit requests on a rule that has both headers and CIDR matches',
  manifests: ['ratelimit-headers-and-cidr-match.yaml'],
  statuses: [
    ...accepted(sameNs, ['header-and-cidr-ratelimit']),
    policy('ratelimit-headers-and-cidr'),
  ],
  steps: async (h) => {
    const both = { path: '/get', headers: { 'x-user-id': 'one', 'x-user-org': 'acme' } };
    await first(h, both, 200, LIMIT_3_HOUR);
    await exactly(h, 2, both, 200, LIMIT_3_HOUR);
    await exactly(h, 1, both, 429);
    const partly = { path: '/get', headers: { 'x-user-id': 'one' } };
    await first(h, partly, 200);
    await exactly(h, 3, partly, 200);
    await first(h, { path: '/get' }, 200);
    await exactly(h, 3, { path: '/get' }, 200);
  },
});

const usage = test({
  name: 'UsageRateLimit',
  description: 'Limit by usage reported in the response (cost from metadata)',
  manifests: ['ext-proc-service.yaml', 'ratelimit-usage-ratelimit.yaml'],
  statuses: [...accepted(sameNs, ['usage-rate-limit']), policy('usage-rate-limit')],
  steps: async (h) => {
    // Requests cost 0; each response costs 10 (the ext_proc server's dynamic metadata), so a
    // budget of 21 lets three requests through (21 -> 11 -> 1 -> 0) and refuses the fourth.
    const ask = { path: '/get', headers: { 'x-user-id': 'one' } };
    await first(h, ask, 200, '21, 21;w=3600');
    await exactly(h, 2, ask, 200, '21, 21;w=3600');
    // A response's cost reaches the Rate Limit Service when its stream ends, after the client has
    // the answer (apply_on_stream_done): the third one's must be counted before the fourth asks.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await exactly(h, 1, ask, 429);
  },
});

const sharedCidr = test({
  name: 'RateLimitGlobalSharedCidrMatch',
  description: 'Limit all requests that match CIDR across routes with a shared rate limit',
  manifests: ['ratelimit-global-shared-cidr-match.yaml'],
  statuses: [
    ...accepted(sameNs, ['cidr-ratelimit-1', 'cidr-ratelimit-2']),
    policy('ratelimit-all-ips'),
  ],
  steps: async (h) => {
    await first(h, { path: '/foo' }, 200, LIMIT_3_HOUR);
    await first(h, { path: '/foo' }, 200, LIMIT_3_HOUR);
    await first(h, { path: '/bar' }, 200, LIMIT_3_HOUR);
    // Three requests over both routes: the shared limit refuses the next one on either.
    await first(h, { path: '/bar' }, 429);
  },
});

const sharedGatewayHeader = test({
  name: 'RateLimitGlobalSharedGatewayHeaderMatch',
  description: 'Limit requests with matching headers across routes with a shared rate limit',
  manifests: ['ratelimit-global-shared-gateway-header-match.yaml'],
  statuses: [
    ...accepted(egRateLimit, ['header-ratelimit-1', 'header-ratelimit-2']),
    policy('ratelimit-header-match-gateway', egRateLimit),
  ],
  steps: async (h) => {
    const ask = (path: string) => ({
      path,
      headers: { 'x-user-id': 'one' },
      gateway: egRateLimit,
      port: 8080,
    });
    await first(h, ask('/foo'), 200, LIMIT_3_HOUR);
    await exactly(h, 1, ask('/foo'), 200, LIMIT_3_HOUR);
    await exactly(h, 1, ask('/bar'), 200, LIMIT_3_HOUR);
    await exactly(h, 1, ask('/bar'), 429);
  },
});

const merge = test({
  name: 'RateLimitGlobalMergeTest',
  description: 'Shared and unshared rules of a route policy merged onto a Gateway policy',
  manifests: ['ratelimit-global-shared-and-unshared-header-match.yaml'],
  statuses: [...accepted(egRateLimit, ['header-ratelimit-1', 'header-ratelimit-2'])],
  steps: async (h) => {
    const at = (path: string, user?: string) => ({
      path,
      gateway: egRateLimit,
      port: 8080,
      ...(user ? { headers: { 'x-user-id': user } } : {}),
    });
    // Shared rules (the route policy's "one", the Gateway policy's "three"): 3 over both routes.
    // The Gateway's rule without selectors (100 per hour) matches these requests too, so Envoy's
    // draft-03 header lists both quotas ("3, 100;w=3600, 3;w=3600", the lowest first) where
    // ratelimit.go reads "3, 3;w=3600" alone; the counts below are ratelimit.go's.
    const both = /^3, (.*, )?3;w=3600(,|$)/;
    for (const user of ['one', 'three']) {
      await first(h, at('/bar', user), 200, both);
      await exactly(h, 1, at('/bar', user), 200);
      await exactly(h, 1, at('/foo', user), 200);
      await exactly(h, 1, at('/foo', user), 429);
    }
    // Unshared rules (the route policy's "two", the Gateway policy's "four"): 3 on each route.
    for (const user of ['two', 'four']) {
      await first(h, at('/foo', user), 200, both);
      await exactly(h, 2, at('/foo', user), 200);
      await exactly(h, 1, at('/foo', user), 429);
      await exactly(h, 3, at('/bar', user), 200);
      await exactly(h, 1, at('/bar', user), 429);
    }
    // The Gateway policy's rule without selectors: 100 per hour over every route and client.
    await first(h, at('/bar'), 200, '100, 100;w=3600');
    const reply = await h.send(expectation(at('/bar'), 200));
    if (reply instanceof Error) throw reply;
    const remaining = Number(reply.headers['x-ratelimit-remaining']);
    if (!Number.isInteger(remaining)) throw new Error('no x-ratelimit-remaining');
    await exactly(h, remaining, at('/bar'), 200);
    await exactly(h, 1, at('/bar'), 429);
  },
});

const shadowMode = test({
  name: 'RateLimitGlobalShadowModeTest',
  description: 'Shadow mode counts requests but never limits them',
  manifests: ['ratelimit-global-shadow-mode.yaml'],
  statuses: [...accepted(sameNs, ['shadow-mode-ratelimit']), policy('shadow-mode-ratelimit')],
  steps: async (h) => {
    const ask = { path: '/shadow', method: 'GET' };
    await first(h, ask, 200, LIMIT_3_HOUR);
    await exactly(h, 4, ask, 200);
  },
});

const queryParameters = test({
  name: 'RateLimitQueryParameters',
  description: 'Limit requests that match query parameters',
  manifests: ['ratelimit-query-parameters.yaml'],
  statuses: [
    ...accepted(sameNs, ['query-parameters-ratelimit']),
    policy('ratelimit-query-parameters'),
  ],
  steps: async (h) => {
    const alice = { path: '/get?user=alice' };
    await first(h, alice, 200, LIMIT_3_HOUR);
    await first(h, alice, 429);
    const bob = { path: '/get?name=bob' };
    await first(h, bob, 200);
    await exactly(h, 3, bob, 200);
  },
});

const sharedCost = gw('eg-shared-cost-ratelimit');
const sharedWithCost = test({
  name: 'RateLimitGlobalSharedWithCost',
  description: 'A shared limit where each request costs more than one',
  manifests: ['ratelimit-global-shared-gateway-cost.yaml'],
  statuses: [
    ...accepted(sharedCost, ['cost-ratelimit-1', 'cost-ratelimit-2']),
    policy('ratelimit-shared-gateway-cost', sharedCost),
  ],
  steps: async (h) => {
    const ask = (path: string, headers: Record<string, string> = { 'x-user-id': 'cost-test' }) => ({
      path,
      headers,
      gateway: sharedCost,
      port: 8080,
    });
    // Each request costs 2 of the shared 4: one on /foo, one on /bar, then /bar is refused.
    await first(h, ask('/foo'), 200, '4, 4;w=3600');
    await exactly(h, 1, ask('/bar'), 200);
    await exactly(h, 1, ask('/bar'), 429);
    await first(h, ask('/foo', {}), 200);
  },
});

/** In ratelimit.go's order; `suiteDir` is Envoy Gateway's e2e folder (for its JWTs). */
export const globalRateLimitTests = (suiteDir: string): ConformanceTest[] => [
  cidrMatch,
  cidrInvertEnforce,
  cidrInvertExempt,
  methodMatch,
  pathMatch,
  headerMatch,
  headerInvertMatch,
  headersDisabled,
  jwtClaims(suiteDir),
  multipleListeners,
  headersAndCidr,
  usage,
  sharedCidr,
  sharedGatewayHeader,
  merge,
  shadowMode,
  queryParameters,
  sharedWithCost,
];
