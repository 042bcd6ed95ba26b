// The `backendSettings` of the services a SecurityPolicy calls (remote JWKS, OpenID provider,
// HTTP and gRPC authorization) are BackendTrafficPolicy's settings: Envoy Gateway builds those
// services' clusters with createExtServiceXDSCluster(destination, traffic), the code path of a
// route's cluster under a BackendTrafficPolicy. Here one policy per service sets every group and
// each service cluster must carry exactly what a BackendTrafficPolicy with the same settings gives
// a route's cluster; retries land in the filter's own retry policy (Envoy Gateway's
// buildNonRouteRetryPolicy). Envoy then loads it all.
import { loadResourcesFromText } from '@egts/api';
import { validateEnvoyConfig } from '@egts/envoy-binary';
import { translate } from '@egts/gatewayapi-translator';
import { bootstrapToJson, translateBootstrap } from '@egts/xds-translator';
import { describe, expect, it } from 'vitest';
import { gatewayManifests, policy, route, service } from './backendTrafficFixture.js';
import {
  clusterSettings,
  routeClusterSettings,
  SERVICE_SETTINGS,
} from './serviceSettingsFixture.js';

const settings = JSON.stringify(SERVICE_SETTINGS);
const ref = (name: string, port: number) => `[{name: ${name}, port: ${port}}]`;
const securityPolicy = (name: string, spec: string) => `---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: {name: ${name}, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: ${name}}]
${spec}`;

/** The service kinds: policy name, its spec and how to find its cluster and filter. */
const SERVICES = [
  {
    kind: 'remote JWKS',
    name: 'jwks',
    filter: 'envoy.filters.http.jwt_authn',
    spec: `  jwt:
    providers:
    - name: p
      remoteJWKS:
        uri: http://jwks.default.svc/jwks.json
        backendRefs: ${ref('svc', 8080)}
        backendSettings: ${settings}
`,
  },
  {
    kind: 'OpenID provider',
    name: 'oidc',
    filter: 'envoy.filters.http.oauth2',
    spec: `  oidc:
    provider:
      issuer: http://idp.default.svc
      authorizationEndpoint: http://idp.default.svc/auth
      tokenEndpoint: http://idp.default.svc/token
      backendRefs: ${ref('svc', 8080)}
      backendSettings: ${settings}
    clientID: client
    clientSecret: {name: client-secret}
    redirectURL: http://www.example.com/oauth2/callback
`,
  },
  {
    kind: 'HTTP authorization',
    name: 'httpauth',
    filter: 'envoy.filters.http.ext_authz',
    spec: `  extAuth:
    http:
      backendRefs: ${ref('svc', 8080)}
      backendSettings: ${settings}
`,
  },
  {
    kind: 'gRPC authorization',
    name: 'grpcauth',
    filter: 'envoy.filters.http.ext_authz',
    spec: `  extAuth:
    grpc:
      backendRefs: ${ref('svc', 8080)}
      backendSettings: ${settings}
`,
  },
] as const;

const SECRET = `---
apiVersion: v1
kind: Secret
metadata: {name: client-secret, namespace: default}
data: {client-secret: c2VjcmV0}
`;

const btpSpec = Object.entries(SERVICE_SETTINGS)
  .map(([k, v]) => `  ${k}: ${JSON.stringify(v)}\n`)
  .join('');

const manifests = `${gatewayManifests(10080)}${service('svc', 8080, ['127.0.0.1'])}${SECRET}${route(
  'btp',
  'svc',
  8080,
)}${policy('btp', btpSpec)}${SERVICES.map(
  (s) => `${route(s.name, 'svc', 8080)}${securityPolicy(s.name, s.spec)}`,
).join('')}`;

type Json = Record<string, unknown>;
const { resources } = loadResourcesFromText(manifests, 'services.yaml');
const translated = translate(resources);
const [ir] = translated.xdsIR;
if (ir === undefined) throw new Error('no xDS IR');
const bootstrap = bootstrapToJson(translateBootstrap(ir)) as Json;
const clusters = (bootstrap.staticResources as { clusters: Json[] }).clusters;
const json = JSON.stringify(bootstrap);

const clusterOf = (prefix: string): Json => {
  const found = clusters.find((c) => String(c.name).startsWith(prefix));
  if (!found) throw new Error(`no cluster ${prefix}: ${clusters.map((c) => c.name).join(', ')}`);
  return found;
};

/** The retry policy the filter of `name` gives its own requests. */
const filterRetry = (name: string, filterName: string): unknown => {
  const re = new RegExp(`"name":"${filterName}[^"]*${name}[^"]*".*?"typedConfig":(\\{.*)`);
  const text = re.exec(json)?.[1] ?? json;
  return /"retryPolicy":(\{[^{}]*(\{[^{}]*(\{[^{}]*\}[^{}]*)*\}[^{}]*)*\})/.exec(text)?.[1];
};

describe('SecurityPolicy services take backendSettings as a BackendTrafficPolicy would', () => {
  it('every policy is accepted', () => {
    const accepted = Object.fromEntries(
      translated.statuses
        .filter((s) => s.kind === 'SecurityPolicy' || s.kind === 'BackendTrafficPolicy')
        .map((s) => {
          const status = s.status as { ancestors?: { conditions: Json[] }[] };
          const cond = status.ancestors?.[0]?.conditions.find((c) => c.type === 'Accepted');
          return [s.metadata.name, `${String(cond?.status)} ${String(cond?.message)}`];
        }),
    );
    const all = ['btp', ...SERVICES.map((s) => s.name)];
    expect(Object.keys(accepted).sort()).toEqual(all.sort());
    for (const name of all) expect(accepted[name], name).toMatch(/^True /);
  });

  const btp = routeClusterSettings(clusterOf('httproute/default/btp/'));

  it('the BackendTrafficPolicy sets every group on its route cluster', () => {
    for (const key of [
      'circuitBreakers',
      'perConnectionBufferLimitBytes',
      'preconnectPolicy',
      'healthChecks',
      'outlierDetection',
      'commonLbConfig',
      'lbPolicy',
      'transportSocket',
      'upstreamConnectionOptions',
      'connectTimeout',
    ])
      expect(Object.keys(btp), key).toContain(key);
    expect(JSON.stringify(btp.protocolOptions)).toContain('maxConnectionDuration');
  });

  it('each service cluster carries the settings of a BackendTrafficPolicy', () => {
    for (const s of SERVICES)
      expect(clusterSettings(clusterOf(`securitypolicy/default/${s.name}/`)), s.kind).toEqual(btp);
  });

  it.each(SERVICES)('the $kind filter retries as Envoy Gateway does', (s) => {
    // buildNonRouteRetryPolicy: triggers, count and back-off; no per-try timeout or status codes.
    const retry = JSON.parse(String(filterRetry(s.name, s.filter))) as Json;
    expect(retry).toEqual({
      retryOn: 'connect-failure,reset',
      numRetries: 3,
      retryBackOff: { baseInterval: '1s', maxInterval: '4s' },
    });
  });

  it('Envoy loads it all', async () => {
    for (const s of SERVICES) clusterOf(`securitypolicy/default/${s.name}/`);
    const result = await validateEnvoyConfig(JSON.parse(json) as object);
    expect(result.output).toBe(result.valid ? result.output : '');
    expect(result.valid).toBe(true);
  }, 120_000);
});
