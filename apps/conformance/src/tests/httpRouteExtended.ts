// GATEWAY-HTTP extended: query parameter and method matching, redirects, rewrites and response
// header modification (conformance/tests/httproute-*.go), plus the core redirect and empty-rule
// tests that share their shape.
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
const v2 = { backend: 'infra-backend-v2', namespace: infra };
const v3 = { backend: 'infra-backend-v3', namespace: infra };
const resolved = (route: string, gateway = sameNs) =>
  routeCondition(route, gateway, 'ResolvedRefs', 'True');

/** A redirect expectation: the status and the parts of Location that must hold. */
const redirect = (
  path: string,
  status: number,
  location: HttpExpectation['redirect'],
  extra: Partial<HttpExpectation> = {},
): HttpExpectation => ({ request: { path }, status, redirect: location ?? {}, ...extra });

const modifiedHeaders = {
  headers: {
    'X-Header-Add': 'header-val-1',
    'X-Header-Add-Append': 'append-val-1,header-val-2',
    'X-Header-Set': 'set-overwrites-values',
  },
  absentHeaders: ['X-Header-Remove'],
};
const headersToModify = {
  'X-Header-Add-Append': 'append-val-1',
  'X-Header-Remove': 'remove-val',
  'X-Header-Set': 'original',
};

export const httpRouteExtended: ConformanceTest[] = [
  {
    name: 'HTTPRouteRedirectHostAndStatus',
    description: 'RequestRedirect to another hostname, with the default (302) and a given status',
    features: ['Gateway', 'HTTPRoute'],
    manifests: ['httproute-redirect-host-and-status.yaml'],
    statuses: [
      ...accepted(sameNs, ['redirect-host-and-status']),
      resolved('redirect-host-and-status'),
    ],
    requests: [
      redirect('/hostname-redirect', 302, { host: 'example.org' }),
      redirect('/host-and-status', 301, { host: 'example.org' }),
    ],
  },
  {
    name: 'HTTPRouteNoBackendRefs',
    description: 'Rules with omitted or empty backendRefs answer 500; others keep forwarding',
    features: ['Gateway', 'HTTPRoute'],
    manifests: ['httproute-omitted-backendrefs.yaml'],
    statuses: [...accepted(sameNs, ['omitted-backendrefs']), resolved('omitted-backendrefs')],
    requests: [
      { request: { path: '/forward' }, ...v1 },
      { request: { path: '/omitted-no-forward' }, status: 500 },
      { request: { path: '/empty-no-forward' }, status: 500 },
    ],
  },
  {
    name: 'HTTPRouteMultipleGateways',
    description: 'A route on two Gateways serves on each; dedicated routes only on their own',
    features: ['Gateway', 'HTTPRoute'],
    manifests: ['httproute-multiple-gateways.yaml'],
    statuses: [
      ...accepted(sameNs, ['multiple-gateways-shared-route', 'same-namespace-dedicated-route']),
      ...accepted(gw('all-namespaces'), [
        'multiple-gateways-shared-route',
        'all-namespaces-dedicated-route',
      ]),
    ],
    requests: [
      { request: { path: '/shared' }, ...v1 },
      { request: { path: '/' }, ...v2 },
      { gateway: gw('all-namespaces'), request: { path: '/shared' }, ...v1 },
      { gateway: gw('all-namespaces'), request: { path: '/' }, ...v3 },
    ],
  },
  {
    name: 'HTTPRouteQueryParamMatching',
    description: 'Query parameter matches, alone and with path and header matches, by precedence',
    features: ['Gateway', 'HTTPRoute', 'HTTPRouteQueryParamMatching'],
    manifests: ['httproute-query-param-matching.yaml'],
    statuses: [...accepted(sameNs, ['query-param-matching']), resolved('query-param-matching')],
    requests: [
      { request: { path: '/?animal=whale' }, ...v1 },
      { request: { path: '/?animal=dolphin' }, ...v2 },
      { request: { path: '/?animal=whale&otherparam=irrelevant' }, ...v1 },
      { request: { path: '/?animal=dolphin&color=yellow' }, ...v2 },
      { request: { path: '/?color=blue&animal=dolphin' }, ...v3 },
      { request: { path: '/?animal=dolphin&color=blue' }, ...v3 },
      { request: { path: '/?ANIMAL=Whale' }, ...v3 },
      { request: { path: '/path1?animal=whale' }, ...v1 },
      { request: { path: '/?animal=whale', headers: { version: 'one' } }, ...v2 },
      { request: { path: '/path2?animal=whale', headers: { version: 'two' } }, ...v3 },
      { request: { path: '/path3?animal=shark' }, ...v1 },
      { request: { path: '/path4?animal=kraken', headers: { version: 'three' } }, ...v1 },
      { request: { path: '/path5?animal=hydra' }, ...v1 },
      { request: { path: '/?animal=hydra', headers: { version: 'four' } }, ...v3 },
      { request: { path: '/?animal=shark' }, status: 404 },
      { request: { path: '/?color=blue' }, status: 404 },
    ],
  },
  {
    name: 'HTTPRouteMethodMatching',
    description: 'Method matches, alone and with path and header matches, by precedence',
    features: ['Gateway', 'HTTPRoute', 'HTTPRouteMethodMatching'],
    manifests: ['httproute-method-matching.yaml'],
    statuses: [...accepted(sameNs, ['method-matching']), resolved('method-matching')],
    requests: [
      { request: { path: '/', method: 'POST' }, ...v1 },
      { request: { path: '/', method: 'GET' }, ...v2 },
      { request: { path: '/path1', method: 'GET' }, ...v1 },
      { request: { path: '/', method: 'PUT', headers: { version: 'one' } }, ...v2 },
      { request: { path: '/path2', method: 'POST', headers: { version: 'two' } }, ...v3 },
      { request: { path: '/path3', method: 'PATCH' }, ...v1 },
      { request: { path: '/path4', method: 'DELETE', headers: { version: 'three' } }, ...v1 },
      { request: { path: '/path5', method: 'POST' }, ...v1 },
      { request: { path: '/', method: 'PATCH' }, ...v2 },
      { request: { path: '/', method: 'GET', headers: { version: 'four' } }, ...v2 },
      { request: { path: '/', method: 'DELETE', headers: { version: 'four' } }, ...v3 },
      { request: { path: '/', method: 'PUT' }, status: 404 },
      { request: { path: '/', method: 'HEAD' }, status: 404 },
    ],
  },
  {
    name: 'HTTPRouteRedirectPath',
    description: 'RequestRedirect replacing the path prefix or the full path',
    features: ['Gateway', 'HTTPRoute', 'HTTPRoutePathRedirect'],
    manifests: ['httproute-redirect-path.yaml'],
    statuses: [...accepted(sameNs, ['redirect-path']), resolved('redirect-path')],
    requests: [
      redirect('/original-prefix/lemon', 302, { path: '/replacement-prefix/lemon' }),
      redirect('/full/path/original', 302, { path: '/full-path-replacement' }),
      redirect('/path-and-host', 302, { host: 'example.org', path: '/replacement-prefix' }),
      redirect('/path-and-status', 301, { path: '/replacement-prefix' }),
      redirect('/full-path-and-host', 302, { host: 'example.org', path: '/replacement-full' }),
      redirect('/full-path-and-status', 301, { path: '/replacement-full' }),
    ],
  },
  {
    name: 'HTTPRouteRedirectPort',
    description: 'RequestRedirect to another port',
    features: ['Gateway', 'HTTPRoute', 'HTTPRoutePortRedirect'],
    manifests: ['httproute-redirect-port.yaml'],
    statuses: [...accepted(sameNs, ['redirect-port']), resolved('redirect-port')],
    requests: [
      redirect('/port', 302, { port: '8083' }),
      redirect('/port-and-host', 302, { host: 'example.org', port: '8083' }),
      redirect('/port-and-status', 301, { port: '8083' }),
      redirect('/port-and-host-and-status', 302, { host: 'example.org', port: '8083' }),
    ],
  },
  {
    name: 'HTTPRouteRedirectScheme',
    description: 'RequestRedirect to https',
    features: ['Gateway', 'HTTPRoute', 'HTTPRouteSchemeRedirect'],
    manifests: ['httproute-redirect-scheme.yaml'],
    statuses: [...accepted(sameNs, ['redirect-scheme']), resolved('redirect-scheme')],
    requests: [
      redirect('/scheme', 302, { scheme: 'https' }),
      redirect('/scheme-and-host', 302, { scheme: 'https', host: 'example.org' }),
      redirect('/scheme-and-status', 301, { scheme: 'https' }),
      redirect('/scheme-and-host-and-status', 302, { scheme: 'https', host: 'example.org' }),
    ],
  },
  {
    name: 'HTTPRouteRedirectPortAndScheme',
    description: 'Redirect ports follow the scheme: well-known ports are left out of Location',
    features: [
      'Gateway',
      'HTTPRoute',
      'HTTPRoutePortRedirect',
      'HTTPRouteSchemeRedirect',
      'GatewayPort8080',
    ],
    manifests: ['httproute-redirect-port-and-scheme.yaml'],
    statuses: [
      ...accepted(sameNs, ['http-route-for-listener-on-port-80']),
      ...accepted(gw('same-namespace-with-http-listener-on-8080'), [
        'http-route-for-listener-on-port-8080',
      ]),
      ...accepted(gw('same-namespace-with-https-listener'), [
        'http-route-for-listener-on-port-443',
      ]),
    ],
    requests: [
      redirect('/scheme-nil-and-port-nil', 302, { scheme: 'http', host: 'example.org' }),
      redirect('/scheme-nil-and-port-80', 302, { scheme: 'http', host: 'example.org' }),
      redirect('/scheme-nil-and-port-8080', 302, {
        scheme: 'http',
        host: 'example.org',
        port: '8080',
      }),
      redirect('/scheme-https-and-port-nil', 302, { scheme: 'https', host: 'example.org' }),
      redirect('/scheme-https-and-port-443', 302, { scheme: 'https', host: 'example.org' }),
      redirect('/scheme-https-and-port-8443', 302, {
        scheme: 'https',
        host: 'example.org',
        port: '8443',
      }),
      ...(
        [
          ['/scheme-nil-and-port-nil', { scheme: 'http', host: 'example.org', port: '8080' }],
          ['/scheme-nil-and-port-80', { scheme: 'http', host: 'example.org' }],
          ['/scheme-https-and-port-nil', { scheme: 'https', host: 'example.org' }],
        ] as const
      ).map(([path, location]) =>
        redirect(path, 302, location, {
          gateway: gw('same-namespace-with-http-listener-on-8080'),
          port: 8080,
        }),
      ),
      ...(
        [
          ['/scheme-nil-and-port-nil', { scheme: 'https', host: 'example.org' }],
          ['/scheme-nil-and-port-443', { scheme: 'https', host: 'example.org' }],
          ['/scheme-nil-and-port-8443', { scheme: 'https', host: 'example.org', port: '8443' }],
          ['/scheme-http-and-port-nil', { scheme: 'http', host: 'example.org' }],
          ['/scheme-http-and-port-80', { scheme: 'http', host: 'example.org' }],
          ['/scheme-http-and-port-8080', { scheme: 'http', host: 'example.org', port: '8080' }],
        ] as const
      ).map(
        ([path, location]): HttpExpectation => ({
          gateway: gw('same-namespace-with-https-listener'),
          request: { scheme: 'https', host: 'example.org', path },
          status: 302,
          redirect: location,
        }),
      ),
    ],
  },
  ...(
    [
      ['HTTPRoute303Redirect', 303, '/see-other', 'httproute-303-redirect.yaml', '303-redirect'],
      ['HTTPRoute307Redirect', 307, '/temporary', 'httproute-307-redirect.yaml', '307-redirect'],
      ['HTTPRoute308Redirect', 308, '/permanent', 'httproute-308-redirect.yaml', '308-redirect'],
    ] as const
  ).map(
    ([name, status, path, file, route]): ConformanceTest => ({
      name,
      description: `RequestRedirect with status code ${status}`,
      features: ['Gateway', 'HTTPRoute', `HTTPRoute${status}RedirectStatusCode`],
      manifests: [file],
      provisional: true,
      statuses: [...accepted(sameNs, [route]), resolved(route)],
      requests: [redirect(path, status, {})],
    }),
  ),
  {
    name: 'HTTPRouteRewriteHost',
    description: 'URLRewrite replaces the Host the backend sees, alone and with header changes',
    features: ['Gateway', 'HTTPRoute', 'HTTPRouteHostRewrite'],
    manifests: ['httproute-rewrite-host.yaml'],
    statuses: [...accepted(sameNs, ['rewrite-host']), resolved('rewrite-host')],
    requests: [
      {
        request: { host: 'rewrite.example', path: '/one' },
        backendRequest: { host: 'one.example.org' },
        ...v1,
      },
      {
        request: { host: 'rewrite.example', path: '/' },
        backendRequest: { host: 'example.org' },
        ...v2,
      },
      {
        request: {
          host: 'rewrite.example',
          path: '/rewrite-host-and-modify-headers',
          headers: headersToModify,
        },
        backendRequest: { host: 'test.example.org', ...modifiedHeaders },
        ...v2,
      },
    ],
  },
  {
    name: 'HTTPRouteRewritePath',
    description: 'URLRewrite replaces the path prefix or the full path the backend sees',
    features: ['Gateway', 'HTTPRoute', 'HTTPRoutePathRewrite'],
    manifests: ['httproute-rewrite-path.yaml'],
    statuses: [...accepted(sameNs, ['rewrite-path']), resolved('rewrite-path')],
    requests: [
      { request: { path: '/prefix/one/two' }, backendRequest: { path: '/one/two' }, ...v1 },
      { request: { path: '/strip-prefix/three' }, backendRequest: { path: '/three' }, ...v1 },
      { request: { path: '/strip-prefix' }, backendRequest: { path: '/' }, ...v1 },
      { request: { path: '/full/one/two' }, backendRequest: { path: '/one' }, ...v1 },
      {
        request: { path: '/full/rewrite-path-and-modify-headers/test', headers: headersToModify },
        backendRequest: { path: '/test', ...modifiedHeaders },
        ...v1,
      },
      {
        request: { path: '/prefix/rewrite-path-and-modify-headers/one', headers: headersToModify },
        backendRequest: { path: '/prefix/one', ...modifiedHeaders },
        ...v1,
      },
    ],
  },
  {
    name: 'HTTPRouteResponseHeaderModifier',
    description: 'ResponseHeaderModifier sets, adds and removes the headers of the answer',
    features: ['Gateway', 'HTTPRoute', 'HTTPRouteResponseHeaderModification'],
    manifests: ['httproute-response-header-modifier.yaml'],
    statuses: [
      ...accepted(sameNs, ['response-header-modifier']),
      resolved('response-header-modifier'),
    ],
    requests: [
      {
        request: { path: '/set' },
        responseHeaders: { 'X-Header-Set': 'set-overwrites-values' },
        ...v1,
      },
      {
        request: {
          path: '/set',
          headers: { 'X-Echo-Set-Header': 'X-Header-Set:some-other-value' },
        },
        responseHeaders: { 'X-Header-Set': 'set-overwrites-values' },
        ...v1,
      },
      {
        request: { path: '/add' },
        responseHeaders: { 'X-Header-Add': 'add-appends-values' },
        ...v1,
      },
      {
        request: {
          path: '/add',
          headers: { 'X-Echo-Set-Header': 'X-Header-Add:some-other-value' },
        },
        responseHeaders: { 'X-Header-Add': 'some-other-value,add-appends-values' },
        ...v1,
      },
      {
        request: { path: '/remove', headers: { 'X-Echo-Set-Header': 'X-Header-Remove:val' } },
        absentResponseHeaders: ['X-Header-Remove'],
        ...v1,
      },
      {
        request: {
          path: '/multiple',
          headers: {
            'X-Echo-Set-Header':
              'X-Header-Set-2:set-val-2,X-Header-Add-2:add-val-2,X-Header-Remove-2:remove-val-2',
          },
        },
        responseHeaders: {
          'X-Header-Set-1': 'header-set-1',
          'X-Header-Set-2': 'header-set-2',
          'X-Header-Add-1': 'header-add-1',
          'X-Header-Add-2': 'add-val-2,header-add-2',
          'X-Header-Add-3': 'header-add-3',
        },
        absentResponseHeaders: ['X-Header-Remove-1', 'X-Header-Remove-2'],
        ...v1,
      },
      {
        request: {
          path: '/case-insensitivity',
          headers: {
            'X-Echo-Set-Header':
              'x-header-set:original-val-set,x-header-add:original-val-add,x-header-remove:original-val-remove',
          },
        },
        responseHeaders: {
          'X-Header-Set': 'header-set',
          'X-Header-Add': 'original-val-add,header-add',
        },
        absentResponseHeaders: ['x-header-remove', 'X-Header-Remove'],
        ...v1,
      },
    ],
  },
];

const portMatching = gw('httproute-listener-port-matching');
const isolation = gw('http-listener-isolation');
const isolationPaths = [
  '/empty-hostname',
  '/wildcard-example-com',
  '/wildcard-foo-example-com',
  '/abc-foo-example-com',
];
/** Listener isolation: `host` reaches only the route of the most specific listener, `served`. */
const isolated = (host: string, served: string): HttpExpectation[] =>
  isolationPaths.map((path) => ({
    gateway: isolation,
    request: { host, path },
    ...(path === served ? v1 : { status: 404 }),
  }));

httpRouteExtended.push(
  {
    name: 'GatewayWithAttachedRoutesWithPort8080',
    description:
      'A listener on port 8080 without routes counts none; the port 80 one counts its route',
    features: ['Gateway', 'GatewayPort8080', 'HTTPRoute'],
    manifests: ['gateway-with-attached-routes-with-port-8080.yaml'],
    statuses: [
      {
        kind: 'Gateway',
        ...gw('gateway-with-two-listeners-and-one-attached-route'),
        conditions: [
          { type: 'Accepted', status: 'True' },
          { type: 'Programmed', status: 'True' },
        ],
        listeners: [
          {
            name: 'http-unattached',
            supportedKinds: ['HTTPRoute'],
            attachedRoutes: 0,
            conditions: [
              { type: 'Accepted', status: 'True' },
              { type: 'ResolvedRefs', status: 'True' },
            ],
          },
          {
            name: 'http',
            supportedKinds: ['HTTPRoute'],
            attachedRoutes: 1,
            conditions: [
              { type: 'Accepted', status: 'True' },
              { type: 'ResolvedRefs', status: 'True' },
            ],
          },
        ],
      },
    ],
  },
  {
    name: 'HTTPRouteListenerPortMatching',
    description: 'parentRef ports attach routes to the listeners of that port only',
    features: ['Gateway', 'HTTPRoute', 'HTTPRouteParentRefPort'],
    manifests: ['httproute-listener-port-matching.yaml'],
    statuses: accepted(portMatching, ['backend-v1', 'backend-v2', 'backend-v3']),
    requests: [
      { gateway: portMatching, port: 80, request: { host: 'foo.com', path: '/' }, ...v1 },
      { gateway: portMatching, port: 80, request: { host: 'bar.com', path: '/' }, status: 404 },
      { gateway: portMatching, port: 8080, request: { host: 'foo.com', path: '/' }, ...v2 },
      { gateway: portMatching, port: 8080, request: { host: 'bar.com', path: '/' }, ...v2 },
      { gateway: portMatching, port: 8090, request: { host: 'foo.com', path: '/' }, ...v3 },
      { gateway: portMatching, port: 8090, request: { host: 'bar.com', path: '/' }, status: 404 },
    ],
  },
  {
    name: 'HTTPRouteNamedRule',
    description: 'Named and unnamed rules both route',
    features: ['Gateway', 'HTTPRoute', 'HTTPRouteNamedRouteRule'],
    manifests: ['httproute-named-rule.yaml'],
    provisional: true,
    statuses: [...accepted(sameNs, ['http-named-rules']), resolved('http-named-rules')],
    requests: [
      { request: { path: '/named' }, ...v1 },
      { request: { path: '/unnamed' }, ...v2 },
    ],
  },
  {
    name: 'GatewayHTTPListenerIsolation',
    description: 'A request is served only by the routes of the most specific matching listener',
    features: ['Gateway', 'GatewayHTTPListenerIsolation', 'HTTPRoute'],
    manifests: ['gateway-http-listener-isolation.yaml'],
    statuses: accepted(isolation, [
      'attaches-to-empty-hostname',
      'attaches-to-wildcard-example-com',
      'attaches-to-wildcard-foo-example-com',
      'attaches-to-abc-foo-example-com',
    ]),
    requests: [
      ...isolated('bar.com', '/empty-hostname'),
      ...isolated('bar.example.com', '/wildcard-example-com'),
      ...isolated('bar.foo.example.com', '/wildcard-foo-example-com'),
      ...isolated('abc.foo.example.com', '/abc-foo-example-com'),
    ],
  },
);

httpRouteExtended.push(
  {
    name: 'HTTPRouteTimeoutRequest',
    description: 'A rule request timeout answers 504 when the backend is slower; 0s disables it',
    features: ['Gateway', 'HTTPRoute', 'HTTPRouteRequestTimeout'],
    manifests: ['httproute-timeout-request.yaml'],
    statuses: [...accepted(sameNs, ['request-timeout']), resolved('request-timeout')],
    requests: [
      { request: { path: '/request-timeout?delay=1s' }, status: 504 },
      { request: { path: '/disable-request-timeout?delay=1s' }, ...v1 },
    ],
  },
  {
    name: 'HTTPRouteTimeoutBackendRequest',
    description: 'A backendRequest timeout answers 504 when the backend is slower; 0s disables it',
    features: ['Gateway', 'HTTPRoute', 'HTTPRouteBackendTimeout'],
    manifests: ['httproute-timeout-backend-request.yaml'],
    statuses: [
      ...accepted(sameNs, ['backend-request-timeout']),
      resolved('backend-request-timeout'),
    ],
    requests: [
      { request: { path: '/backend-timeout?delay=1s' }, status: 504 },
      { request: { path: '/disable-backend-timeout?delay=1s' }, ...v1 },
    ],
  },
);

/** [SNI, Host, status, backend]: a request whose Host another listener of the port serves gets 421. */
const misdirected: readonly [string, string, number, string?][] = [
  ['example.org', 'example.org', 200, 'infra-backend-v1'],
  ['example.org', 'second-example.org', 421],
  ['example.org', 'unknown-example.org', 404],
  ['second-example.org', 'second-example.org', 200, 'infra-backend-v2'],
  ['second-example.org', 'example.org', 421],
  ['second-example.org', 'unknown-example.org', 421],
  ['third-example.wildcard.org', 'third-example.wildcard.org', 200, 'infra-backend-v3'],
  ['third-example.wildcard.org', 'fith-example.wildcard.org', 200, 'infra-backend-v3'],
  ['third-example.wildcard.org', 'fourth-example.wildcard.org', 421],
  ['third-example.wildcard.org', 'second-example.org', 421],
  ['third-example.wildcard.org', 'unknown-example.org', 421],
  ['fourth-example.wildcard.org', 'fourth-example.wildcard.org', 200, 'infra-backend-v1'],
  ['fourth-example.wildcard.org', 'fith-example.wildcard.org', 421],
  ['unknown-example.org', 'example.org', 200, 'infra-backend-v1'],
  ['unknown-example.org', 'unknown-example.org', 404],
];
const httpsGateway = gw('same-namespace-with-https-listener');
const misdirectedRoutes = [1, 2, 3, 4].map(
  (i) => `https-listener-detect-misdirected-requests-test-${i}`,
);

httpRouteExtended.push({
  name: 'HTTPRouteHTTPSListenerDetectMisdirectedRequests',
  description:
    'HTTPS listeners sharing a port answer 421 to a request whose Host belongs to another listener than its SNI',
  features: ['Gateway', 'GatewayHTTPSListenerDetectMisdirectedRequests', 'HTTPRoute'],
  manifests: ['httproute-https-listener-detect-misdirected-requests.yaml'],
  skip: "egts does not implement GatewayHTTPSListenerDetectMisdirectedRequests (Envoy Gateway v1.9 reports it unsupported too): a request whose Host belongs to another HTTPS listener of the port than its SNI's gets 404, or that listener's route (fourth-example.wildcard.org under SNI third-example.wildcard.org), instead of 421",
  statuses: [
    ...accepted(httpsGateway, misdirectedRoutes),
    ...misdirectedRoutes.map((route) => resolved(route, httpsGateway)),
  ],
  requests: misdirected.map(([serverName, host, status, backend]) => ({
    gateway: httpsGateway,
    request: { scheme: 'https', serverName, host, path: '/detect-misdirected-requests' },
    status,
    ...(backend ? { backend, namespace: infra } : {}),
  })),
});
