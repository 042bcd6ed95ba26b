// The requests Envoy makes itself to the services a SecurityPolicy names: a remote JWKS fetch
// (timeout, retries, refetch after a failure), an authorization check (retries, the status
// answered when the service fails) and an OpenID token request (retries; token lifetimes when
// the provider gives none), from the policies' settings and the services' backendSettings.
import {
  ExtAuthz,
  HttpConnectionManager,
  JwtAuthentication,
  type Listener,
  OAuth2,
  unpackAnyAs,
} from '@egts/envoy-api';
import type { HTTPRouteIR, RouteDestination, SecurityIR, XdsIR } from '@egts/ir';
import { describe, expect, it } from 'vitest';
import { translateXds } from '../index.js';

const destination = (name: string, port: number): RouteDestination => ({
  name,
  settings: [
    {
      name: `${name}/backend/0`,
      weight: 1,
      protocol: 'HTTP',
      addressType: 'IP',
      endpoints: [{ host: '10.0.0.1', port, ready: true }],
    },
  ],
});

const route = (name: string, security: SecurityIR): HTTPRouteIR => ({
  name,
  hostname: '*',
  headerMatches: [],
  queryParamMatches: [],
  addRequestHeaders: [],
  removeRequestHeaders: [],
  addResponseHeaders: [],
  removeResponseHeaders: [],
  mirrors: [],
  grpc: false,
  source: { kind: 'HTTPRoute', namespace: 'default', name },
  destination: destination(`${name}/dest`, 8080),
  security,
});

const retry = { attempts: 3, backoffMs: 1_000, maxBackoffMs: 5_000, triggers: ['5xx'], codes: [] };

const ir: XdsIR = {
  name: 'default/eg',
  http: [
    {
      name: 'default/eg/http',
      address: '0.0.0.0',
      port: 10080,
      externalPort: 80,
      hostnames: ['*'],
      routes: [
        route('jwt', {
          policy: 'default/jwt',
          jwt: {
            optional: false,
            failOpen: false,
            providers: [
              {
                name: 'p',
                audiences: [],
                claimToHeaders: [],
                remoteJWKS: {
                  uri: 'https://jwks.test/jwks.json',
                  destination: destination('securitypolicy/default/jwt/jwt/0', 443),
                  timeoutMs: 5_000,
                  failedRefetchDurationMs: 2_000,
                  retry,
                },
              },
            ],
          },
        }),
        route('authz', {
          policy: 'default/authz',
          extAuth: {
            protocol: 'GRPC',
            destination: destination('securitypolicy/default/authz/extauth', 9002),
            headersToExtAuth: [],
            headersToBackend: [],
            failOpen: false,
            includeRouteMetadata: false,
            recomputeRoute: false,
            contextExtensions: {},
            statusOnError: 503,
            maxRequestBytes: 16,
            retry: { ...retry, triggers: undefined, backoffMs: undefined },
          },
        }),
        route('login', {
          policy: 'default/login',
          oidc: {
            authorizationEndpoint: 'https://idp.test/auth',
            tokenEndpoint: 'https://idp.test/token',
            tokenDestination: destination('securitypolicy/default/login/oidc', 443),
            retry: { attempts: 2, codes: [] },
            clientID: 'client',
            clientSecret: 'secret',
            hmacSecret: 'hmac',
            redirectURL: 'https://www.example.com/oauth2/callback',
            redirectPath: '/oauth2/callback',
            logoutPath: '/logout',
            scopes: ['openid'],
            resources: [],
            cookieSuffix: 'abcd1234',
            forwardAccessToken: false,
            passThroughAuthHeader: false,
            refreshToken: true,
            defaultTokenTTLMs: 300_000,
            defaultRefreshTokenTTLMs: 4_321_000,
            disableTokenEncryption: false,
            denyRedirect: [],
          },
        }),
      ],
    },
  ],
  tcp: [],
  udp: [],
};

const filtersOf = (listener: Listener | undefined) => {
  const filter = (listener?.defaultFilterChain ?? listener?.filterChains[0])?.filters[0];
  if (filter?.typedConfig === undefined) throw new Error('no HCM');
  return unpackAnyAs(HttpConnectionManager, filter.typedConfig).httpFilters;
};

describe('SecurityPolicy services', () => {
  it('fetch and check settings', () => {
    const filters = filtersOf(translateXds(ir, { mode: 'static' }).listeners[0]);
    const jwt = filters.find((f) => f.name === 'envoy.filters.http.jwt_authn')?.typedConfig;
    if (!jwt) throw new Error('no jwt_authn filter');
    const remote = unpackAnyAs(JwtAuthentication, jwt).providers['default/jwt/p']?.remoteJwks;
    expect(remote?.httpUri?.timeout).toEqual({ seconds: 5, nanos: 0 });
    expect(remote?.asyncFetch).toMatchObject({ failedRefetchDuration: { seconds: 2, nanos: 0 } });
    expect(remote?.retryPolicy).toMatchObject({
      retryOn: '5xx',
      numRetries: 3,
      retryBackOff: { baseInterval: { seconds: 1, nanos: 0 }, maxInterval: { seconds: 5 } },
    });
    const authz = filters.find((f) => f.name.startsWith('envoy.filters.http.ext_authz'));
    if (!authz?.typedConfig) throw new Error('no ext_authz filter');
    const config = unpackAnyAs(ExtAuthz, authz.typedConfig);
    expect(config.statusOnError).toEqual({ code: 503 });
    // A larger body is refused (413), not sent in part.
    expect(config.withRequestBody).toMatchObject({
      maxRequestBytes: 16,
      allowPartialMessage: false,
    });
    // Without triggers, Envoy Gateway's default set for requests outside a route.
    expect(config.grpcService?.retryPolicy).toMatchObject({
      retryOn: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes',
      numRetries: 3,
    });
    expect(config.grpcService?.retryPolicy?.retryBackOff).toBeUndefined();
    const login = filters.find((f) => f.name.startsWith('envoy.filters.http.oauth2'));
    if (!login?.typedConfig) throw new Error('no oauth2 filter');
    const oauth = unpackAnyAs(OAuth2, login.typedConfig).config;
    expect(oauth?.defaultExpiresIn).toEqual({ seconds: 300, nanos: 0 });
    expect(oauth?.defaultRefreshTokenExpiresIn).toEqual({ seconds: 4321, nanos: 0 });
    expect(oauth?.useRefreshToken).toBe(true);
    expect(oauth?.retryPolicy).toMatchObject({ numRetries: 2 });
  });
});
