// Route-only changes at random: HTTP and gRPC routes edited, added, deleted and moved between
// Gateways, with and without policies; every step is spliced and equals a full translation.
import { describe, expect, it } from 'vitest';
import { load } from './pipelineHarness.js';
import { base, follow } from './routeSteps.js';

describe('route-only changes at random', () => {
  const routePolicies = `---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: {name: route, namespace: default}
spec: {targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: r1}, {group: gateway.networking.k8s.io, kind: GRPCRoute, name: r2}], cors: {allowOrigins: ['https://a.example']}}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: {name: gateway, namespace: default}
spec: {targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: a}, {group: gateway.networking.k8s.io, kind: Gateway, name: d, sectionName: http}]}
`;
  it.each([
    ['without policies', ''],
    ['with policies', routePolicies],
  ])(
    'splice many kinds of HTTP and gRPC route changes as a full translation would, %s',
    (_, policies) => {
      // Routes made to tie on precedence (same path lengths, shared hostnames) without selecting
      // the same requests (that is RouteRulesOverlap, which is translated in full), some with
      // timestamps, HTTPRoutes and GRPCRoutes of one name, several rules, matches and hostnames,
      // on Gateways with HTTP and HTTPS listeners; edited, added, deleted and moved at random.
      const gateways = `---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: d, namespace: default}
spec:
  gatewayClassName: eg
  listeners:
  - {name: http, protocol: HTTP, port: 80, hostname: "*.example.com"}
  - {name: other, protocol: HTTP, port: 8080}
`;
      const stamps = ['', '2024-01-01T00:00:00Z', '2023-01-01T00:00:00Z'];
      let seed = 11;
      const random = (n: number) => {
        seed = (seed * 48271) % 2147483647;
        return seed % n;
      };
      type Spec = { kind: string; name: string; gateways: string[]; path: number; version: number };
      const text = (specs: Spec[]) =>
        base +
        gateways +
        policies +
        specs
          .map((r) => {
            const stamp = stamps[Number(r.name.slice(1)) % stamps.length];
            const meta = `{name: ${r.name}, namespace: default${stamp ? `, creationTimestamp: "${stamp}"` : ''}}`;
            const parents = `[${r.gateways.map((g) => `{name: ${g}}`).join(', ')}]`;
            const hostnames = '[a.example.com, b.example.com]';
            const rules =
              r.kind === 'HTTPRoute'
                ? `[{matches: [{path: {type: PathPrefix, value: /p${r.path}/${r.name}}}, {path: {type: Exact, value: /h/${r.name}}}], backendRefs: [{name: app, port: 8080}]}, {matches: [{path: {type: PathPrefix, value: /v${r.version}/${r.name}}}], backendRefs: [{name: ${r.version % 3 === 0 ? 'nope' : 'app'}, port: 8080}]}]`
                : `[{matches: [{method: {service: s, method: ${r.name}}}], backendRefs: [{name: app, port: 8080}]}, {matches: [{method: {service: v${r.version}${r.name}}}], backendRefs: [{name: app, port: 8080}]}]`;
            return `---
apiVersion: gateway.networking.k8s.io/v1
kind: ${r.kind}
metadata: ${meta}
spec: {parentRefs: ${parents}, hostnames: ${hostnames}, rules: ${rules}}
`;
          })
          .join('');
      const pick = () => [['a'], ['d'], ['a', 'd'], ['b'], ['zz']][random(5)]!;
      let specs: Spec[] = Array.from({ length: 12 }, (_, i) => ({
        kind: i % 3 === 2 ? 'GRPCRoute' : 'HTTPRoute',
        name: `r${i % 8}`,
        gateways: pick(),
        path: random(3),
        version: 0,
      }));
      const steps: { text: string }[] = [];
      for (let step = 0; step < 40; step++) {
        specs = specs.map((r) => ({ ...r }));
        const target = specs[random(specs.length)]!;
        const action = random(6);
        if (action === 0) specs.splice(specs.indexOf(target), 1);
        else if (action === 1)
          specs.push({
            kind: random(2) ? 'HTTPRoute' : 'GRPCRoute',
            name: `r${8 + random(6)}`,
            gateways: pick(),
            path: random(3),
            version: step,
          });
        else if (action === 2) target.gateways = pick();
        else target.version = step;
        // No two routes of one kind and name.
        specs = specs.filter(
          (r, i) => specs.findIndex((o) => o.kind === r.kind && o.name === r.name) === i,
        );
        if (steps.at(-1)?.text !== text(specs)) steps.push({ text: text(specs) });
      }
      const { spliced } = follow(steps, load(text(specs.slice(0, 0))));
      expect(spliced).toBeGreaterThan(30);
    },
  );
});
