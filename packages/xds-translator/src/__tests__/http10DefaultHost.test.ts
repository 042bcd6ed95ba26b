// HTTP/1.0's default host (ClientTrafficPolicy http1.http10.useDefaultHost) follows the routes of
// its listener: worked out when the Envoy listener is built, so an update that changes only a
// route's hostname takes the translator's route-only splice and still moves it.
import type { Resources } from '@egts/api';
import { loadResourcesFromText } from '@egts/api';
import { HttpConnectionManager, unpackAnyAs } from '@egts/envoy-api';
import { createTranslator } from '@egts/gatewayapi-translator';
import { describe, expect, it } from 'vitest';
import { translateXds } from '../index.js';

const resources = (hostname: string): Resources => {
  const { resources, problems } = loadResourcesFromText(
    `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  gatewayClassName: eg
  listeners: [{name: http, protocol: HTTP, port: 80}, {name: other, protocol: HTTP, port: 81}]
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: ClientTrafficPolicy
metadata: {name: http10, namespace: default, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: gw, sectionName: http}]
  http1: {http10: {useDefaultHost: true}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: default, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  parentRefs: [{name: gw, sectionName: http}]
  hostnames: [${hostname}]
  rules: [{backendRefs: [{name: echo, port: 8080}]}]
---
# A route on the other listener, not touched by the update.
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: other, namespace: default, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  parentRefs: [{name: gw, sectionName: other}]
  hostnames: [other.example.com]
  rules: [{matches: [{path: {type: PathPrefix, value: /other}}], backendRefs: [{name: echo, port: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: echo, namespace: default}
spec: {ports: [{name: http, port: 8080}]}
`,
    'http10.yaml',
  );
  if (problems.length > 0) throw new Error(JSON.stringify(problems));
  return resources;
};

const defaultHost = (update: ReturnType<ReturnType<typeof createTranslator>['update']>) => {
  const [ir] = update.xdsIR.values();
  if (ir === undefined) throw new Error('no xDS IR');
  const listener = translateXds(ir, { mode: 'ads' }).listeners.find((l) =>
    JSON.stringify(l.address).includes('10080'),
  );
  const chains = [
    ...(listener?.filterChains ?? []),
    ...(listener?.defaultFilterChain ? [listener.defaultFilterChain] : []),
  ];
  const hcm = chains
    .flatMap((chain) => chain.filters)
    .find((f) => f.name === 'envoy.filters.network.http_connection_manager')?.typedConfig;
  if (hcm === undefined) throw new Error('no connection manager');
  return unpackAnyAs(HttpConnectionManager, hcm).httpProtocolOptions?.defaultHostForHttp10;
};

describe('HTTP/1.0 default host', () => {
  it("follows a route's hostname on a route-only update", () => {
    const translator = createTranslator();
    expect(defaultHost(translator.update(resources('a.example.com')))).toBe('a.example.com');
    const next = translator.update(resources('b.example.com'));
    // The listener IR does not hold the host, so the route-only splice applies (when it held it,
    // the listeners differed and the whole fleet was translated again).
    expect(next.path).toBe('spliced');
    expect(defaultHost(next)).toBe('b.example.com');
  });
});
