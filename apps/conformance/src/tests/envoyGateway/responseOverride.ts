// Envoy Gateway's response override e2e tests (test/e2e/tests: response-override.go,
// response_override_source.go) re-expressed: the same manifests (testdata/) and requests through
// egts and real Envoy (custom_response: local responses, redirects, and the origin of the answer).
import {
  accepted,
  type ConformanceTest,
  gw,
  infra,
  type StatusExpectation,
} from '../../conformanceTest.js';
import { goConstant } from './goConstants.js';

const sameNs = gw('same-namespace');

const accepting = (
  kind: 'BackendTrafficPolicy' | 'SecurityPolicy',
  name: string,
): StatusExpectation => ({
  kind,
  namespace: infra,
  name,
  ancestors: [{ gateway: sameNs, conditions: [{ type: 'Accepted', status: 'True' }] }],
});

/** The suite's verifyCustomResponse: status, content type (absent: none), body and headers. */
const custom = (
  path: string,
  status: number,
  contentType?: string,
  body?: string,
  headers: Record<string, string> = {},
  requestHeaders: Record<string, string> = {},
) => ({
  request: { path, headers: requestHeaders },
  status,
  ...(contentType === undefined
    ? { absentResponseHeaders: ['content-type'] }
    : { responseHeaders: { 'content-type': contentType, ...headers } }),
  ...(contentType === undefined && Object.keys(headers).length > 0
    ? { responseHeaders: headers }
    : {}),
  ...(body === undefined ? {} : { responseBody: body }),
});

const responseOverride: ConformanceTest = {
  name: 'ResponseOverrideSpecificUser',
  description: 'Response Override',
  features: ['BackendTrafficPolicy'],
  manifests: ['response-override.yaml'],
  statuses: [
    ...accepted(sameNs, ['response-override']),
    accepting('BackendTrafficPolicy', 'response-override'),
  ],
  requests: [
    custom('/status/404', 404, 'text/plain', '404 Oops! Your request is not found.', {
      'x-add-header': 'added-404',
      'x-set-header': 'set-404',
      'x-error-type': 'not-found',
      'cache-control': 'no-cache',
    }),
    custom('/status/500', 500, 'application/json', '{"error": "Internal Server Error"}', {
      'x-add-header': 'added-500',
      'x-set-header': 'set-500',
    }),
    custom('/status/403', 404, undefined, undefined, {
      'x-add-header': 'added-403',
      'x-set-header': 'set-403',
    }),
    // The 401 is redirected to /status/301 (Envoy follows it inside): echo-basic's 301 comes back.
    custom('/status/401', 301),
    custom(
      '/response-override-header-match',
      200,
      'text/plain',
      'matched on response header',
      { 'x-override-matched': 'true' },
      { 'X-Echo-Set-Header': 'X-Custom-Header: custom-value' },
    ),
    // Another header value, or none: the echo answers as it is.
    {
      request: {
        path: '/response-override-header-match',
        headers: { 'X-Echo-Set-Header': 'X-Custom-Header: other-value' },
      },
      responseHeaders: { 'content-type': 'application/json' },
      backend: 'infra-backend-v1',
      namespace: infra,
    },
    {
      request: { path: '/response-override-header-match' },
      responseHeaders: { 'content-type': 'application/json' },
      backend: 'infra-backend-v1',
      namespace: infra,
    },
  ],
  // The redirect was followed inside Envoy: the backend was asked for the new path.
  steps: async (h) => {
    if (!h.requestLog(infra, 'infra-backend-v1').some((p) => p.startsWith('/status/301')))
      throw new Error('the 401 was not redirected to /status/301 (the backend never saw it)');
  },
};

const LOCAL_BODY = '{"error": "Unauthorized"}';
const BACKEND_BODY = '{"error": "Upstream Error"}';

/** The suite's checkResponseOverrideSource: a 401, overridden with `body` or by neither rule. */
const unauthorized = (path: string, token: string | undefined, body?: string) => ({
  request: { path, headers: token ? { authorization: `Bearer ${token}` } : {} },
  status: 401,
  ...(body === undefined
    ? { notResponseBodies: [LOCAL_BODY, BACKEND_BODY] }
    : { responseBody: body }),
});

const responseOverrideSource = (suiteDir: string): ConformanceTest => {
  const token = goConstant(suiteDir, 'authorization_jwt.go', 'jwtToken');
  return {
    name: 'ResponseOverrideSource',
    description: 'Response Override with source: Local and source: Backend',
    features: ['BackendTrafficPolicy'],
    manifests: ['response-override-source.yaml'],
    statuses: [
      ...accepted(sameNs, ['response-override-source-local', 'response-override-source-backend']),
      accepting('SecurityPolicy', 'response-override-source-local'),
      accepting('SecurityPolicy', 'response-override-source-backend'),
      accepting('BackendTrafficPolicy', 'response-override-source-local'),
      accepting('BackendTrafficPolicy', 'response-override-source-backend'),
    ],
    requests: [
      // Local: Envoy's own 401 (no JWT) is overridden, the backend's 401 is not.
      unauthorized('/local/status/200', undefined, LOCAL_BODY),
      unauthorized('/local/status/401', token),
      // Backend: the backend's 401 is overridden, Envoy's own is not.
      unauthorized('/backend/status/401', token, BACKEND_BODY),
      unauthorized('/backend/status/200', undefined, 'Jwt is missing'),
    ],
  };
};

export const responseOverrideTests = (suiteDir: string): ConformanceTest[] => [
  responseOverride,
  responseOverrideSource(suiteDir),
];
