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
    // In one order (group, kind, namespace, name), not the files'.
    expect(resources.extensionResources?.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Filter/f',
      'Policy/elsewhere',
      'Policy/on-route',
      'Policy/p',
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

// Custom backends (extensionManager.backendResources): as Envoy Gateway's processDestination,
// the object joins the rule's extensionRefs and its destination setting (no endpoints, for
// PostClusterModify); a missing one is BackendNotFound; unregistered, the kind is invalid.
describe('custom backends', () => {
  const backendOptions: TranslateOptions = {
    extensionManager: { backendResources: [{ group: 'storage.example.io', kind: 'Bucket' }] },
  };
  const backendYaml = (name: string, weight = 1) => `${BASE}---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: eg, namespace: default }
spec:
  gatewayClassName: envoy-gateway-class
  listeners: [{ name: http, port: 80, protocol: HTTP }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: app, namespace: default }
spec:
  parentRefs: [{ name: eg }]
  rules:
  - backendRefs: [{ group: storage.example.io, kind: Bucket, name: ${name}, weight: ${weight} }]
---
apiVersion: storage.example.io/v1
kind: Bucket
metadata: { name: b, namespace: default }
spec: { region: here }
`;
  const loadBackends = (text: string) =>
    loadResourcesFromText(text, 'test.yaml', {
      lenient: true,
      extensionKinds: new Set(['storage.example.io/Bucket']),
    });
  const routeConditions = (statuses: ReturnType<typeof translate>['statuses']) => {
    const status = statuses.find((s) => s.kind === 'HTTPRoute');
    const parents =
      (status?.status as { parents?: { conditions: never[] }[] } | undefined)?.parents ?? [];
    return conds(parents[0]?.conditions);
  };

  it('become a destination setting carrying the object, and the route extensionRefs', () => {
    const { xdsIR, statuses } = translate(loadBackends(backendYaml('b')).resources, backendOptions);
    const route = xdsIR[0]?.http.flatMap((l) => l.routes)[0];
    expect(route?.directResponse).toBeUndefined();
    const [setting] = route?.destination?.settings ?? [];
    expect(setting?.endpoints).toEqual([]);
    expect(setting?.customBackend?.spec).toEqual({ region: 'here' });
    expect(route?.extensionRefs?.map((o) => o.kind)).toEqual(['Bucket']);
    expect(routeConditions(statuses).ResolvedRefs).toBe('True/ResolvedRefs');
  });

  it('a missing object is BackendNotFound and answers 500', () => {
    const { xdsIR, statuses } = translate(
      loadBackends(backendYaml('missing')).resources,
      backendOptions,
    );
    const route = xdsIR[0]?.http.flatMap((l) => l.routes)[0];
    expect(route?.directResponse).toEqual({ statusCode: 500 });
    expect(routeConditions(statuses).ResolvedRefs).toBe('False/BackendNotFound');
  });

  it('a weight of 0 needs no object; unregistered, the kind is invalid', () => {
    const zero = translate(loadBackends(backendYaml('missing', 0)).resources, backendOptions);
    expect(routeConditions(zero.statuses).ResolvedRefs).toBe('True/ResolvedRefs');
    const { statuses } = translate(loadBackends(backendYaml('b')).resources);
    expect(routeConditions(statuses).ResolvedRefs).toBe('False/InvalidKind');
  });
});
