// compareListenerRoutes gives the order translate() puts a listener's routes in: on every golden
// case, and on routes made to tie on everything but age, name, kind, rule and match.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type GRPCRoute, type HTTPRoute, loadResourcesFromText, type Resources } from '@egts/api';
import { describe, expect, it } from 'vitest';
import { translate } from '../index.js';
import {
  compareListenerRoutes,
  type ListenerRoute,
} from '../internal/incremental/listenerRouteOrder.js';

const testdata = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'testdata');
const now = new Date('2030-01-01T00:00:00Z');

/** Every HTTP listener's routes, each with its resource, in translate()'s order. */
const listenerRoutes = (resources: Resources): ListenerRoute[][] => {
  const byKey = new Map<string, HTTPRoute | GRPCRoute>();
  for (const r of [...resources.httpRoutes, ...resources.grpcRoutes]) {
    byKey.set(`${r.kind.toLowerCase()}/${r.metadata.namespace ?? 'default'}/${r.metadata.name}`, r);
  }
  return translate(resources, { now }).xdsIR.flatMap((ir) =>
    ir.http.map((listener) =>
      listener.routes.map((route) => {
        const key = route.name.split('/').slice(0, 3).join('/');
        return { ir: route, route: byKey.get(key)! };
      }),
    ),
  );
};

/** A deterministic shuffle, so a failure reproduces. */
const shuffled = <T>(items: readonly T[]): T[] => {
  const out = [...items];
  let seed = 7;
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 48271) % 2147483647;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
};

/** Checks every listener; returns how many had routes to order. */
const expectTranslatorOrder = (resources: Resources): number => {
  const listeners = listenerRoutes(resources).filter((routes) => routes.length > 1);
  for (const routes of listeners) {
    const names = routes.map((r) => r.ir.name);
    expect(
      shuffled(routes)
        .sort(compareListenerRoutes)
        .map((r) => r.ir.name),
    ).toEqual(names);
  }
  return listeners.length;
};

describe('compareListenerRoutes', () => {
  const cases = readdirSync(testdata).filter((f) => f.endsWith('.in.yaml'));
  it.each(cases)('orders the routes of %s as translate() does', (file) => {
    const text = readFileSync(join(testdata, file), 'utf8');
    const { resources } = loadResourcesFromText(text, file, { lenient: true });
    expectTranslatorOrder(resources);
  });

  it('breaks ties by age, then namespace/name, then kind, rule and match', () => {
    const docs = [
      `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}`,
      `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: eg
  listeners: [{name: http, protocol: HTTP, port: 80, allowedRoutes: {namespaces: {from: All}}}]`,
    ];
    const stamps = ['', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', '2023-06-01T00:00:00Z'];
    for (let i = 0; i < 12; i++) {
      // The HTTPRoute and the GRPCRoute of one name share a timestamp (or lack one).
      const stamp = stamps[(i % 6) % stamps.length];
      const meta = `{name: r${i % 6}, namespace: ns${i % 2}${stamp ? `, creationTimestamp: "${stamp}"` : ''}}`;
      const kind = i < 6 ? 'HTTPRoute' : 'GRPCRoute';
      const matches =
        kind === 'HTTPRoute'
          ? `[{path: {type: Exact, value: /s/m}}, {path: {type: PathPrefix, value: /q${i % 2}}}]`
          : '[{method: {service: s, method: m}}]';
      docs.push(`apiVersion: gateway.networking.k8s.io/v1
kind: ${kind}
metadata: ${meta}
spec:
  parentRefs: [{name: gw, namespace: default}]
  hostnames: [a.example.com, b.example.com]
  rules: [{matches: ${matches}}, {matches: ${matches}}]`);
    }
    const { resources } = loadResourcesFromText(docs.join('\n---\n'), 'ties.yaml');
    // 12 routes x 2 rules x 2 matches (HTTP) on one listener.
    expect(listenerRoutes(resources)[0]).toHaveLength(2 * (6 * 2 * 2 + 6 * 2));
    expect(expectTranslatorOrder(resources)).toBe(1);
  });
});
