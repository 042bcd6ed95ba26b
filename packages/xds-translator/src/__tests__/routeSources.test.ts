// sourceOf() names the route resource behind every Envoy route, cluster and endpoint assignment a
// fleet is served, from the IR's typed sources: the names here deliberately say nothing of it.
import type { DestinationSetting, HTTPRouteIR, XdsIR } from '@egts/ir';
import { describe, expect, it } from 'vitest';
import { createXdsTranslator } from '../index.js';

const setting = (name: string, weight = 1): DestinationSetting => ({
  name,
  weight,
  protocol: 'HTTP',
  addressType: 'IP',
  endpoints: [{ host: '10.0.0.1', port: 8080, ready: true }],
});

const route = (name: string, source: string, settings: DestinationSetting[]): HTTPRouteIR => ({
  name,
  hostname: '*',
  pathMatch: { type: 'PathPrefix', value: `/${name}` },
  headerMatches: [],
  queryParamMatches: [],
  addRequestHeaders: [],
  removeRequestHeaders: [],
  addResponseHeaders: [],
  removeResponseHeaders: [],
  mirrors: [{ destination: { name: `${name}-mirror`, settings: [setting(`${name}-m0`)] } }],
  grpc: false,
  source: { kind: 'GRPCRoute', namespace: 'apps', name: source, ruleIndex: 0 },
  destination: { name: `${name}-dest`, settings },
});

const ir: XdsIR = {
  name: 'fleet-a',
  http: [
    {
      name: 'l1',
      address: '0.0.0.0',
      port: 10080,
      externalPort: 80,
      hostnames: [],
      routes: [
        route('one', 'first', [setting('one-b0')]),
        route('two', 'second', [setting('two-b0', 1), setting('two-b1', 3)]),
      ],
    },
  ],
  tcp: [],
  udp: [],
};

describe('XdsTranslator.sourceOf', () => {
  it('names the route resource of every route, cluster and endpoint assignment it built', () => {
    const translator = createXdsTranslator();
    const resources = translator.update('fleet-a', ir);
    const routeNames = (resources.routes ?? []).flatMap((config) =>
      config.virtualHosts.flatMap((host) => host.routes.map((r) => r.name)),
    );
    expect(routeNames.sort()).toEqual(['one', 'two']);
    const sourceName = (name: string) => translator.sourceOf('fleet-a', name)?.name;
    expect(routeNames.map(sourceName)).toEqual(['first', 'second']);
    const clusters = (resources.clusters ?? []).map((c) => c.name);
    expect(clusters.sort()).toEqual(['one-dest', 'one-mirror', 'two-b0', 'two-b1', 'two-mirror']);
    expect(clusters.map(sourceName)).toEqual(['first', 'first', 'second', 'second', 'second']);
    for (const assignment of resources.endpoints ?? [])
      expect(sourceName(assignment.clusterName)).toBeDefined();
    expect(translator.sourceOf('fleet-a', 'one')).toMatchObject({
      kind: 'GRPCRoute',
      namespace: 'apps',
      name: 'first',
    });
    // Not a route's: the listener; and nothing for a fleet it does not serve.
    expect(translator.sourceOf('fleet-a', 'l1')).toBeUndefined();
    expect(translator.sourceOf('fleet-b', 'one')).toBeUndefined();
    translator.remove('fleet-a');
    expect(translator.sourceOf('fleet-a', 'one')).toBeUndefined();
  });
});
