// The extension server's kinds (EnvoyGateway extensionManager) reaching the xDS IR: an
// extensionRef filter of a registered kind puts the object on the rule's IR routes (for its
// PostRouteModify), a missing one answers 500 with ResolvedRefs=False as a missing
// HTTPRouteFilter does, an unregistered kind stays an unknown filter, and a policy of a
// registered kind targeting a Gateway is its fleet's extensionServerPolicies.
import { loadResourcesFromText } from '@egts/api';
import { describe, expect, it } from 'vitest';
import { type TranslateOptions, translate } from '../index.js';
import { BASE, conds } from './translateYaml.js';

const EXTENSION_KINDS = new Set(['example.io/Filter', 'example.io/Policy']);
const options: TranslateOptions = {
  extensionManager: {
    resources: [{ group: 'example.io', kind: 'Filter' }],
    policyResources: [{ group: 'example.io', kind: 'Policy' }],
  },
};

const yaml = (filterName: string) => `${BASE}---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: eg, namespace: default }
spec:
  gatewayClassName: envoy-gateway-class
  listeners:
  - { name: http, port: 80, protocol: HTTP }
  - { name: other, port: 81, protocol: HTTP }
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: app, namespace: default }
spec:
  parentRefs: [{ name: eg, sectionName: http }]
  rules:
  - filters: [{ type: ExtensionRef, extensionRef: { group: example.io, kind: Filter, name: ${filterName} } }]
    backendRefs: [{ name: service-1, port: 8080 }]
---
apiVersion: example.io/v1
kind: Filter
metadata: { name: f, namespace: default }
spec: { anything: [1, 2] }
---
apiVersion: example.io/v1
kind: Policy
metadata: { name: p, namespace: default }
spec: { targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: eg, sectionName: other }] }
---
apiVersion: example.io/v1
kind: Policy
metadata: { name: on-route, namespace: default }
spec: { targetRefs: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, name: app }] }
---
apiVersion: example.io/v1
kind: Policy
metadata: { name: elsewhere, namespace: default }
spec: { targetRef: { group: gateway.networking.k8s.io, kind: Gateway, name: not-eg } }
`;

const load = (text: string) =>
  loadResourcesFromText(text, 'test.yaml', { lenient: true, extensionKinds: EXTENSION_KINDS });

describe('extension server kinds', () => {
  it('are read unstructured by the loader', () => {
    const { resources, problems } = load(yaml('f'));
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(resources.extensionResources?.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Filter/f',
      'Policy/p',
      'Policy/on-route',
      'Policy/elsewhere',
    ]);
    expect(resources.extensionResources?.[0]?.spec).toEqual({ anything: [1, 2] });
  });

  it('reach the IR: the filter on its routes, the policy with the listeners it targets', () => {
    const { xdsIR } = translate(load(yaml('f')).resources, options);
    const [fleet] = xdsIR;
    const routes = fleet?.http.flatMap((l) => l.routes) ?? [];
    expect(
      routes.map((r) => r.extensionRefs?.map((o) => (o.metadata as { name: string }).name)),
    ).toEqual([['f']]);
    expect(routes[0]?.destination).toBeDefined();
    expect(routes[0]?.extensionPolicies?.map((o) => (o.metadata as { name: string }).name)).toEqual(
      ['on-route'],
    );
    expect(
      fleet?.extensionServerPolicies?.map((p) => [
        (p.object.metadata as { name: string }).name,
        p.listeners,
      ]),
    ).toEqual([['p', ['default/eg/other']]]);
  });

  it('a missing filter object answers 500 and is an unresolved reference', () => {
    const { xdsIR, statuses } = translate(load(yaml('missing')).resources, options);
    const route = xdsIR[0]?.http.flatMap((l) => l.routes)[0];
    expect(route?.directResponse).toEqual({ statusCode: 500 });
    const status = statuses.find((s) => s.kind === 'HTTPRoute');
    const parents =
      (status?.status as { parents?: { conditions: never[] }[] } | undefined)?.parents ?? [];
    expect(conds(parents[0]?.conditions).ResolvedRefs).toBe('False/UnsupportedValue');
  });

  it('without an extension manager, the kind is an unknown filter and no policy is attached', () => {
    const { xdsIR, statuses } = translate(load(yaml('f')).resources);
    const routes = xdsIR[0]?.http.flatMap((l) => l.routes) ?? [];
    expect(routes.every((r) => r.extensionRefs === undefined)).toBe(true);
    expect(xdsIR[0]?.extensionServerPolicies).toBeUndefined();
    const status = statuses.find((s) => s.kind === 'HTTPRoute');
    const parents =
      (status?.status as { parents?: { conditions: never[] }[] } | undefined)?.parents ?? [];
    expect(conds(parents[0]?.conditions).Accepted).toBe('False/UnsupportedValue');
  });
});
