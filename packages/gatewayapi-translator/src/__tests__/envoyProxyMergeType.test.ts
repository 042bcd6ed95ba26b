// EnvoyProxy mergeType: a Gateway's own EnvoyProxy replaces its GatewayClass's unless mergeType
// asks to merge onto it (JSONMerge, StrategicMerge); what the fleet runs with (Infra IR) and how
// its routes reach their backends (routingType, xDS IR) show which settings won.
import { loadResourcesFromText } from '@egts/api';
import { describe, expect, it } from 'vitest';
import { translate } from '../index.js';

const text = (mergeType: string | undefined) => `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyProxy
metadata: {name: class-proxy, namespace: envoy-gateway-system}
spec:
  routingType: Service
  concurrency: 2
  logging: {level: {default: info, upstream: debug}}
  extraArgs: [--service-zone, class]
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyProxy
metadata: {name: own, namespace: default}
spec:
${mergeType ? `  mergeType: ${mergeType}\n` : ''}  concurrency: 4
  logging: {level: {upstream: warn}}
  extraArgs: [--service-zone, own]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec:
  controllerName: gateway.envoyproxy.io/gatewayclass-controller
  parametersRef: {group: gateway.envoyproxy.io, kind: EnvoyProxy, name: class-proxy, namespace: envoy-gateway-system}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: eg
  infrastructure: {parametersRef: {group: gateway.envoyproxy.io, kind: EnvoyProxy, name: own}}
  listeners: [{name: http, protocol: HTTP, port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: svc, namespace: default}
spec: {clusterIP: 10.96.0.9, ports: [{name: http, port: 8080}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: svc-1, namespace: default, labels: {kubernetes.io/service-name: svc}}
addressType: IPv4
endpoints: [{addresses: [10.0.0.1], conditions: {ready: true}}]
ports: [{name: http, port: 8080}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: route, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: svc, port: 8080}]}]
`;

const run = (mergeType: string | undefined) => {
  const { resources, problems } = loadResourcesFromText(text(mergeType), 'merge.yaml');
  expect(problems).toEqual([]);
  const result = translate(resources);
  const endpoints = result.xdsIR[0]?.http[0]?.routes[0]?.destination?.settings[0]?.endpoints;
  const ownStatus = result.statuses.find(
    (s) => s.kind === 'EnvoyProxy' && s.metadata.name === 'own',
  )?.status as {
    ancestors: { ancestorRef: { kind: string }; conditions: { type: string; status: string }[] }[];
  };
  return {
    spec: result.infraIR.proxies[0]?.envoyProxy,
    hosts: endpoints?.map((e) => e.host),
    ownAncestors: ownStatus.ancestors.map((a) => [
      a.ancestorRef.kind,
      a.conditions.find((c) => c.type === 'Accepted')?.status,
    ]),
  };
};

describe('EnvoyProxy mergeType', () => {
  it('without it, the Gateway EnvoyProxy replaces the class one', () => {
    const { spec, hosts, ownAncestors } = run(undefined);
    expect(spec).toEqual({
      concurrency: 4,
      logging: { level: { upstream: 'warn' } },
      extraArgs: ['--service-zone', 'own'],
    });
    expect(hosts).toEqual(['10.0.0.1']);
    expect(ownAncestors).toEqual([['Gateway', 'True']]);
  });

  it('JSONMerge and StrategicMerge merge it onto the class one: objects merge, lists and scalars are replaced', () => {
    for (const mergeType of ['JSONMerge', 'StrategicMerge']) {
      const { spec, hosts, ownAncestors } = run(mergeType);
      expect(spec).toEqual({
        routingType: 'Service',
        concurrency: 4,
        logging: { level: { default: 'info', upstream: 'warn' } },
        extraArgs: ['--service-zone', 'own'],
      });
      // The class's routingType Service reaches the route: the Service's cluster IP.
      expect(hosts).toEqual(['10.96.0.9']);
      expect(ownAncestors).toEqual([['Gateway', 'True']]);
    }
  });
});
