// Envoy Gateway's HTTPRouteFilter e2e tests (test/e2e/tests: direct-response.go) re-expressed:
// the same manifests and checks, through egts and real Envoy (a body's command operators, such
// as %REQ(:METHOD)%, substituted through Envoy 1.40's DirectResponseAction.body_format); and
// egts's own direct response test: inline and ConfigMap bodies, content type and headers.
import {
  accepted,
  type ConformanceTest,
  gw,
  infra,
  type KubeObject,
  routeCondition,
} from '../../conformanceTest.js';

const sameNs = gw('same-namespace');

const directResponse: ConformanceTest = {
  name: 'DirectResponse',
  description: 'Direct',
  features: ['HTTPRouteFilter'],
  manifests: ['direct-response.yaml'],
  statuses: [
    ...accepted(sameNs, ['direct-response']),
    routeCondition('direct-response', sameNs, 'ResolvedRefs', 'True'),
  ],
  requests: [
    {
      request: { path: '/inline' },
      status: 200,
      responseHeaders: {
        'Content-Type': 'text/plain',
        'X-Add-Header': 'added-value',
        'X-Set-Header': 'set-value',
        'X-Response-Type': 'direct',
        'Cache-Control': 'no-cache',
      },
      // %REQ(:METHOD)% substituted by Envoy (DirectResponseAction.body_format).
      responseBody: 'GET Oops! Your request is not found.',
    },
    {
      request: { path: '/value-ref' },
      status: 200,
      responseHeaders: {
        'Content-Type': 'application/json',
        'X-Add-Header': 'added-json',
        'X-Set-Header': 'set-json',
      },
      responseBody: '{"error": "Internal Server Error"}',
    },
    {
      request: { path: '/401' },
      status: 401,
      responseHeaders: { 'X-Add-Header': 'added-401', 'X-Set-Header': 'set-401' },
    },
  ],
};

const filter = (name: string, directResponse: Record<string, unknown>): KubeObject => ({
  apiVersion: 'gateway.envoyproxy.io/v1alpha1',
  kind: 'HTTPRouteFilter',
  metadata: { name, namespace: infra },
  spec: { directResponse },
});

const rule = (path: string, name: string) => ({
  matches: [{ path: { type: 'PathPrefix', value: path } }],
  filters: [
    {
      type: 'ExtensionRef',
      extensionRef: { group: 'gateway.envoyproxy.io', kind: 'HTTPRouteFilter', name },
    },
  ],
});

const egtsDirectResponse: ConformanceTest = {
  name: 'EgtsDirectResponse',
  description: 'direct responses with inline and ConfigMap bodies, content type and headers (egts)',
  features: ['HTTPRouteFilter'],
  manifests: [],
  objects: [
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'egts-direct-response', namespace: infra },
      spec: {
        parentRefs: [{ name: 'same-namespace' }],
        rules: [
          rule('/inline', 'egts-direct-inline'),
          rule('/value-ref', 'egts-direct-value-ref'),
          rule('/401', 'egts-direct-status'),
        ],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'egts-value-ref-response', namespace: infra },
      data: { 'response.body': '{"error": "Internal Server Error"}' },
    },
    filter('egts-direct-inline', {
      contentType: 'text/plain',
      body: { type: 'Inline', inline: 'Oops! Your request is not found.' },
      header: {
        add: [
          { name: 'X-Add-Header', value: 'added-value' },
          { name: 'X-Response-Type', value: 'direct' },
        ],
        set: [
          { name: 'X-Set-Header', value: 'set-value' },
          { name: 'Cache-Control', value: 'no-cache' },
        ],
      },
    }),
    filter('egts-direct-value-ref', {
      contentType: 'application/json',
      body: {
        type: 'ValueRef',
        valueRef: { group: '', kind: 'ConfigMap', name: 'egts-value-ref-response' },
      },
      header: { set: [{ name: 'X-Set-Header', value: 'set-json' }] },
    }),
    filter('egts-direct-status', {
      statusCode: 401,
      header: { add: [{ name: 'X-Add-Header', value: 'added-401' }] },
    }),
  ],
  statuses: [...accepted(sameNs, ['egts-direct-response'])],
  requests: [
    {
      request: { path: '/inline' },
      status: 200,
      responseHeaders: {
        'Content-Type': 'text/plain',
        'X-Add-Header': 'added-value',
        'X-Set-Header': 'set-value',
        'X-Response-Type': 'direct',
        'Cache-Control': 'no-cache',
      },
      responseBody: 'Oops! Your request is not found.',
    },
    {
      request: { path: '/value-ref' },
      status: 200,
      responseHeaders: { 'Content-Type': 'application/json', 'X-Set-Header': 'set-json' },
      responseBody: '{"error": "Internal Server Error"}',
    },
    { request: { path: '/401' }, status: 401, responseHeaders: { 'X-Add-Header': 'added-401' } },
  ],
};

const rewriteRegexPath: ConformanceTest = {
  name: 'HTTPRouteRewriteRegexPath',
  description: 'Rewrite the path by regex with an HTTPRouteFilter',
  features: ['HTTPRouteFilter'],
  manifests: ['httproute-rewrite-regex-path.yaml'],
  statuses: [...accepted(sameNs, ['rewrite-regex-path'])],
  requests: [
    {
      request: { path: '/service/foo/v1/api' },
      backend: 'infra-backend-v1',
      namespace: infra,
      backendRequest: { path: '/v1/api/instance/foo' },
    },
  ],
};

const hostFilter = (name: string, hostname: Record<string, unknown>): KubeObject => ({
  apiVersion: 'gateway.envoyproxy.io/v1alpha1',
  kind: 'HTTPRouteFilter',
  metadata: { name, namespace: infra },
  spec: { urlRewrite: { hostname } },
});

const forwarded = (path: string, name: string) => ({
  ...rule(path, name),
  backendRefs: [{ name: 'infra-backend-v1', port: 8080 }],
});

const rewriteHost: ConformanceTest = {
  name: 'HTTPRouteRewriteHostHeader',
  description: 'Rewrite the host from a header, the backend or the path by regex',
  features: ['HTTPRouteFilter', 'Backend'],
  manifests: ['httproute-rewrite-host.yaml'],
  statuses: [...accepted(sameNs, ['rewrite-host'])],
  requests: [
    {
      request: { path: '/header', headers: { 'x-custom-host': 'custom-host' } },
      backend: 'infra-backend-v1',
      namespace: infra,
      backendRequest: { host: 'custom-host' },
    },
    {
      request: { path: '/backend' },
      backend: 'infra-backend-v1',
      namespace: infra,
      backendRequest: { host: 'infra-backend-v1.gateway-conformance-infra.svc.cluster.local' },
    },
    {
      request: { path: '/path-regex/custom-host' },
      backend: 'infra-backend-v1',
      namespace: infra,
      backendRequest: { host: 'custom-host.example.internal' },
    },
  ],
};

/** The header and path kinds again, with other values (egts). */
const egtsRewriteHost: ConformanceTest = {
  name: 'EgtsHTTPRouteRewriteHost',
  description: 'Rewrite the host from a header or from the path by regex (egts)',
  features: ['HTTPRouteFilter'],
  manifests: [],
  objects: [
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'egts-rewrite-host', namespace: infra },
      spec: {
        parentRefs: [{ name: 'same-namespace' }],
        rules: [
          forwarded('/header', 'egts-header-host-rewrite'),
          forwarded('/path-regex', 'egts-path-regex-host-rewrite'),
          forwarded('/no-forwarded-host', 'egts-host-rewrite-no-xfh'),
        ],
      },
    },
    hostFilter('egts-header-host-rewrite', { type: 'Header', header: 'x-custom-host' }),
    hostFilter('egts-path-regex-host-rewrite', {
      type: 'PathRegex',
      pathRegex: { pattern: '^/path-regex/([^/]+)/.*$', substitution: '\\1.example.com' },
    }),
    {
      ...hostFilter('egts-host-rewrite-no-xfh', { type: 'Header', header: 'x-custom-host' }),
      spec: {
        urlRewrite: {
          hostname: { type: 'Header', header: 'x-custom-host' },
          appendXForwardedHost: false,
        },
      },
    },
  ],
  statuses: [...accepted(sameNs, ['egts-rewrite-host'])],
  requests: [
    {
      request: { path: '/header', headers: { 'x-custom-host': 'rewritten.example.com' } },
      backend: 'infra-backend-v1',
      namespace: infra,
      backendRequest: { host: 'rewritten.example.com' },
    },
    {
      request: { path: '/path-regex/foo/bar' },
      backend: 'infra-backend-v1',
      namespace: infra,
      backendRequest: { host: 'foo.example.com' },
    },
    // appendXForwardedHost false: the host is rewritten, the client's is not forwarded (the
    // /header rule forwards it).
    {
      request: { path: '/no-forwarded-host', headers: { 'x-custom-host': 'quiet.example.com' } },
      backend: 'infra-backend-v1',
      namespace: infra,
      backendRequest: { host: 'quiet.example.com', absentHeaders: ['x-forwarded-host'] },
    },
  ],
};

const cookie = (path: string, withCookie: boolean) => ({
  request: { path, ...(withCookie ? { headers: { Cookie: 'choco=chip' } } : {}) },
  ...(withCookie ? { backend: 'infra-backend-v1', namespace: infra } : { status: 404 }),
});

const cookieMatch: ConformanceTest = {
  name: 'HTTPRouteFilterCookieMatch',
  description: 'An HTTPRouteFilter with cookie matches narrows the rules that use it',
  features: ['HTTPRouteFilter'],
  manifests: ['httproute-filter-cookie-match.yaml'],
  statuses: [...accepted(sameNs, ['httproute-cookie-rule-filter', 'httproute-cookie-filter-only'])],
  requests: [
    cookie('/cookie-rule', true),
    cookie('/cookie-rule', false),
    cookie('/cookie-filter-only', true),
    cookie('/cookie-filter-only', false),
  ],
};

const injected = (path: string, headers?: Record<string, string>) => ({
  request: { path },
  backend: 'infra-backend-v1',
  namespace: infra,
  backendRequest: headers ? { headers } : { absentHeaders: ['Authorization', 'x-credential'] },
});

const credentialInjection: ConformanceTest = {
  name: 'CredentialInjection',
  description: 'Inject a credential from a Secret into requests to the backend',
  features: ['HTTPRouteFilter'],
  manifests: ['credential-injection.yaml'],
  statuses: [...accepted(sameNs, ['credential-injection'])],
  requests: [
    injected('/foo', { Authorization: 'Basic dXNlcjE6dGVzdDE=' }),
    injected('/bar', { 'x-credential': 'Basic dXNlcjE6dGVzdDI=' }),
    injected('/baz'),
  ],
};

const credentialInjectionBackendFilter: ConformanceTest = {
  name: 'CredentialInjectionBackendFilter',
  description: 'Backend filter with CredentialInjection',
  features: ['HTTPRouteFilter'],
  manifests: ['credential-injection-backend-filter.yaml'],
  // The injector runs per backend: enabled by the backend's weighted cluster entry.
  statuses: [
    ...accepted(sameNs, ['credential-injection']),
    routeCondition('credential-injection', sameNs, 'ResolvedRefs', 'True'),
  ],
  requests: [
    injected('/foo', { Authorization: 'Basic dXNlcjE6dGVzdDE=' }),
    injected('/bar', { 'x-credential': 'Basic dXNlcjE6dGVzdDI=' }),
    injected('/baz'),
  ],
};

export const httpRouteFilterTests = (): ConformanceTest[] => [
  credentialInjection,
  credentialInjectionBackendFilter,
  cookieMatch,
  directResponse,
  egtsDirectResponse,
  rewriteRegexPath,
  rewriteHost,
  egtsRewriteHost,
];
