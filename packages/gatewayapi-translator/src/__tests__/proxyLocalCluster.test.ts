// TranslateOptions.proxyLocality: each fleet's IR holds its proxies by zone, the endpoints of its
// proxy Service (the one the infra-manager labels with the fleet's owner), also when only those
// endpoints change.
import { loadResourcesFromText } from '@egts/api';
import { describe, expect, it } from 'vitest';
import { createTranslator, translate } from '../index.js';

const NS = 'envoy-gateway-system';

const manifests = (fleet: string) => `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec: {gatewayClassName: eg, listeners: [{name: http, protocol: HTTP, port: 80}]}
---
apiVersion: v1
kind: Service
metadata:
  name: envoy-default-gw-0123abcd
  namespace: ${NS}
  labels:
    app.kubernetes.io/component: proxy
    gateway.envoyproxy.io/owning-gateway-name: gw
    gateway.envoyproxy.io/owning-gateway-namespace: default
spec: {ports: [{name: http-80, port: 80, targetPort: 10080}]}
---
apiVersion: v1
kind: Service
metadata: {name: look-alike, namespace: default, labels: {app.kubernetes.io/component: proxy}}
spec: {ports: [{name: http-80, port: 80}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: envoy-1, namespace: ${NS}, labels: {kubernetes.io/service-name: envoy-default-gw-0123abcd}}
addressType: IPv4
endpoints: [${fleet}]
ports: [{name: http-80, port: 10080}]
`;

const TWO_ZONES =
  '{addresses: [10.0.0.1], zone: a, conditions: {ready: true}}, {addresses: [10.0.0.2], zone: b, conditions: {ready: true}}';
const load = (text: string) => loadResourcesFromText(text, 'fleet.yaml').resources;
const options = { proxyLocality: { serviceNamespace: NS } };

describe('proxyLocality', () => {
  it("gives each fleet its proxy Service's endpoints by zone", () => {
    const ir = translate(load(manifests(TWO_ZONES)), options).xdsIR[0];
    expect(ir?.localCluster).toEqual({
      endpoints: [
        { host: '10.0.0.1', port: 10080, ready: true, zone: 'a' },
        { host: '10.0.0.2', port: 10080, ready: true, zone: 'b' },
      ],
    });
    // Without it (host mode, or no zone-aware proxies), none.
    expect(translate(load(manifests(TWO_ZONES))).xdsIR[0]?.localCluster).toBeUndefined();
  });

  it('follows the proxy endpoints when only they change', () => {
    const translator = createTranslator(options);
    const first = load(manifests(TWO_ZONES));
    translator.update(first);
    const moved = load(manifests('{addresses: [10.0.0.3], zone: c, conditions: {ready: true}}'));
    const next = { ...first, endpointSlices: moved.endpointSlices };
    const update = translator.update(next);
    expect([...update.xdsIR.values()]).toEqual(translate(next, options).xdsIR);
    expect([...update.xdsIR.values()][0]?.localCluster?.endpoints.map((e) => e.zone)).toEqual([
      'c',
    ]);
  });
});
