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

export const egtsSecurityPolicyTests = (): ConformanceTest[] => [
  jwtIssuerAudiences(),
  authzClientCIDRs,
];
