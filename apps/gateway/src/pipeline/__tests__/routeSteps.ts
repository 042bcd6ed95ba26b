// Route-only changes followed step by step through a pipeline, each step checked against a
// pipeline that only ever saw that step's input (xDS served, IR, statuses).
import type { ResourceStatus, Resources } from '@egts/api';
import { expect } from 'vitest';
import { fresh, load, setup, versions } from './pipelineHarness.js';

/** A GatewayClass, a Service with endpoints, and Gateways a, b and c with one HTTP listener. */
export const base = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: v1
kind: Service
metadata: {name: app, namespace: default}
spec: {ports: [{name: http, port: 8080}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: app-1, namespace: default, labels: {kubernetes.io/service-name: app}}
addressType: IPv4
endpoints: [{addresses: [10.0.0.1], conditions: {ready: true}}]
ports: [{name: http, port: 8080}]
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
kind: Gateway
metadata: {name: c, namespace: default}
spec: {gatewayClassName: eg, listeners: [{name: http, protocol: HTTP, port: 80}]}
`;
export const route = (name: string, parents: string[], prefix: string, backend = 'app') => `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: default}
spec:
  parentRefs: [${parents.map((p) => `{name: ${p}}`).join(', ')}]
  rules: [{matches: [{path: {type: PathPrefix, value: ${prefix}}}], backendRefs: [{name: ${backend}, port: 8080}]}]
`;

const bySortedKey = <T extends { kind: string; metadata: { name: string; namespace?: string } }>(
  list: readonly T[],
) =>
  [...list].sort((x, y) => {
    const kx = `${x.kind}/${x.metadata.namespace}/${x.metadata.name}`;
    const ky = `${y.kind}/${y.metadata.namespace}/${y.metadata.name}`;
    return kx < ky ? -1 : kx > ky ? 1 : 0;
  });

/** `next` with every object equal to one of `previous` replaced by it, as providers keep them. */
const keepIdentity = (previous: Resources, next: Resources): Resources => {
  const keep = (now: unknown[], was: unknown[]) => {
    const byText = new Map(was.map((w) => [JSON.stringify(w), w]));
    return now.map((o) => byText.get(JSON.stringify(o)) ?? o);
  };
  return Object.fromEntries(
    Object.entries(next).map(([k, v]) => [
      k,
      keep(v as unknown[], previous[k as keyof Resources] as unknown[]),
    ]),
  ) as unknown as Resources;
};

/** Applies each input in turn and checks the served state against a full translation. */
export function follow(
  steps: { text: string; touched?: string[] }[],
  first = load(base + route('r1', ['a'], '/one') + route('r2', ['b'], '/two')),
) {
  const { push, cache, sets, pipeline, logged } = setup();
  const incremental = () => logged('route-only update');
  push(first);
  let previous = first;
  const statuses: (readonly ResourceStatus[])[] = [];
  for (const [i, step] of steps.entries()) {
    const resources = keepIdentity(previous, load(step.text));
    sets.length = 0;
    push(resources);
    expect(incremental(), `step ${i} took the incremental path`).toBe(i + 1);
    if (step.touched !== undefined) expect(sets.sort(), `step ${i} pushed`).toEqual(step.touched);
    const full = fresh(resources);
    expect(versions(cache), `step ${i} xDS`).toEqual(full.versions);
    expect([...pipeline.xdsIR].sort(), `step ${i} IR`).toEqual([...full.ir].sort());
    expect(bySortedKey(pipeline.statuses$.value), `step ${i} statuses`).toEqual(
      bySortedKey(full.statuses),
    );
    statuses.push(pipeline.statuses$.value);
    previous = resources;
  }
  pipeline.stop();
  return { spliced: logged('route-only update', '"spliced":true'), statuses };
}
