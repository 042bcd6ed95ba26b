// Envoy Gateway's BackendTrafficPolicy e2e tests on retries, circuit breakers, bandwidth limits
// and the upstream protocol (test/e2e/tests: retry.go, circuitbreaker.go, bandwidth_limit.go,
// use_client_protocol.go) re-expressed: the same manifests (testdata/) and requests, through egts
// and real Envoy. Where the upstream test reads a counter from Prometheus, these read the same
// counter from the Gateway's Envoy (admin /stats): Prometheus only scrapes it.
import {
  accepted,
  type ConformanceTest,
  gw,
  infra,
  type StatusExpectation,
  type TestHarness,
} from '../../conformanceTest.js';

const sameNs = gw('same-namespace');

const policy = (name: string): StatusExpectation => ({
  kind: 'BackendTrafficPolicy',
  namespace: infra,
  name,
  ancestors: [{ gateway: sameNs, conditions: [{ type: 'Accepted', status: 'True' }] }],
});

/** The Envoy cluster of an HTTPRoute rule, as Envoy Gateway names it (and its stats). */
const clusterOf = (route: string, rule = 0) => `httproute/${infra}/${route}/rule/${rule}`;

const regexQuote = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The value of one cluster counter (0 before Envoy counted anything). */
const clusterCounter = async (h: TestHarness, cluster: string, counter: string) => {
  const name = `cluster.${cluster}.${counter}`;
  const stats = await h.stats(`^${regexQuote(name)}$`);
  return stats[name] ?? 0;
};

/** The sum of the counters whose names end with `suffix`, over the whole proxy. */
const sumOf = async (h: TestHarness, suffix: string) =>
  Object.values(await h.stats(`${regexQuote(suffix)}$`)).reduce((a, b) => a + b, 0);

const retry: ConformanceTest = {
  name: 'Retry',
  description: 'Test that the BackendTrafficPolicy API implementation supports retry',
  features: ['BackendTrafficPolicy'],
  manifests: ['retry.yaml'],
  statuses: [...accepted(sameNs, ['retry-route']), policy('retry-policy')],
  requests: [{ request: { path: '/' }, backend: 'infra-backend-v1', namespace: infra }],
  steps: async (h) => {
    const cluster = clusterOf('retry-route');
    const before = await clusterCounter(h, cluster, 'upstream_rq_retry');
    await h.expectRequests([{ request: { path: '/status/500' }, status: 500 }]);
    // numRetries is 5: every failed request adds 5 retries.
    await h.eventually('upstream_rq_retry grows by multiples of 5', async () => {
      const delta = (await clusterCounter(h, cluster, 'upstream_rq_retry')) - before;
      return delta > 0 && delta % 5 === 0 ? undefined : `upstream_rq_retry grew by ${delta}`;
    });
  },
};

const circuitBreaker: ConformanceTest = {
  name: 'CircuitBreaker',
  description: 'Test circuit breaker functionality',
  features: ['BackendTrafficPolicy'],
  manifests: ['circuitbreaker.yaml'],
  statuses: [
    ...accepted(sameNs, ['http-with-circuitbreaker', 'http-with-retry-budget']),
    policy('circuitbreaker-example'),
    policy('circuitbreaker-retry-budget'),
  ],
  // A closed circuit breaker (every limit 0) refuses every request as overloaded. The upstream
  // test reads x-envoy-overloaded, which Envoy's router leaves out when it suppresses x-envoy-*
  // headers, as Envoy Gateway configures it unless a ClientTrafficPolicy enables them; the
  // overflow shows in the local reply's reset reason and the cluster's overflow counter instead.
  requests: [
    {
      request: { path: '/circuitbreaker' },
      status: 503,
      responseBody:
        'upstream connect error or disconnect/reset before headers. reset reason: overflow',
    },
    { request: { path: '/retry-budget' }, backend: 'infra-backend-v2', namespace: infra },
  ],
  steps: async (h) => {
    const overflow = await clusterCounter(
      h,
      clusterOf('http-with-circuitbreaker'),
      'upstream_rq_pending_overflow',
    );
    if (overflow === 0) throw new Error('upstream_rq_pending_overflow stayed 0');
    // A retry budget of 0% allows no retry: the 503 is answered and the refusal counted.
    const cluster = clusterOf('http-with-retry-budget');
    const before = await clusterCounter(h, cluster, 'upstream_rq_retry_overflow');
    await h.expectRequests([{ request: { path: '/status/503' }, status: 503 }]);
    await h.eventually('upstream_rq_retry_overflow grows', async () => {
      const now = await clusterCounter(h, cluster, 'upstream_rq_retry_overflow');
      return now > before ? undefined : `upstream_rq_retry_overflow ${now}, was ${before}`;
    });
  },
};

const KIB = 1024;

const bandwidthLimit: ConformanceTest = {
  name: 'BandwidthLimit',
  description: 'Verify that bandwidth limit enforces per-direction transfer rate limits',
  features: ['BackendTrafficPolicy'],
  manifests: ['bandwidth-limit.yaml'],
  statuses: [...accepted(sameNs, ['bandwidth-limit-route']), policy('bandwidth-limit-policy')],
  requests: [
    { request: { path: '/bandwidth-limit' }, backend: 'infra-backend-v1', namespace: infra },
  ],
  steps: async (h) => {
    // 5 KiB up at 1 KiB/s: the filter throttles it (request_enforced), and it takes about 4 s
    // more than an unthrottled request (the bucket starts with the first KiB).
    const before = await sumOf(h, 'http_bandwidth_limit.request_enforced');
    const started = performance.now();
    const reply = await h.send({
      request: { path: '/bandwidth-limit', method: 'POST', body: 'x'.repeat(5 * KIB) },
      timeoutMs: 30_000,
    });
    const seconds = (performance.now() - started) / 1_000;
    if (reply instanceof Error) throw reply;
    if (reply.status !== 200) throw new Error(`POST /bandwidth-limit: ${reply.status}, want 200`);
    if (seconds < 3) throw new Error(`5 KiB at 1 KiB/s took ${seconds.toFixed(1)} s, want >= 3`);
    await h.eventually('request_enforced grows', async () => {
      const now = await sumOf(h, 'http_bandwidth_limit.request_enforced');
      return now > before ? undefined : `request_enforced ${now}, was ${before}`;
    });
  },
};

/** One request whose answer must come from a backend speaking `proto`, or bear `status`. */
const protocolCheck = async (
  h: TestHarness,
  path: string,
  h2c: boolean,
  want: { proto: string } | { status: number },
) => {
  const reply = await h.send({
    request: { path, ...(h2c ? { protocol: 'h2c' as const } : {}) },
  });
  const label = `${h2c ? 'HTTP/2' : 'HTTP/1.1'} ${path}`;
  if (reply instanceof Error) throw new Error(`${label}: ${reply.message}`);
  if ('status' in want) {
    if (reply.status !== want.status)
      throw new Error(`${label}: ${reply.status}, want ${want.status}`);
    return;
  }
  if (reply.status !== 200) throw new Error(`${label}: ${reply.status}, want 200`);
  if (reply.echo?.proto !== want.proto)
    throw new Error(`${label}: the backend saw ${reply.echo?.proto}, want ${want.proto}`);
};

const useClientProtocol: ConformanceTest = {
  name: 'UseClientProtocol',
  description: "Test that the UseClientProtocol knob does what it's supposed to",
  features: ['BackendTrafficPolicy'],
  manifests: ['use-client-protocol.yaml'],
  statuses: [...accepted(sameNs, ['use-client-protocol']), policy('use-client-protocol-btp')],
  // /http11 reaches echo-basic's HTTP/1.1 port, /http2 its h2c port: Envoy speaks to each the
  // client's protocol, so a mismatch fails (400 from the h2c port, 502 from the HTTP/1.1 one).
  requests: [
    { request: { path: '/http11/headers' }, backend: 'infra-backend-v1', namespace: infra },
    { request: { path: '/http2/headers' }, status: 400 },
    {
      request: { path: '/http2/headers', protocol: 'h2c' },
      backend: 'infra-backend-v1',
      namespace: infra,
    },
    { request: { path: '/http11/headers', protocol: 'h2c' }, status: 502 },
  ],
  steps: async (h) => {
    await protocolCheck(h, '/http11/headers', false, { proto: 'HTTP/1.1' });
    await protocolCheck(h, '/http2/headers', true, { proto: 'HTTP/2.0' });
  },
};

export const backendTrafficResilienceTests = (): ConformanceTest[] => [
  retry,
  circuitBreaker,
  bandwidthLimit,
  useClientProtocol,
];
