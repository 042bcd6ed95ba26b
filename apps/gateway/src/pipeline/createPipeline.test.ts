import { loadResourcesFromText } from '@egts/api';
import { createSnapshotCache, TypeUrl } from '@egts/xds-server';
import { BehaviorSubject, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../admin/metrics.js';
import { createLogging } from '../logging.js';
import { createPipeline } from './createPipeline.js';
import type { ProviderSnapshot } from './ports.js';

const base = `apiVersion: gateway.networking.k8s.io/v1
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
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
ports: [{name: http, port: 8080}]
`;
const gateway = (name: string) => `---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ${name}, namespace: default}
spec:
  gatewayClassName: eg
  listeners: [{name: http, protocol: HTTP, port: 80}]
`;
const route = (gw: string, prefix: string) => `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: to-${gw}, namespace: default}
spec:
  parentRefs: [{name: ${gw}}]
  rules: [{matches: [{path: {type: PathPrefix, value: ${prefix}}}], backendRefs: [{name: app, port: 8080}]}]
`;
const snapshotOf = (text: string): ProviderSnapshot => loadResourcesFromText(text, 'test');

function setup() {
  const provider = new Subject<ProviderSnapshot>();
  const cache = createSnapshotCache();
  const sets: string[] = [];
  const original = cache.setSnapshot.bind(cache);
  cache.setSnapshot = (group, snapshot) => {
    sets.push(group);
    original(group, snapshot);
  };
  const pipeline = createPipeline({
    provider: { resources$: provider },
    cache,
    logging: createLogging({ default: 'silent' }),
    metrics: createMetrics(),
  });
  return { provider, cache, sets, pipeline };
}

describe('createPipeline', () => {
  it('serves each Gateway a snapshot and re-translates only the Gateway a change touches', () => {
    const { provider, cache, sets, pipeline } = setup();
    provider.next(
      snapshotOf(base + gateway('a') + gateway('b') + route('a', '/a') + route('b', '/b')),
    );
    expect(sets.sort()).toEqual(['default/a', 'default/b']);
    expect(cache.getSnapshot('default/a')?.snapshot.resources(TypeUrl.Listener).size).toBe(1);
    expect(pipeline.ready()).toBe(true);

    sets.length = 0;
    provider.next(
      snapshotOf(base + gateway('a') + gateway('b') + route('a', '/a') + route('b', '/b2')),
    );
    expect(sets).toEqual(['default/b']);

    sets.length = 0;
    provider.next(
      snapshotOf(base + gateway('a') + gateway('b') + route('a', '/a') + route('b', '/b2')),
    );
    expect(sets).toEqual([]);
    pipeline.stop();
  });

  it('publishes statuses and forgets a Gateway that is deleted', () => {
    const { provider, cache, pipeline } = setup();
    provider.next(snapshotOf(base + gateway('a') + gateway('b')));
    const gateways = pipeline.statuses$.value.filter((s) => s.kind === 'Gateway');
    expect(gateways.map((s) => s.metadata.name).sort()).toEqual(['a', 'b']);
    provider.next(snapshotOf(base + gateway('a')));
    expect(cache.getSnapshot('default/b')).toBeUndefined();
    expect(cache.getSnapshot('default/a')).toBeDefined();
    pipeline.stop();
  });

  it('gives a resource the provider refused an Accepted=False status naming its file and field', () => {
    const { provider, pipeline } = setup();
    const refused = route('a', '/r').replace('PathPrefix', 'Prefix');
    provider.next(snapshotOf(base + gateway('a') + refused));
    expect(pipeline.statuses$.value.some((s) => s.kind === 'HTTPRoute')).toBe(false);
    expect(pipeline.refused$.value).toEqual([
      expect.objectContaining({
        kind: 'HTTPRoute',
        metadata: { name: 'to-a', namespace: 'default' },
        status: {
          conditions: [
            expect.objectContaining({
              type: 'Accepted',
              status: 'False',
              reason: 'Invalid',
              message: expect.stringMatching(
                /^Refused: test:\d+: spec\.rules\[0\]\.matches\[0\]\.path\.type: /,
              ),
            }),
          ],
        },
      }),
    ]);
    // Fixed: the translator's status takes over.
    provider.next(snapshotOf(base + gateway('a') + route('a', '/r')));
    expect(pipeline.refused$.value).toEqual([]);
    expect(pipeline.statuses$.value.some((s) => s.kind === 'HTTPRoute')).toBe(true);
    pipeline.stop();
  });

  it('keeps serving the last good output when translation throws', () => {
    const { provider, cache, pipeline } = setup();
    provider.next(snapshotOf(base + gateway('a')));
    const before = cache.getSnapshot('default/a');
    // Not a Resources bundle: the translator throws on it, the pipeline must survive.
    provider.next({ resources: null as never, problems: [] });
    provider.next(snapshotOf(base + gateway('a') + route('a', '/x')));
    expect(cache.getSnapshot('default/a')).not.toBe(before);
    pipeline.stop();
  });

  it('gives every stage a first snapshot the provider replays on subscription', () => {
    const provider = new BehaviorSubject<ProviderSnapshot>(snapshotOf(base + gateway('a')));
    const cache = createSnapshotCache();
    const pipeline = createPipeline({
      provider: { resources$: provider },
      cache,
      logging: createLogging({ default: 'silent' }),
      metrics: createMetrics(),
    });
    expect(cache.getSnapshot('default/a')).toBeDefined();
    expect(pipeline.statuses$.value.length).toBeGreaterThan(0);
    pipeline.stop();
  });

  it('applies the Infra IR before it translates the xDS resources, so a proxy boots meanwhile', () => {
    const provider = new Subject<ProviderSnapshot>();
    const cache = createSnapshotCache();
    const order: string[] = [];
    const original = cache.setSnapshot.bind(cache);
    cache.setSnapshot = (group, snapshot) => {
      order.push(`snapshot ${group}`);
      original(group, snapshot);
    };
    const pipeline = createPipeline({
      provider: { resources$: provider },
      cache,
      infra: {
        apply: async (infraIR) => {
          order.push(`infra ${infraIR.proxies.map((p) => p.name).join(',')}`);
        },
        close: async () => undefined,
      },
      logging: createLogging({ default: 'silent' }),
      metrics: createMetrics(),
    });
    provider.next(snapshotOf(base + gateway('a')));
    expect(order).toEqual(['infra default/a', 'snapshot default/a']);
    pipeline.stop();
  });
});
