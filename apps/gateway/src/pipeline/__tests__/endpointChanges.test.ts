// Endpoint-only changes: only the Gateways whose routes reach the changed Service get a snapshot,
// only ClusterLoadAssignments change in it, and what is served equals a full translation's output.
import type { Resources } from '@egts/api';
import { TypeUrl, UPDATE_ORDER } from '@egts/xds-server';
import { describe, expect, it } from 'vitest';
import { fresh, load, setup, versions } from './pipelineHarness.js';

/** How many snapshots so far took the endpoint-only path. */
const endpointOnly = (logged: (...texts: string[]) => number) => logged('endpoint-only update');

const service = (name: string, addresses: string[], ready = true) => `---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: default}
spec: {ports: [{name: http, port: 8080}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${name}-1, namespace: default, labels: {kubernetes.io/service-name: ${name}}}
addressType: IPv4
endpoints: [${addresses.map((a) => `{addresses: [${a}], conditions: {ready: ${ready}}}`).join(', ')}]
ports: [{name: http, port: 8080}]
`;
const gateways = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: a, namespace: default}
spec: {gatewayClassName: eg, listeners: [{name: http, protocol: HTTP, port: 80}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: b, namespace: default}
spec: {gatewayClassName: eg, listeners: [{name: http, protocol: HTTP, port: 80}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: split, namespace: default}
spec:
  parentRefs: [{name: a}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /split}}]
    backendRefs: [{name: app, port: 8080, weight: 3}, {name: other, port: 8080, weight: 1}]
    filters: [{type: RequestMirror, requestMirror: {backendRef: {name: app, port: 8080}}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: plain, namespace: default}
spec:
  parentRefs: [{name: a}]
  rules: [{backendRefs: [{name: other, port: 8080}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: on-b, namespace: default}
spec:
  parentRefs: [{name: b}]
  rules: [{backendRefs: [{name: other, port: 8080}]}]
`;

describe('endpoint-only changes', () => {
  it('push only the changed ClusterLoadAssignments, to the Gateways that use them', () => {
    const { push, cache, sets, pipeline, logged } = setup();
    const before = load(gateways + service('app', ['10.0.0.1']) + service('other', ['10.0.1.1']));
    push(before);
    const served = versions(cache);
    sets.length = 0;

    // The same objects but the app slice, as a provider that re-reads one file gives them.
    const changed = load(service('app', ['10.0.0.2', '10.0.0.3'])).endpointSlices[0]!;
    const after: Resources = {
      ...before,
      endpointSlices: before.endpointSlices.map((s) => (s.metadata.name === 'app-1' ? changed : s)),
    };
    push(after);

    expect(endpointOnly(logged)).toBe(1);
    expect(sets).toEqual(['default/a']); // b's route does not reach app
    const now = versions(cache);
    const a = 'default/a';
    for (const type of UPDATE_ORDER) {
      const changedNames = Object.keys(now[a]![type]!).filter(
        (n) => now[a]![type]![n] !== served[a]![type]![n],
      );
      if (type === TypeUrl.ClusterLoadAssignment) expect(changedNames.length).toBeGreaterThan(0);
      else expect(changedNames).toEqual([]);
    }
    const full = fresh(after);
    expect(now).toEqual(full.versions);
    expect(pipeline.statuses$.value).toEqual(full.statuses);
    expect([...pipeline.xdsIR]).toEqual([...full.ir]);
    pipeline.stop();
  });

  it('translate everything when endpoints change a status (a backend left without endpoints)', () => {
    const { push, cache, pipeline, logged } = setup();
    const before = load(gateways + service('app', ['10.0.0.1']) + service('other', ['10.0.1.1']));
    push(before);
    const gone = load(service('app', ['10.0.0.1'], false)).endpointSlices[0]!;
    const after: Resources = {
      ...before,
      endpointSlices: before.endpointSlices.map((s) => (s.metadata.name === 'app-1' ? gone : s)),
    };
    push(after);
    expect(endpointOnly(logged)).toBe(0);
    const full = fresh(after);
    expect(pipeline.statuses$.value).toEqual(full.statuses);
    expect(JSON.stringify(full.statuses)).toContain('EndpointsNotFound');
    expect(versions(cache)).toEqual(full.versions);
    pipeline.stop();
  });

  it('translate everything when anything else changed too, and do nothing when nothing did', () => {
    const { push, cache, sets, pipeline, logged } = setup();
    const before = load(gateways + service('app', ['10.0.0.1']) + service('other', ['10.0.1.1']));
    push(before);
    const after = load(
      gateways.replace('value: /split', 'value: /moved') +
        service('app', ['10.0.0.9']) +
        service('other', ['10.0.1.1']),
    );
    push(after);
    expect(endpointOnly(logged)).toBe(0);
    expect(versions(cache)).toEqual(fresh(after).versions);

    sets.length = 0;
    push({ ...after, endpointSlices: [...after.endpointSlices] });
    expect(sets).toEqual([]);
    pipeline.stop();
  });

  it('follow several endpoint-only changes in a row, then a full translation, consistently', () => {
    const { push, cache, pipeline, logged } = setup();
    let resources = load(gateways + service('app', ['10.0.0.1']) + service('other', ['10.0.1.1']));
    push(resources);
    for (const [name, address] of [
      ['other', '10.0.1.2'],
      ['app', '10.0.0.5'],
      ['other', '10.0.1.3'],
    ] as const) {
      const slice = load(service(name, [address])).endpointSlices[0]!;
      resources = {
        ...resources,
        endpointSlices: resources.endpointSlices.map((s) =>
          s.metadata.name === `${name}-1` ? slice : s,
        ),
      };
      push(resources);
      expect(versions(cache)).toEqual(fresh(resources).versions);
    }
    expect(endpointOnly(logged)).toBe(3);
    // A full translation of the same content finds nothing to push.
    const sets: string[] = [];
    const original = cache.setSnapshot.bind(cache);
    cache.setSnapshot = (group, snapshot) => {
      sets.push(group);
      original(group, snapshot);
    };
    push(load(gateways + service('app', ['10.0.0.5']) + service('other', ['10.0.1.3'])));
    expect(sets).toEqual([]);
    pipeline.stop();
  });
});
