// GATEWAY-HTTP extended, HTTPRoute retries (conformance/tests/httproute-retry*.go): the backend's
// retry simulation fails the first `succeedAfter` attempts of each probe (a fresh uuid per probe),
// with `responseCode` or a dropped connection, optionally after `delayRetry`; the route's retry
// policy and timeouts decide whether the client sees the backend's answer or the failure.
import {
  accepted,
  type ConformanceTest,
  gw,
  type HttpExpectation,
  infra,
  routeCondition,
} from '../conformanceTest.js';

const sameNs = gw('same-namespace');

/** One probe: `path` with the simulation's parameters (sorted, as Go's url.Values encodes them). */
const probe = (
  path: string,
  simulation: Record<string, string>,
  status: number | readonly number[],
): HttpExpectation => {
  const query = new URLSearchParams(
    Object.entries(simulation).sort(([a], [b]) => a.localeCompare(b)),
  ).toString();
  return {
    request: { path: `${path}?${query}` },
    freshQuery: 'uuid',
    status,
    backend: 'infra-backend-v3',
    namespace: infra,
  };
};

const routeAccepted = (route: string) => [
  ...accepted(sameNs, [route]),
  routeCondition(route, sameNs, 'ResolvedRefs', 'True'),
];

const fail = (code: string, succeedAfter: string) => ({ responseCode: code, succeedAfter });
const code500 = '/retry/code-500-attempts-3';
const codeAll = '/retry/code-all-attempts-2';
const backendTimeout = '/retry/backend-request-timeout-200ms';
const requestTimeout = '/retry/request-timeout-200ms';

export const httpRouteRetryTests: ConformanceTest[] = [
  {
    name: 'HTTPRouteRetry',
    description:
      'A retry policy retries the listed status codes up to its attempts: the backend recovering within them answers, else its error does',
    features: ['Gateway', 'HTTPRoute', 'HTTPRouteRetry'],
    manifests: ['httproute-retry.yaml'],
    statuses: routeAccepted('retries'),
    requests: [
      probe(code500, fail('500', '2'), 200),
      probe(code500, fail('500', '4'), 500),
      probe(code500, fail('503', '2'), 503),
      ...['500', '502', '503', '504'].flatMap((code) => [
        probe(codeAll, fail(code, '1'), 200),
        probe(codeAll, fail(code, '3'), Number(code)),
      ]),
    ],
  },
  {
    name: 'HTTPRouteRetryConnectionError',
    description:
      'A retry policy without codes retries dropped connections up to its attempts, then fails with 500 or 503',
    features: ['Gateway', 'HTTPRoute', 'HTTPRouteRetry', 'HTTPRouteRetryConnectionError'],
    manifests: ['httproute-retry-connection-error.yaml'],
    statuses: routeAccepted('retries-connection-error'),
    requests: [
      probe('/retry/no-status-code-attempts-3', { succeedAfter: '2' }, 200),
      probe('/retry/no-status-code-attempts-3', { succeedAfter: '4' }, [500, 503]),
    ],
  },
  {
    // Upstream's HTTPRouteRetryWithTimeouts revision of this manifest; named after its feature.
    name: 'HTTPRouteRetryBackendTimeout',
    description:
      'Retries happen only while the timeouts allow: per-try timeouts are retried, the request timeout ends them with 504',
    features: [
      'Gateway',
      'HTTPRoute',
      'HTTPRouteRetry',
      'HTTPRouteRetryBackendTimeout',
      'HTTPRouteRequestTimeout',
      'HTTPRouteBackendTimeout',
    ],
    manifests: ['httproute-retry-with-timeouts.yaml'],
    statuses: routeAccepted('retries-with-timeouts'),
    requests: [
      probe(backendTimeout, { ...fail('500', '2'), delayRetry: '300ms' }, 200),
      probe(backendTimeout, { ...fail('500', '3'), delayRetry: '300ms' }, 504),
      probe(requestTimeout, fail('500', '1'), 200),
      probe(requestTimeout, { ...fail('500', '4'), delayRetry: '100ms' }, 504),
    ],
  },
];
