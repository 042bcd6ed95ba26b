// GATEWAY-HTTP extended, HTTPRouteCORS (conformance/tests/httproute-cors.go): the CORS filter answers
// preflights itself (no backend; 200 or 204) and adds the allow headers to requests it forwards.
// Header lists may come in any order and with or without spaces after commas.
import {
  accepted,
  type ConformanceTest,
  gw,
  type HttpExpectation,
  infra,
  routeCondition,
} from '../conformanceTest.js';

const sameNs = gw('same-namespace');
const v1 = { backend: 'infra-backend-v1', namespace: infra };

/** An OPTIONS preflight: answered by the gateway, so no backend check. */
const preflight = (
  path: string,
  headers: Record<string, string>,
  response: Omit<HttpExpectation, 'request'>,
): HttpExpectation => ({ request: { path, method: 'OPTIONS', headers }, ...response });

/** A request the filter forwards to infra-backend-v1 (the backend of every route here). */
const simple = (
  path: string,
  method: string,
  headers: Record<string, string>,
  response: Omit<HttpExpectation, 'request'>,
): HttpExpectation => ({ request: { path, method, headers }, ...v1, ...response });

const requestHeaders12 = {
  'access-control-request-method': 'GET',
  'access-control-request-headers': 'x-header-1, x-header-2',
};
/** What /cors-1 (cors-multiple-origins-methods-headers) answers a preflight from `origin`. */
const cors1Allowed = (origin: string) => ({
  'access-control-allow-origin': [origin],
  'access-control-allow-methods': ['GET, OPTIONS', 'OPTIONS, GET'],
  'access-control-allow-headers': ['x-header-1, x-header-2', 'x-header-2, x-header-1'],
  'access-control-expose-headers': ['x-header-3, x-header-4', 'x-header-4, x-header-3'],
  'access-control-max-age': ['3600'],
  'access-control-allow-credentials': ['true'],
});
const credentials = 'access-control-allow-credentials';

export const httpRouteCorsTests: ConformanceTest[] = [
  {
    name: 'HTTPRouteCORS',
    description:
      'An HTTPRoute with a CORS filter allows CORS requests from the origins, methods and headers it lists',
    features: ['Gateway', 'HTTPRoute', 'HTTPRouteCORS'],
    manifests: ['httproute-cors.yaml'],
    statuses: [
      ...accepted(sameNs, ['cors-multiple-origins-methods-headers', 'cors-wildcard-methods']),
      ...[
        'cors-multiple-origins-methods-headers',
        'cors-wildcard-methods',
        'cors-wildcard-origin',
        'cors-wildcard-methods-headers',
      ].map((route) => routeCondition(route, sameNs, 'ResolvedRefs', 'True')),
    ],
    requests: [
      // Preflights to /cors-1 from an exact origin, a wildcard one, and one with more labels.
      preflight(
        '/cors-1',
        { Origin: 'https://www.foo.com', ...requestHeaders12 },
        {
          status: [200, 204],
          validResponseHeaders: cors1Allowed('https://www.foo.com'),
          ignoreWhitespace: true,
        },
      ),
      ...['https://www.bar.com', 'https://xpto.www.bar.com'].map((origin) =>
        preflight(
          '/cors-1',
          { Origin: origin, ...requestHeaders12 },
          { status: 200, validResponseHeaders: cors1Allowed(origin), ignoreWhitespace: true },
        ),
      ),
      preflight(
        '/cors-1',
        { Origin: 'https://foobar.com', 'access-control-request-method': 'GET' },
        { status: [200, 204, 403], absentResponseHeaders: ['access-control-allow-origin'] },
      ),
      // Simple requests to /cors-1 reach the backend; only allowed origins get the header.
      ...['https://www.foo.com', 'https://www.bar.com'].map((origin) =>
        simple(
          '/cors-1',
          'GET',
          { Origin: origin, ...requestHeaders12 },
          { status: [200, 204], responseHeaders: { 'access-control-allow-origin': origin } },
        ),
      ),
      simple(
        '/cors-1',
        'GET',
        { Origin: 'https://foobar.com', 'access-control-request-method': 'GET' },
        { absentResponseHeaders: ['access-control-allow-origin'] },
      ),
      // allowMethods ["*"] without credentials.
      preflight(
        '/cors-2',
        { Origin: 'https://www.foo.com', 'access-control-request-method': 'POST' },
        {
          status: [200, 204],
          validResponseHeaders: { 'access-control-allow-methods': ['POST', '*'] },
          responseHeaders: { 'access-control-allow-origin': 'https://www.foo.com' },
          absentResponseHeaders: [credentials],
        },
      ),
      preflight(
        '/cors-2',
        { Origin: 'https://www.foo.com', 'access-control-request-method': 'POST' },
        { absentResponseHeaders: [credentials] },
      ),
      // allowOrigins ["*"]: "*" or the origin itself, port included.
      ...['https://foobar.com', 'https://foobar.com:12345'].map((origin) =>
        preflight(
          '/cors-wildcard-origin',
          { Origin: origin, 'access-control-request-method': 'PUT' },
          {
            status: [200, 204],
            validResponseHeaders: {
              'access-control-allow-origin': [origin, '*'],
              'access-control-allow-methods': ['PUT'],
            },
            absentResponseHeaders: [credentials],
          },
        ),
      ),
      simple(
        '/cors-wildcard-origin',
        'PUT',
        { Origin: 'https://foobar.com:12345' },
        {
          status: 200,
          validResponseHeaders: {
            'access-control-allow-origin': ['https://foobar.com:12345', '*'],
          },
        },
      ),
      simple(
        '/cors-wildcard-origin',
        'PUT',
        { Origin: 'https://foobar.com' },
        {
          status: [200, 204],
          validResponseHeaders: { 'access-control-allow-origin': ['https://foobar.com', '*'] },
          absentResponseHeaders: [credentials],
        },
      ),
      // Wildcards with credentials echo the origin, methods and headers; without, "*" may do.
      preflight(
        '/cors-wildcard-methods-headers',
        {
          Origin: 'https://other.foo.com',
          'access-control-request-method': 'PUT',
          'access-control-request-headers': 'x-header-1, x-header-2',
        },
        {
          status: 200,
          validResponseHeaders: {
            'access-control-allow-origin': ['https://other.foo.com'],
            'access-control-allow-methods': ['PUT'],
            'access-control-allow-headers': ['x-header-1, x-header-2', 'x-header-2, x-header-1'],
            [credentials]: ['true'],
          },
          ignoreWhitespace: true,
        },
      ),
      preflight(
        '/cors-wildcard-methods-headers-unauth',
        {
          Origin: 'https://other.foo.com',
          'access-control-request-method': 'PUT',
          'access-control-request-headers': 'x-header-1, x-header-2',
        },
        {
          status: 200,
          validResponseHeaders: {
            'access-control-allow-origin': ['https://other.foo.com', '*'],
            'access-control-allow-methods': ['PUT', '*'],
            'access-control-allow-headers': [
              'x-header-1, x-header-2',
              'x-header-2, x-header-1',
              '*',
            ],
          },
          absentResponseHeaders: [credentials],
          ignoreWhitespace: true,
        },
      ),
      simple(
        '/cors-wildcard-methods-headers',
        'GET',
        { Origin: 'https://other.foo.com', Authorization: 'Bearer test' },
        {
          status: 200,
          validResponseHeaders: {
            'access-control-allow-origin': ['https://other.foo.com'],
            [credentials]: ['true'],
          },
        },
      ),
      simple(
        '/cors-wildcard-methods-headers-unauth',
        'GET',
        { Origin: 'https://other.foo.com', Authorization: 'Bearer test' },
        {
          status: 200,
          validResponseHeaders: { 'access-control-allow-origin': ['https://other.foo.com'] },
          absentResponseHeaders: [credentials],
        },
      ),
    ],
  },
];
