// SecurityPolicy settings Envoy Gateway's e2e tests do not exercise offline (JWT issuer and
// audiences; client CIDRs, whose e2e tests need ClientTrafficPolicy client IP detection), tested
// the same way: manifests made here, requests through egts and real Envoy. The RSA key and the
// tokens are made at run time.
import { createSign, generateKeyPairSync } from 'node:crypto';
import {
  type ConformanceTest,
  gw,
  type HttpExpectation,
  infra,
  type KubeObject,
} from '../../conformanceTest.js';
import { GATEWAY_CLASS_NAME } from '../../internal/harness.js';
import { authzCELDenyRules } from './egtsAuthzCEL.js';
import { corsCredentialsMaxAge } from './egtsSecurityPolicyCors.js';

const v1 = { backend: 'infra-backend-v1', namespace: infra };

const route = (name: string, path: string): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name, namespace: infra },
  spec: {
    parentRefs: [{ name: 'same-namespace' }],
    rules: [
      {
        matches: [{ path: { type: 'PathPrefix', value: path } }],
        backendRefs: [{ name: 'infra-backend-v1', port: 8080 }],
      },
    ],
  },
});

const policy = (name: string, target: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'gateway.envoyproxy.io/v1alpha1',
  kind: 'SecurityPolicy',
  metadata: { name, namespace: infra },
  spec: {
    targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: target }],
    ...spec,
  },
});

const accepted = (...names: string[]) =>
  names.map((name) => ({
    kind: 'SecurityPolicy' as const,
    namespace: infra,
    name,
    ancestors: [
      {
        gateway: gw('same-namespace'),
        conditions: [{ type: 'Accepted', status: 'True' as const }],
      },
    ],
  }));

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** An RS256 key as a JWKS, and a signer of tokens with it. */
const rsaKey = () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), alg: 'RS256', use: 'sig', kid: 'egts' };
  const sign = (claims: Record<string, unknown>) => {
    const head = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'egts' }));
    const body = base64url(JSON.stringify(claims));
    const signature = createSign('RSA-SHA256').update(`${head}.${body}`).sign(privateKey);
    return `${head}.${body}.${base64url(signature)}`;
  };
  return { jwks: JSON.stringify({ keys: [jwk] }), sign };
};

const request = (path: string, token: string | undefined, status: number | number[]) =>
  ({
    request: { path, headers: token ? { Authorization: `Bearer ${token}` } : {} },
    status,
    ...(status === 200 ? v1 : {}),
  }) satisfies HttpExpectation;

const withBody = (expected: HttpExpectation, body: string): HttpExpectation => ({
  ...expected,
  request: { ...expected.request, method: 'POST', body },
});

const jwtIssuerAudiences = (): ConformanceTest => {
  const key = rsaKey();
  const exp = Math.floor(Date.now() / 1000) + 24 * 3600;
  const token = (iss: string, aud: string) => key.sign({ sub: 'egts', iss, aud, exp });
  return {
    name: 'EgtsJWTIssuerAudiences',
    description: 'A JWT must come from the provider issuer and name one of its audiences',
    features: ['SecurityPolicy', 'JWT'],
    manifests: [],
    objects: [
      route('egts-jwt-issuer', '/egts-jwt'),
      policy('egts-jwt-issuer', 'egts-jwt-issuer', {
        jwt: {
          providers: [
            {
              name: 'egts',
              issuer: 'https://issuer.egts.test',
              audiences: ['api.egts.test', 'other.egts.test'],
              localJWKS: { type: 'Inline', inline: key.jwks },
            },
          ],
        },
      }),
    ],
    statuses: accepted('egts-jwt-issuer'),
    requests: [
      request('/egts-jwt', token('https://issuer.egts.test', 'api.egts.test'), 200),
      request('/egts-jwt', token('https://issuer.egts.test', 'other.egts.test'), 200),
      // Envoy's jwt_authn: 401 for a bad issuer, 403 for an audience not allowed.
      request('/egts-jwt', token('https://elsewhere.test', 'api.egts.test'), [401, 403]),
      request('/egts-jwt', token('https://issuer.egts.test', 'nobody.test'), [401, 403]),
      request('/egts-jwt', undefined, 401),
    ],
  };
};

const jwtExtractFromFailOpen = (): ConformanceTest => {
  const key = rsaKey();
  const exp = Math.floor(Date.now() / 1000) + 24 * 3600;
  const token = key.sign({ sub: 'egts', exp });
  const provider = { name: 'egts', localJWKS: { type: 'Inline', inline: key.jwks } };
  const at = (path: string, headers: Record<string, string>, status: number) =>
    ({
      request: { path, headers },
      status,
      ...(status === 200 ? v1 : {}),
    }) satisfies HttpExpectation;
  return {
    name: 'EgtsJWTExtractFromFailOpen',
    description: 'A JWT read from a header with a prefix, a cookie or a query parameter; failOpen',
    features: ['SecurityPolicy', 'JWT'],
    manifests: [],
    objects: [
      route('egts-jwt-extract', '/egts-jwt-extract'),
      route('egts-jwt-fail-open', '/egts-jwt-fail-open'),
      policy('egts-jwt-extract', 'egts-jwt-extract', {
        jwt: {
          providers: [
            {
              ...provider,
              extractFrom: {
                headers: [{ name: 'x-egts-token', valuePrefix: 'Token ' }],
                cookies: ['egts-token'],
                params: ['egts_token'],
              },
            },
          ],
        },
      }),
      policy('egts-jwt-fail-open', 'egts-jwt-fail-open', {
        jwt: { failOpen: true, providers: [provider] },
      }),
    ],
    statuses: accepted('egts-jwt-extract', 'egts-jwt-fail-open'),
    requests: [
      at('/egts-jwt-extract', { 'x-egts-token': `Token ${token}` }, 200),
      at('/egts-jwt-extract', { cookie: `egts-token=${token}` }, 200),
      at(`/egts-jwt-extract?egts_token=${token}`, {}, 200),
      // Only the places listed: the Authorization header is not one of them any more.
      at('/egts-jwt-extract', { Authorization: `Bearer ${token}` }, 401),
      at('/egts-jwt-extract', { 'x-egts-token': 'Token not-a-jwt' }, 401),
      at('/egts-jwt-fail-open', { Authorization: `Bearer ${token}` }, 200),
      at('/egts-jwt-fail-open', { Authorization: 'Bearer not-a-jwt' }, 200),
      at('/egts-jwt-fail-open', {}, 200),
    ],
  };
};

/** The e2e ext-auth server (its stand-in) as a Deployment and Service of this test's own. */
const extAuthService = (name: string, selector: string): KubeObject[] => [
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: infra },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name, image: 'envoyproxy/gateway-envoy-ext-auth:latest' }] },
      },
    },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: infra },
    spec: { selector: { app: selector }, ports: [{ name: 'http', port: 8080, targetPort: 8080 }] },
  },
];

const extAuthOptions: ConformanceTest = {
  name: 'EgtsExtAuthFailOpenRecompute',
  description:
    'ext_authz failOpen or statusOnError when the service cannot answer; recomputeRoute routes on its headers; bodyToExtAuth',
  features: ['SecurityPolicy', 'ExtAuth'],
  manifests: [],
  objects: [
    ...extAuthService('egts-ext-auth', 'egts-ext-auth'),
    // A Service no pod backs: every check fails.
    ...extAuthService('egts-ext-auth-down', 'nobody'),
    {
      ...route('egts-recompute', '/egts-recompute'),
      spec: {
        parentRefs: [{ name: 'same-namespace' }],
        rules: [
          {
            matches: [
              {
                path: { type: 'PathPrefix', value: '/egts-recompute' },
                headers: [{ name: 'x-current-user', value: 'user2' }],
              },
            ],
            backendRefs: [{ name: 'infra-backend-v2', port: 8080 }],
          },
          {
            matches: [{ path: { type: 'PathPrefix', value: '/egts-recompute' } }],
            backendRefs: [{ name: 'infra-backend-v1', port: 8080 }],
          },
        ],
      },
    },
    route('egts-fail-open', '/egts-fail-open'),
    route('egts-fail-closed', '/egts-fail-closed'),
    policy('egts-recompute', 'egts-recompute', {
      extAuth: {
        recomputeRoute: true,
        http: {
          backendRefs: [{ name: 'egts-ext-auth', port: 8080 }],
          headersToBackend: ['x-current-user'],
        },
      },
    }),
    policy('egts-fail-open', 'egts-fail-open', {
      extAuth: {
        failOpen: true,
        http: { backendRefs: [{ name: 'egts-ext-auth-down', port: 8080 }] },
      },
    }),
    policy('egts-fail-closed', 'egts-fail-closed', {
      extAuth: { http: { backendRefs: [{ name: 'egts-ext-auth-down', port: 8080 }] } },
    }),
    route('egts-status-on-error', '/egts-status-on-error'),
    policy('egts-status-on-error', 'egts-status-on-error', {
      extAuth: {
        statusOnError: 503,
        http: { backendRefs: [{ name: 'egts-ext-auth-down', port: 8080 }] },
      },
    }),
    route('egts-body-to-ext-auth', '/egts-body-to-ext-auth'),
    policy('egts-body-to-ext-auth', 'egts-body-to-ext-auth', {
      extAuth: {
        bodyToExtAuth: { maxRequestBytes: 16 },
        http: { backendRefs: [{ name: 'egts-ext-auth', port: 8080 }] },
      },
    }),
  ],
  statuses: accepted(
    'egts-recompute',
    'egts-fail-open',
    'egts-fail-closed',
    'egts-status-on-error',
    'egts-body-to-ext-auth',
  ),
  requests: [
    { ...request('/egts-recompute', 'token2', 200), backend: 'infra-backend-v2' },
    request('/egts-recompute', 'token1', 200),
    request('/egts-recompute', undefined, 403),
    request('/egts-fail-open', undefined, 200),
    request('/egts-fail-closed', undefined, 403),
    request('/egts-status-on-error', undefined, 503),
    // A body within bodyToExtAuth.maxRequestBytes is checked; a larger one is refused unchecked.
    withBody(request('/egts-body-to-ext-auth', 'token1', 200), 'small body'),
    withBody(request('/egts-body-to-ext-auth', 'token1', 413), 'a body longer than sixteen bytes'),
  ],
};

/** mergeType: the Gateway's deny-all authorization still holds on a route whose policy merges. */
const mergeTypeKeepsBroader: ConformanceTest = {
  name: 'EgtsSecurityPolicyMergeType',
  description: 'A route policy with mergeType keeps the Gateway policy; without, it replaces it',
  features: ['SecurityPolicy', 'Authorization', 'CORS'],
  manifests: [],
  objects: [
    route('egts-merged', '/egts-merged'),
    route('egts-replaced', '/egts-replaced'),
    {
      ...policy('egts-gateway-deny', 'same-namespace', {
        authorization: { defaultAction: 'Deny' },
      }),
      spec: {
        targetRefs: [
          { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'same-namespace' },
        ],
        authorization: { defaultAction: 'Deny' },
      },
    },
    policy('egts-merged', 'egts-merged', {
      mergeType: 'StrategicMerge',
      cors: { allowOrigins: ['https://www.example.com'] },
    }),
    policy('egts-replaced', 'egts-replaced', {
      cors: { allowOrigins: ['https://www.example.com'] },
    }),
  ],
  requests: [request('/egts-merged', undefined, 403), request('/egts-replaced', undefined, 200)],
};

const authzClientCIDRs: ConformanceTest = {
  name: 'EgtsAuthzClientCIDRs',
  description: 'Authorization by client address, without client IP detection (the peer address)',
  features: ['SecurityPolicy', 'Authorization'],
  manifests: [],
  objects: [
    route('egts-cidr-allowed', '/egts-cidr-allowed'),
    route('egts-cidr-denied', '/egts-cidr-denied'),
    policy('egts-cidr-allowed', 'egts-cidr-allowed', {
      authorization: {
        defaultAction: 'Deny',
        rules: [{ action: 'Allow', principal: { clientCIDRs: ['127.0.0.0/8'] } }],
      },
    }),
    policy('egts-cidr-denied', 'egts-cidr-denied', {
      authorization: {
        defaultAction: 'Allow',
        rules: [
          { action: 'Deny', principal: { clientCIDRs: ['127.0.0.1/32'] } },
          { action: 'Allow', principal: { clientCIDRs: ['127.0.0.0/8'] } },
        ],
      },
    }),
  ],
  statuses: accepted('egts-cidr-allowed', 'egts-cidr-denied'),
  requests: [
    request('/egts-cidr-allowed', undefined, 200),
    // The first matching rule decides: the Deny for 127.0.0.1 comes before the Allow.
    request('/egts-cidr-denied', undefined, 403),
  ],
};

const tcpGateway = gw('egts-tcp-authz');

const tcpRoute = (name: string, sectionName: string, gateway = 'egts-tcp-authz'): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1alpha2',
  kind: 'TCPRoute',
  metadata: { name, namespace: infra },
  spec: {
    parentRefs: [{ name: gateway, sectionName }],
    rules: [{ backendRefs: [{ name: 'infra-backend-v1', port: 8080 }] }],
  },
});

const tcpPolicy = (name: string, clientCIDRs: string[]): KubeObject => ({
  apiVersion: 'gateway.envoyproxy.io/v1alpha1',
  kind: 'SecurityPolicy',
  metadata: { name, namespace: infra },
  spec: {
    targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'TCPRoute', name }],
    authorization: {
      defaultAction: 'Deny',
      rules: [{ action: 'Allow', principal: { clientCIDRs } }],
    },
  },
});

const overTcp = (port: number, gateway = tcpGateway): HttpExpectation => ({
  gateway,
  port,
  request: { path: '/' },
  ...v1,
});

/** Network RBAC on TCPRoutes with valid backends: only the client range decides. */
/** A Gateway of TCP listeners, each named and on its port. */
const tcpGatewayObject = (name: string, listeners: Record<string, number>): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name, namespace: infra },
  spec: {
    gatewayClassName: GATEWAY_CLASS_NAME,
    listeners: Object.entries(listeners).map(([listener, port]) => ({
      name: listener,
      protocol: 'TCP',
      port,
      allowedRoutes: { kinds: [{ kind: 'TCPRoute' }] },
    })),
  },
});

const tcpAuthzClientCIDRs: ConformanceTest = {
  name: 'EgtsTCPRouteAuthzClientCIDRs',
  description: 'A TCPRoute whose policy does not allow the client drops it; one that does proxies',
  features: ['SecurityPolicy', 'Authorization'],
  manifests: [],
  objects: [
    tcpGatewayObject('egts-tcp-authz', { denied: 8100, allowed: 8101 }),
    tcpRoute('egts-tcp-denied', 'denied'),
    tcpRoute('egts-tcp-allowed', 'allowed'),
    tcpPolicy('egts-tcp-denied', ['192.168.254.0/24']),
    tcpPolicy('egts-tcp-allowed', ['127.0.0.0/8']),
  ],
  requests: [overTcp(8101)],
  steps: async (harness) => {
    await harness.eventually('egts-tcp-authz:8100 blocked', async () => {
      const result = await harness.send(overTcp(8100));
      return result instanceof Error ? undefined : `answered ${result.status}`;
    });
  },
};

const gatewayTcpAuthz = gw('egts-gateway-tcp-authz');

/** A SecurityPolicy on the Gateway `egts-gateway-tcp-authz`, or on one of its listeners. */
const gatewayPolicy = (
  name: string,
  authorization: Record<string, unknown>,
  sectionName?: string,
): KubeObject => ({
  apiVersion: 'gateway.envoyproxy.io/v1alpha1',
  kind: 'SecurityPolicy',
  metadata: { name, namespace: infra },
  spec: {
    targetRefs: [
      {
        group: 'gateway.networking.k8s.io',
        kind: 'Gateway',
        name: 'egts-gateway-tcp-authz',
        ...(sectionName ? { sectionName } : {}),
      },
    ],
    authorization,
  },
});

/**
 * Gateway and listener SecurityPolicies protect the TCPRoutes under them with their authorization
 * (network RBAC), as Envoy Gateway applies it to TCP listeners; a rule that needs a request
 * (headers here) fails closed on a connection: a Deny matches on its client CIDRs alone.
 */
const gatewayTcpAuthzClientCIDRs: ConformanceTest = {
  name: 'EgtsGatewayTCPAuthzClientCIDRs',
  description: 'Gateway and listener policies authorize TCP connections by client address',
  features: ['SecurityPolicy', 'Authorization'],
  manifests: [],
  objects: [
    tcpGatewayObject('egts-gateway-tcp-authz', { allowed: 8102, denied: 8103, headers: 8104 }),
    tcpRoute('egts-gw-tcp-allowed', 'allowed', 'egts-gateway-tcp-authz'),
    tcpRoute('egts-gw-tcp-denied', 'denied', 'egts-gateway-tcp-authz'),
    tcpRoute('egts-gw-tcp-headers', 'headers', 'egts-gateway-tcp-authz'),
    gatewayPolicy('egts-gw-tcp', {
      defaultAction: 'Deny',
      rules: [{ action: 'Allow', principal: { clientCIDRs: ['127.0.0.0/8'] } }],
    }),
    gatewayPolicy(
      'egts-gw-tcp-denied',
      {
        defaultAction: 'Deny',
        rules: [{ action: 'Allow', principal: { clientCIDRs: ['192.168.254.0/24'] } }],
      },
      'denied',
    ),
    gatewayPolicy(
      'egts-gw-tcp-headers',
      {
        defaultAction: 'Allow',
        rules: [{ action: 'Deny', principal: { headers: [{ name: 'x-team', values: ['b'] }] } }],
      },
      'headers',
    ),
  ],
  requests: [overTcp(8102, gatewayTcpAuthz)],
  steps: async (harness) => {
    for (const port of [8103, 8104])
      await harness.eventually(`egts-gateway-tcp-authz:${port} blocked`, async () => {
        const result = await harness.send(overTcp(port, gatewayTcpAuthz));
        return result instanceof Error ? undefined : `answered ${result.status}`;
      });
  },
};

export const egtsSecurityPolicyTests = (): ConformanceTest[] => [
  jwtIssuerAudiences(),
  jwtExtractFromFailOpen(),
  extAuthOptions,
  mergeTypeKeepsBroader,
  authzClientCIDRs,
  authzCELDenyRules,
  tcpAuthzClientCIDRs,
  gatewayTcpAuthzClientCIDRs,
  corsCredentialsMaxAge,
];
