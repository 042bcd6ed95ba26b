// EnvoyProxy settings that shape the xDS of its fleet, through real Envoy: preserveRouteOrder,
// ipFamily and filterOrder. Two Gateways with the same routes and policies, one parametrised by
// an EnvoyProxy, the other with the defaults; each fleet's translated bootstrap runs in an Envoy
// of its own, with a local echo backend.

import { createServer, request, type Server } from 'node:http';
import { loadResourcesFromText, type ResourceStatus } from '@egts/api';
import { type EnvoyHandle, startEnvoy } from '@egts/envoy-binary';
import { translate } from '@egts/gatewayapi-translator';
import { bootstrapToJson, translateBootstrap } from '@egts/xds-translator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../internal/freePort.js';

interface Reply {
  status: number;
  /** The request headers the backend saw, when it answered. */
  seen: Record<string, string>;
}

const get = (host: string, port: number, path: string): Promise<Reply> =>
  new Promise((resolve, reject) => {
    const req = request({ host, port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => {
        let seen: Record<string, string> = {};
        try {
          seen = (JSON.parse(body) as { headers: Record<string, string> }).headers;
        } catch {}
        resolve({ status: res.statusCode ?? 0, seen });
      });
    });
    req.on('error', reject);
    req.end();
  });

const ns = 'default';

/** A Gateway, its route (a catch-all rule before a specific one) and policies on the route. */
const fleet = (name: string, port: number, backendPort: number, parameters: string) => `---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ${name}, namespace: ${ns}}
spec:
  gatewayClassName: eg
${parameters}  listeners: [{name: http, protocol: HTTP, port: ${port}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: ${ns}}
spec:
  parentRefs: [{name: ${name}}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /}}]
    filters: [{type: RequestHeaderModifier, requestHeaderModifier: {add: [{name: matched-rule-prefix, value: /}]}}]
    backendRefs: [{name: echo, port: ${backendPort}}]
  - matches: [{path: {type: PathPrefix, value: /specific}}]
    filters: [{type: RequestHeaderModifier, requestHeaderModifier: {add: [{name: matched-rule-prefix, value: /specific}]}}]
    backendRefs: [{name: echo, port: ${backendPort}}]
---
# Named to sort before the route above: in written order its catch-all rule would take /guarded.
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: guarded-${name}, namespace: ${ns}}
spec:
  parentRefs: [{name: ${name}}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /guarded}}]
    backendRefs: [{name: echo, port: ${backendPort}}]
---
# Fault injection aborts every request; basic auth refuses those without credentials. Which one
# answers shows which filter runs first.
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: {name: ${name}-fault, namespace: ${ns}}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: guarded-${name}}]
  faultInjection: {abort: {httpStatus: 503, percentage: 100}}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: {name: ${name}-basic, namespace: ${ns}}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: guarded-${name}}]
  basicAuth: {users: {name: users}}
`;

describe('[envoy] EnvoyProxy settings through translated bootstraps', () => {
  let backend: Server;
  const envoys: EnvoyHandle[] = [];
  let statuses: readonly ResourceStatus[] = [];
  let tuned = 0;
  let plain = 0;

  beforeAll(async () => {
    const backendPort = await freePort();
    tuned = await freePort();
    plain = await freePort();
    backend = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end(JSON.stringify({ headers: req.headers })));
    });
    await new Promise<void>((resolve) => backend.listen(backendPort, '127.0.0.1', resolve));
    const text = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyProxy
metadata: {name: tuned, namespace: ${ns}}
spec:
  preserveRouteOrder: true
  ipFamily: DualStack
  filterOrder:
  - {name: envoy.filters.http.basic_auth, before: envoy.filters.http.fault}
---
apiVersion: v1
kind: Secret
metadata: {name: users, namespace: ${ns}}
stringData:
  .htpasswd: "user1:{SHA}tESsBmE/yNY3lb6a0L6vVQEZNqw=\\n"
---
apiVersion: v1
kind: Service
metadata: {name: echo, namespace: ${ns}}
spec: {ports: [{name: http, port: ${backendPort}}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: echo-1, namespace: ${ns}, labels: {kubernetes.io/service-name: echo}}
addressType: IPv4
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
ports: [{name: http, port: ${backendPort}}]
${fleet('tuned', tuned, backendPort, '  infrastructure: {parametersRef: {group: gateway.envoyproxy.io, kind: EnvoyProxy, name: tuned}}\n')}${fleet('plain', plain, backendPort, '')}`;
    const { resources, problems } = loadResourcesFromText(text, 'envoy-proxy-settings.yaml');
    if (problems.length > 0) throw new Error(JSON.stringify(problems));
    const result = translate(resources);
    statuses = result.statuses;
    for (const ir of result.xdsIR) {
      const envoy = startEnvoy({
        config: bootstrapToJson(translateBootstrap(ir)) as object,
        logLevel: 'warn',
      });
      envoys.push(envoy);
    }
    await Promise.all(envoys.map((envoy) => envoy.ready(60_000)));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(envoys.map((envoy) => envoy.stop()));
    await new Promise((resolve) => backend?.close(resolve));
  });

  it('accepts the EnvoyProxy', () => {
    const status = statuses.find((s) => s.kind === 'EnvoyProxy')?.status as {
      ancestors: { conditions: { type: string; reason: string; message: string }[] }[];
    };
    expect(status.ancestors[0]?.conditions.find((c) => c.type === 'Accepted')).toMatchObject({
      reason: 'Accepted',
    });
  });

  it('keeps HTTPRoute rules in the order written with preserveRouteOrder', async () => {
    // Gateway API precedence: the longer prefix wins.
    const ranked = await get('127.0.0.1', plain, '/specific/foo');
    expect(ranked.seen['matched-rule-prefix']).toBe('/specific');
    // Written order: the catch-all comes first.
    const preserved = await get('127.0.0.1', tuned, '/specific/foo');
    expect(preserved.status).toBe(200);
    expect(preserved.seen['matched-rule-prefix']).toBe('/');
  });

  it('serves IPv6 and IPv4 clients with ipFamily DualStack', async () => {
    expect((await get('::1', tuned, '/')).status).toBe(200);
    expect((await get('127.0.0.1', tuned, '/')).status).toBe(200);
    // IPv4 (the default) binds 0.0.0.0 only.
    await expect(get('::1', plain, '/')).rejects.toThrow();
  });

  it('moves an HTTP filter with filterOrder', async () => {
    // Default chain: fault injection runs before basic auth.
    expect((await get('127.0.0.1', plain, '/guarded')).status).toBe(503);
    // Basic auth moved before it: the request without credentials is refused first.
    expect((await get('127.0.0.1', tuned, '/guarded')).status).toBe(401);
  });
});
