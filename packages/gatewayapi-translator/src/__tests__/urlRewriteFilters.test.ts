// URL rewrites of one HTTPRoute rule. Gateway API (HTTPRouteRule.filters): a core filter type
// appears at most once per rule. Envoy Gateway's HTTPRouteFilter `urlRewrite` (hostname from a
// header, the backend or the path; path by regex) may complement a core URLRewrite, as long as the
// two do not rewrite the same part of the request: Envoy rewrites the host once and the path once.
import { describe, expect, it } from 'vitest';
import { conds, statusesOf } from './translateYaml.js';

const route = (filters: string) => `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: default }
spec:
  gatewayClassName: envoy-gateway-class
  listeners: [{ name: http, protocol: HTTP, port: 80 }]
---
apiVersion: v1
kind: Service
metadata: { name: service-1, namespace: default }
spec: { ports: [{ port: 8080, protocol: TCP }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: service-1-a, namespace: default, labels: { kubernetes.io/service-name: service-1 } }
addressType: IPv4
ports: [{ port: 8080, protocol: TCP }]
endpoints: [{ addresses: [10.0.0.1], conditions: { ready: true } }]
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: HTTPRouteFilter
metadata: { name: host-from-header, namespace: default }
spec:
  urlRewrite:
    hostname: { type: Header, header: my-host }
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: route, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  rules:
  - matches: [{ path: { type: PathPrefix, value: /app } }]
    backendRefs: [{ name: service-1, port: 8080 }]
    filters:
${filters}
`;

const accepted = (yaml: string) =>
  conds(statusesOf(yaml)('HTTPRoute', 'route').parents[0]?.conditions).Accepted;

const HOST_FILTER = `    - type: ExtensionRef
      extensionRef: { group: gateway.envoyproxy.io, kind: HTTPRouteFilter, name: host-from-header }`;

describe('URL rewrites of a rule', () => {
  it('a host rewrite (HTTPRouteFilter) then a core path rewrite: accepted', () => {
    expect(
      accepted(
        route(`${HOST_FILTER}
    - type: URLRewrite
      urlRewrite: { path: { type: ReplacePrefixMatch, replacePrefixMatch: /new } }`),
      ),
    ).toBe('True/Accepted');
  });

  it('a host rewrite (HTTPRouteFilter) then a core host rewrite: refused', () => {
    expect(
      accepted(
        route(`${HOST_FILTER}
    - type: URLRewrite
      urlRewrite: { hostname: example.com }`),
      ),
    ).toBe('False/UnsupportedValue');
  });

  it('two core URLRewrite filters: refused', () => {
    expect(
      accepted(
        route(`    - type: URLRewrite
      urlRewrite: { hostname: example.com }
    - type: URLRewrite
      urlRewrite: { path: { type: ReplacePrefixMatch, replacePrefixMatch: /new } }`),
      ),
    ).toBe('False/UnsupportedValue');
  });
});
