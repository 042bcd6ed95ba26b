// A rule attached to two listeners whose settings reach its clusters differently (a
// ClientTrafficPolicy keeping header case on one): each listener's destination has a name, and so
// a cluster, of its own; where they are equal they keep sharing the rule's.
import { loadResourcesFromText } from '@egts/api';
import { describe, expect, it } from 'vitest';
import { translate } from '../index.js';

const manifests = (sectionName: string) => `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: eg
  listeners:
  - {name: lower, protocol: HTTP, port: 8001}
  - {name: keep, protocol: HTTP, port: 8002}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: ClientTrafficPolicy
metadata: {name: keep-case, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: gw${sectionName}}]
  http1: {preserveHeaderCase: true}
---
apiVersion: v1
kind: Service
metadata: {name: echo, namespace: default}
spec: {ports: [{name: http, port: 8080}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: both, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: echo, port: 8080}, {name: echo, port: 8080}]}]
`;

const destinations = (text: string) => {
  const ir = translate(loadResourcesFromText(text, 'listeners.yaml').resources).xdsIR[0]!;
  return ir.http.map((l) => {
    const d = l.routes[0]!.destination!;
    return [d.name, d.settings.map((s) => s.name), d.preserveHeaderCase === true];
  });
};

describe('route destinations by listener', () => {
  it('names the variant of a listener whose settings differ after that listener', () => {
    expect(destinations(manifests(', sectionName: keep'))).toEqual([
      [
        'httproute/default/both/rule/0',
        ['httproute/default/both/rule/0/backend/0', 'httproute/default/both/rule/0/backend/1'],
        false,
      ],
      [
        'httproute/default/both/rule/0/default/gw/keep',
        [
          'httproute/default/both/rule/0/default/gw/keep/backend/0',
          'httproute/default/both/rule/0/default/gw/keep/backend/1',
        ],
        true,
      ],
    ]);
  });

  it('keeps one name where the listeners agree', () => {
    const names = destinations(manifests('')).map(([name]) => name);
    expect(names).toEqual(['httproute/default/both/rule/0', 'httproute/default/both/rule/0']);
  });
});
