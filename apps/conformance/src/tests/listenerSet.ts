// GATEWAY-HTTP extended, ListenerSet (GEP-1713): routes attached to a Gateway, to a ListenerSet or to
// one of their listeners serve only the hostnames of those listeners
// (conformance/tests/listenerset-*.go).
import {
  type ConformanceTest,
  gw,
  type HttpExpectation,
  infra,
  type ListenerExpectation,
  type StatusExpectation,
} from '../conformanceTest.js';

const gateway = gw('gateway-with-listener-sets-http-routing');
const v1 = { backend: 'infra-backend-v1', namespace: infra };
const v2 = { backend: 'infra-backend-v2', namespace: infra };
const v3 = { backend: 'infra-backend-v3', namespace: infra };

const hosts = {
  gw1: 'gateway-listener-1.com',
  gw2: 'gateway-listener-2.com',
  ls1a: 'listener-set-http-routing-1-listener-1.com',
  ls1b: 'listener-set-http-routing-1-listener-2.com',
  ls2a: 'listener-set-http-routing-2-listener-1.com',
  ls2b: 'listener-set-http-routing-2-listener-2.com',
} as const;
type Host = keyof typeof hosts;

/** `path` on every host: `served` hosts answer from `backend`, the others 404. */
const only = (
  path: string,
  served: readonly Host[],
  backend: Partial<HttpExpectation>,
): HttpExpectation[] =>
  (Object.keys(hosts) as Host[]).map((host) => ({
    gateway,
    request: { host: hosts[host], path },
    ...(served.includes(host) ? backend : { status: 404 }),
  }));

export const listenerSetTests: ConformanceTest[] = [
  {
    name: 'ListenerSetHTTPRouting',
    description:
      'Routes on the Gateway serve its own listeners, routes on a ListenerSet serve that set, section names narrow both',
    features: ['Gateway', 'ListenerSet', 'HTTPRoute'],
    manifests: ['listenerset-http-routing.yaml'],
    statuses: [
      {
        kind: 'Gateway',
        ...gateway,
        conditions: [
          { type: 'Accepted', status: 'True' },
          { type: 'Programmed', status: 'True' },
        ],
      },
    ],
    requests: [
      ...only('/route', ['gw1', 'gw2', 'ls1a', 'ls1b', 'ls2a', 'ls2b'], v1),
      ...only('/gateway-route', ['gw1', 'gw2'], v2),
      ...only('/gateway-section-route', ['gw1'], v3),
      ...only('/listener-set-http-routing-1-route', ['ls1a', 'ls1b'], v2),
      ...only('/listener-set-http-routing-1-section-route', ['ls1a'], v3),
      ...only('/listener-set-http-routing-2-route', ['ls2a', 'ls2b'], v2),
    ],
  },
];

/** A ListenerSet its parent Gateway does not allow: not accepted, not programmed (NotAllowed). */
const notAllowed = (
  name: string,
  test: string,
  gatewayName: string,
  listenerSet: string,
): ConformanceTest => ({
  name,
  description: `A Gateway ${test} refuses ListenerSets: NotAllowed, and the Gateway itself is fine`,
  features: ['Gateway', 'ListenerSet', 'HTTPRoute'],
  manifests: [
    `listenerset-${name === 'ListenerSetDefaultNotAllowed' ? 'default-not-allowed' : 'allowed-namespace-none'}.yaml`,
  ],
  statuses: [
    {
      kind: 'Gateway',
      ...gw(gatewayName),
      conditions: [
        { type: 'Accepted', status: 'True' },
        { type: 'Programmed', status: 'True' },
      ],
    },
    {
      kind: 'ListenerSet',
      namespace: infra,
      name: listenerSet,
      conditions: [
        { type: 'Accepted', status: 'False', reason: 'NotAllowed' },
        { type: 'Programmed', status: 'False', reason: 'NotAllowed' },
      ],
    },
  ],
});

listenerSetTests.push(
  notAllowed(
    'ListenerSetDefaultNotAllowed',
    'without allowedListeners',
    'gateway-default-does-not-allow-listenerset',
    'listenerset-default-not-allowed',
  ),
  notAllowed(
    'ListenerSetAllowedNamespaceNone',
    'with allowedListeners from None',
    'gateway-does-not-allow-listenerset',
    'listenerset-not-allowed',
  ),
);

const listenerSetStatus = (
  namespace: string,
  name: string,
  allowed: boolean,
): StatusExpectation => ({
  kind: 'ListenerSet',
  namespace,
  name,
  conditions: allowed
    ? [
        { type: 'Accepted', status: 'True' },
        { type: 'Programmed', status: 'True' },
      ]
    : [
        { type: 'Accepted', status: 'False', reason: 'NotAllowed' },
        { type: 'Programmed', status: 'False', reason: 'NotAllowed' },
      ],
});

const sectionGateway = gw('gateway-section-name');

listenerSetTests.push(
  {
    name: 'ListenerSetAllowedNamespaceSame',
    description: 'allowedListeners from Same accepts ListenerSets of its namespace only',
    features: ['Gateway', 'ListenerSet', 'HTTPRoute'],
    manifests: ['listenerset-allowed-namespace-same.yaml'],
    statuses: [
      listenerSetStatus(infra, 'listenerset-in-same-namespace', true),
      listenerSetStatus(
        'gateway-api-listenerset-not-allowed-ns',
        'listenerset-in-different-namespace',
        false,
      ),
    ],
  },
  {
    name: 'ListenerSetAllowedNamespaceSelector',
    description: 'allowedListeners from Selector accepts ListenerSets of the namespaces it selects',
    features: ['Gateway', 'ListenerSet', 'HTTPRoute'],
    manifests: ['listenerset-allowed-namespace-selector.yaml'],
    statuses: [
      listenerSetStatus(
        'gateway-api-listenerset-selector-allowed-ns',
        'listenerset-in-selected-namespace',
        true,
      ),
      listenerSetStatus(
        'gateway-api-listenerset-selector-not-allowed-ns',
        'listenerset-not-in-selected-namespace',
        false,
      ),
    ],
  },
  {
    name: 'ListenerSetGatewayParentSectionNameNotFound',
    description:
      "A route naming a ListenerSet's listener as a section of the Gateway does not attach (NoMatchingParent)",
    features: ['Gateway', 'ListenerSet', 'HTTPRoute'],
    manifests: ['listenerset-gateway-parent-section-name-not-found.yaml'],
    statuses: [
      listenerSetStatus(infra, 'listenerset-section-name', true),
      {
        kind: 'HTTPRoute',
        namespace: infra,
        name: 'route-via-listenerset',
        parents: [
          {
            gateway: gw('listenerset-section-name'),
            conditions: [{ type: 'Accepted', status: 'True' }],
          },
        ],
      },
      {
        kind: 'HTTPRoute',
        namespace: infra,
        name: 'route-via-gateway',
        parents: [
          {
            gateway: sectionGateway,
            conditions: [{ type: 'Accepted', status: 'False', reason: 'NoMatchingParent' }],
          },
        ],
        notAccepted: true,
      },
    ],
    requests: [
      {
        gateway: sectionGateway,
        request: { host: 'ls-section-name.com', path: '/goodsection' },
        ...v1,
      },
      {
        gateway: sectionGateway,
        request: { host: 'ls-section-name.com', path: '/badsection' },
        status: 404,
      },
      {
        gateway: sectionGateway,
        request: { host: 'gw-section.com', path: '/badsection' },
        status: 404,
      },
    ],
  },
);

const parent = (
  name: string,
  sectionName: string | undefined,
  status: 'True' | 'False',
  reason?: string,
) => ({
  gateway: gw(name),
  ...(sectionName ? { sectionName } : {}),
  conditions: [{ type: 'Accepted', status, ...(reason ? { reason } : {}) }],
});
const at = (
  gatewayName: string,
  host: string,
  path: string,
  expected: Partial<HttpExpectation>,
): HttpExpectation => ({
  gateway: gw(gatewayName),
  request: { host, path },
  ...expected,
});

listenerSetTests.push(
  {
    name: 'ListenerSetRouteStatusScopedToParentRef',
    description:
      'A route attached to the Gateway or to its ListenerSet serves and reports only that parent',
    features: ['Gateway', 'ListenerSet', 'HTTPRoute'],
    manifests: ['listenerset-route-status-scoped-to-parentref.yaml'],
    statuses: [
      {
        kind: 'HTTPRoute',
        namespace: infra,
        name: 'route-parentref-gwonly',
        parents: [parent('gateway-parentref', undefined, 'True')],
      },
      {
        kind: 'HTTPRoute',
        namespace: infra,
        name: 'route-parentref-lsonly',
        parents: [parent('listenerset-parentref', undefined, 'True')],
      },
    ],
    requests: [
      at('gateway-parentref', 'gw-parentref.com', '/gwonly', v1),
      at('gateway-parentref', 'listenerset-parentref.com', '/gwonly', { status: 404 }),
      at('gateway-parentref', 'listenerset-parentref.com', '/lsonly', v2),
      at('gateway-parentref', 'gw-parentref.com', '/lsonly', { status: 404 }),
    ],
  },
  {
    name: 'ListenerSetDualParentRefIndependence',
    description:
      "A route's Gateway and ListenerSet parentRefs attach independently; a ListenerSet section is no Gateway section",
    features: ['Gateway', 'ListenerSet', 'HTTPRoute'],
    manifests: ['listenerset-dual-parentref-independence.yaml'],
    statuses: [
      {
        kind: 'HTTPRoute',
        namespace: infra,
        name: 'route-dual-parentref-both',
        parents: [
          parent('gateway-dual-parentref', undefined, 'True'),
          parent('ls-dual-parentref', undefined, 'True'),
        ],
      },
      {
        kind: 'HTTPRoute',
        namespace: infra,
        name: 'route-dual-parentref-one',
        parents: [
          parent(
            'gateway-dual-parentref',
            'ls-dual-parentref-listener',
            'False',
            'NoMatchingParent',
          ),
          parent('ls-dual-parentref', 'ls-dual-parentref-listener', 'True'),
        ],
      },
    ],
    requests: [
      at('gateway-dual-parentref', 'gw-dual.com', '/dualboth', v1),
      at('gateway-dual-parentref', 'ls-dual.com', '/dualboth', v1),
      at('gateway-dual-parentref', 'ls-dual.com', '/dualone', v2),
      at('gateway-dual-parentref', 'gw-dual.com', '/dualone', { status: 404 }),
    ],
  },
);

const allowedRoutesGateway = 'gateway-with-listener-sets-test-allowed-routes';
const routeHosts = {
  all: 'listener-set-listener-allowed-routes-all.com',
  same: 'listener-set-listener-allowed-routes-same.com',
  selector: 'listener-set-listener-allowed-routes-selector.com',
  crossNsSame: 'listener-set-listener-allowed-routes-cross-ns-same.com',
} as const;
const routePaths = {
  '/route-in-same-namespace': v1,
  '/route-in-selected-namespace': v2,
  '/route-not-in-selected-namespace': v3,
  '/route-in-listenerset-namespace': v1,
  '/route-in-gateway-namespace': v2,
} as const;
/** Which paths each ListenerSet listener serves, given its allowedRoutes and the routes' namespaces. */
const servedBy: Record<keyof typeof routeHosts, readonly (keyof typeof routePaths)[]> = {
  all: [
    '/route-in-same-namespace',
    '/route-in-selected-namespace',
    '/route-not-in-selected-namespace',
  ],
  same: ['/route-in-same-namespace'],
  selector: ['/route-in-selected-namespace'],
  crossNsSame: ['/route-in-listenerset-namespace'],
};

listenerSetTests.push({
  name: 'ListenerSetAllowedRoutesNamespaces',
  description:
    "A ListenerSet listener's allowedRoutes (All, Same, Selector) counts namespaces from the ListenerSet, not the Gateway",
  features: ['Gateway', 'ListenerSet', 'HTTPRoute'],
  manifests: ['listenerset-allowed-routes-namespaces.yaml'],
  statuses: [
    listenerSetStatus(infra, 'listenerset-test-allowed-routes-namespaces', true),
    listenerSetStatus('gateway-api-ls-cross-ns', 'listenerset-test-allowed-routes-cross-ns', true),
  ],
  requests: (Object.keys(routeHosts) as (keyof typeof routeHosts)[]).flatMap((listener) =>
    (Object.keys(routePaths) as (keyof typeof routePaths)[]).map((path) =>
      at(
        allowedRoutesGateway,
        routeHosts[listener],
        path,
        servedBy[listener].includes(path) ? routePaths[path] : { status: 404 },
      ),
    ),
  ),
});

listenerSetTests.push({
  name: 'ListenerSetAllowedRoutesSupportedKinds',
  description:
    'A ListenerSet TLS listener allowing only HTTPRoute supports no kind (InvalidRouteKinds)',
  features: ['Gateway', 'ListenerSet', 'HTTPRoute'],
  manifests: ['listenerset-allowed-routes-supported-kinds.yaml'],
  statuses: [
    {
      kind: 'ListenerSet',
      namespace: infra,
      name: 'listenerset-test-allowed-routes-supported-kinds',
      listeners: [
        {
          name: 'listener-set-listener-allowed-routes-tls-only',
          supportedKinds: [],
          attachedRoutes: 0,
          conditions: [{ type: 'ResolvedRefs', status: 'False', reason: 'InvalidRouteKinds' }],
        },
      ],
    },
  ],
});

/** The suite's generateAcceptedListenerConditions. */
const acceptedListener = (name: string): ListenerExpectation => ({
  name,
  conditions: [
    { type: 'ResolvedRefs', status: 'True' as const },
    { type: 'Accepted', status: 'True' as const },
    { type: 'Programmed', status: 'True' as const },
  ],
});

/**
 * ListenerSetHostnameConflict and ListenerSetProtocolConflict share their shape: the Gateway's own
 * listeners win, then the oldest ListenerSet's; a set keeps Accepted while one of its listeners is
 * valid, else ListenersNotValid.
 */
const conflictTest = (kind: 'hostname' | 'protocol'): ConformanceTest => {
  const Kind = kind === 'hostname' ? 'Hostname' : 'Protocol';
  const withGateway = `${kind}-conflict-with-gateway-listener`;
  const withSet = `${kind}-conflict-with-listener-set-listener`;
  const conflicted = (name: string): ListenerExpectation => ({
    name,
    conditions:
      kind === 'hostname'
        ? [
            { type: 'Accepted', status: 'False' as const },
            { type: 'Programmed', status: 'False' as const },
            { type: 'Conflicted', status: 'True' as const, reason: 'HostnameConflict' },
          ]
        : [
            // The upstream test's ListenerEntryReasonConflicted (its latest revision).
            { type: 'Accepted', status: 'False' as const, reason: 'Conflicted' },
            { type: 'Programmed', status: 'False' as const },
            { type: 'Conflicted', status: 'True' as const, reason: 'ProtocolConflict' },
          ],
  });
  const set = (
    suffix: string,
    listeners: ListenerExpectation[],
    valid: boolean,
  ): StatusExpectation => ({
    kind: 'ListenerSet',
    namespace: infra,
    name: `listenerset-with-${kind}-conflict-with-${suffix}`,
    conditions: valid
      ? [
          { type: 'Accepted', status: 'True' },
          { type: 'Programmed', status: 'True', reason: 'Programmed' },
        ]
      : [
          { type: 'Accepted', status: 'False', reason: 'ListenersNotValid' },
          // The hostname test wants ListenersNotValid here too, the protocol one any reason.
          {
            type: 'Programmed',
            status: 'False',
            ...(kind === 'hostname' ? { reason: 'ListenersNotValid' } : {}),
          },
        ],
    someListeners: listeners,
  });
  return {
    name: `ListenerSet${Kind}Conflict`,
    description: `Listener precedence when a ListenerSet listener has a ${kind} conflict`,
    features: ['Gateway', 'ListenerSet', 'HTTPRoute'],
    manifests: [`listenerset-${kind}-conflict.yaml`],
    ...(kind === 'protocol'
      ? {
          skip: 'a protocol-conflicted ListenerSet listener has Accepted=False reason ProtocolConflict (earlier revisions of the suite); its latest revision wants Conflicted',
        }
      : {}),
    statuses: [
      {
        kind: 'Gateway',
        ...gw(`gateway-with-listenerset-${kind}-conflict`),
        conditions: [{ type: 'Accepted', status: 'True' }],
        someListeners: [acceptedListener('gateway-listener'), acceptedListener(withGateway)],
        attachedListenerSets: 2,
      },
      set(
        'gateway-1',
        [
          acceptedListener('listener-set-1-listener'),
          conflicted(withGateway),
          acceptedListener(withSet),
        ],
        true,
      ),
      set('gateway-2', [conflicted(withGateway)], false),
      set(
        'listener-set-1',
        [acceptedListener('listener-set-2-listener'), conflicted(withSet)],
        true,
      ),
      set('listener-set-2', [conflicted(withSet)], false),
    ],
  };
};

listenerSetTests.push(conflictTest('hostname'), conflictTest('protocol'));

listenerSetTests.push({
  name: 'ListenerSetReferenceGrant',
  description:
    'A ListenerSet listener may use a Secret of another namespace only when a ReferenceGrant from ListenerSets allows it',
  // Upstream: Gateway, ListenerSet, ReferenceGrant; HTTPRoute keeps it in GATEWAY-HTTP only.
  features: ['Gateway', 'ListenerSet', 'HTTPRoute', 'ReferenceGrant'],
  manifests: ['listenerset-reference-grant.yaml'],
  statuses: [
    {
      kind: 'Gateway',
      ...gw('gateway-with-listener-sets-test-reference-grant'),
      conditions: [{ type: 'Accepted', status: 'True' }],
    },
    {
      kind: 'ListenerSet',
      namespace: infra,
      name: 'listenerset-with-reference-grant',
      conditions: [
        { type: 'Accepted', status: 'True' },
        { type: 'Programmed', status: 'True' },
      ],
      someListeners: [
        {
          name: 'listenerset-with-reference-grant-listener',
          conditions: [{ type: 'ResolvedRefs', status: 'True' }],
        },
      ],
    },
    {
      kind: 'ListenerSet',
      namespace: 'gateway-api-listener-sets-test-reference-grant-ns',
      name: 'listenerset-without-reference-grant',
      conditions: [
        { type: 'Accepted', status: 'False', reason: 'ListenersNotValid' },
        { type: 'Programmed', status: 'False', reason: 'ListenersNotValid' },
      ],
      someListeners: [
        {
          name: 'listenerset-without-reference-grant-listener',
          conditions: [{ type: 'ResolvedRefs', status: 'False', reason: 'RefNotPermitted' }],
        },
      ],
    },
  ],
});
