// Global rate limits: the ratelimit filter in the connection manager (after the local one), each
// rule as a rate limit of the route's RateLimitPerRoute whose first descriptor entry names its
// counter (with its costs), the rate limit service's cluster, and the RateLimitConfig tree the
// service enforces.
import {
  Cluster,
  HttpConnectionManager,
  type Listener,
  RateLimitFilter,
  RateLimitPerRoute,
  RateLimitUnit,
  type RouteConfiguration,
  unpackAnyAs,
} from '@egts/envoy-api';
import type { GlobalRateLimitRule, HTTPRouteIR, XdsIR } from '@egts/ir';
import { describe, expect, it } from 'vitest';
import { rateLimitConfigs, translateXds } from '../index.js';

const route = (name: string, rules: GlobalRateLimitRule[]): HTTPRouteIR => ({
  name,
  hostname: '*',
  headerMatches: [],
  queryParamMatches: [],
  addRequestHeaders: [],
  removeRequestHeaders: [],
  addResponseHeaders: [],
  removeResponseHeaders: [],
  mirrors: [],
  grpc: false,
  source: { kind: 'HTTPRoute', namespace: 'default', name },
  destination: {
    name: `${name}/dest`,
    settings: [
      {
        name: `${name}/dest/0`,
        weight: 1,
        protocol: 'HTTP',
        addressType: 'IP',
        endpoints: [{ host: '10.0.0.1', port: 8080, ready: true }],
      },
    ],
  },
  globalRateLimit: { rules },
});

const distinctUser = (key: string): GlobalRateLimitRule => ({
  headers: [{ name: 'x-user-id', type: 'Distinct' }],
  descriptorKey: key,
  shared: false,
  limit: { requests: 3, unit: 'Hour' },
});
const shared: GlobalRateLimitRule = {
  headers: [],
  descriptorKey: 'default/p/rule/1',
  shared: true,
  limit: { requests: 10, unit: 'Minute' },
  shadowMode: true,
};

const ir: XdsIR = {
  name: 'default/eg',
  http: [
    {
      name: 'default/eg/http',
      address: '0.0.0.0',
      port: 10080,
      externalPort: 80,
      hostnames: ['*'],
      routes: [route('a', [distinctUser('l/a/rule/0'), shared]), route('b', [shared])],
      rateLimitService: {
        domain: 'default/eg',
        host: '127.0.0.1',
        port: 8081,
        failClosed: true,
        timeoutMs: 100,
      },
    },
  ],
  tcp: [],
  udp: [],
};

type Route = NonNullable<RouteConfiguration['virtualHosts'][number]>['routes'][number];
/** The route's global rate limits (its RateLimitPerRoute). */
const perRoute = (route: Route | undefined) => {
  const config = route?.typedPerFilterConfig['envoy.filters.http.ratelimit'];
  return config === undefined ? [] : unpackAnyAs(RateLimitPerRoute, config).rateLimits;
};

const hcmOf = (listener: Listener | undefined): HttpConnectionManager => {
  // Plain HTTP is the default filter chain (as Envoy Gateway).
  const filter = (listener?.defaultFilterChain ?? listener?.filterChains[0])?.filters[0];
  if (filter?.typedConfig === undefined) throw new Error('no HCM');
  return unpackAnyAs(HttpConnectionManager, filter.typedConfig);
};

describe('global rate limits', () => {
  it('put the ratelimit filter before the router, asking the service in the Gateway domain', () => {
    const out = translateXds(ir, { mode: 'static' });
    const filters = hcmOf(out.listeners[0]).httpFilters;
    const names = filters.map((f) => f.name);
    expect(names.indexOf('envoy.filters.http.ratelimit')).toBeLessThan(
      names.indexOf('envoy.filters.http.router'),
    );
    const config = filters.find((f) => f.name === 'envoy.filters.http.ratelimit')?.typedConfig;
    if (config === undefined) throw new Error('no ratelimit filter');
    expect(unpackAnyAs(RateLimitFilter, config)).toMatchObject({
      domain: 'default/eg',
      stage: 1,
      failureModeDeny: true,
      timeout: { seconds: 0, nanos: 100_000_000 },
      rateLimitService: { grpcService: { envoyGrpc: { clusterName: 'ratelimit_cluster' } } },
    });
    const cluster = out.clusters.find((c) => c.name === 'ratelimit_cluster') as Cluster;
    expect(cluster).toBeDefined();
    // gRPC: HTTP/2 to the service.
    expect(JSON.stringify(Cluster.toJSON(cluster))).toContain('http2ProtocolOptions');
  });

  it('give each rule a per-route rate limit: its counter key first, then its selectors', () => {
    const out = translateXds(ir, { mode: 'static' });
    const routes = hcmOf(out.listeners[0]).routeConfig?.virtualHosts[0]?.routes ?? [];
    const a = routes.find((r) => r.name === 'a');
    // The route's own rate_limits are the local rate limit's; the global ones are per route.
    expect(a?.route?.rateLimits).toEqual([]);
    expect(perRoute(a).map(({ actions }) => actions)).toEqual([
      [
        { genericKey: { descriptorKey: 'l/a/rule/0', descriptorValue: 'l/a/rule/0' } },
        {
          requestHeaders: {
            headerName: 'x-user-id',
            descriptorKey: 'rule-0-match-0',
            skipIfAbsent: false,
          },
        },
      ],
      [{ genericKey: { descriptorKey: 'default/p/rule/1', descriptorValue: 'default/p/rule/1' } }],
    ]);
    expect(perRoute(a).every((r) => r.hitsAddend === undefined && !r.applyOnStreamDone)).toBe(true);
  });

  it('add a request cost, and a response cost as a second limit applied when the stream is done', () => {
    const costly: GlobalRateLimitRule = {
      ...distinctUser('l/c/rule/0'),
      cost: {
        request: { number: 0 },
        response: { metadata: { namespace: 'io.example', key: 'usage' } },
      },
    };
    const out = translateXds(
      { ...ir, http: ir.http.map((l) => ({ ...l, routes: [route('c', [costly])] })) },
      { mode: 'static' },
    );
    const c = hcmOf(out.listeners[0]).routeConfig?.virtualHosts[0]?.routes[0];
    const [onRequest, onDone, ...rest] = perRoute(c);
    expect(rest).toEqual([]);
    expect(onRequest?.hitsAddend).toMatchObject({ number: 0, format: '' });
    expect(onRequest?.applyOnStreamDone).toBe(false);
    expect(onDone?.hitsAddend).toMatchObject({ format: '%DYNAMIC_METADATA(io.example:usage)%' });
    expect(onDone?.applyOnStreamDone).toBe(true);
    // Both count under the same descriptor.
    expect(onDone?.actions).toEqual(onRequest?.actions);
  });

  it('count only clients outside an inverted source CIDR (remote_address_match)', () => {
    const outside: GlobalRateLimitRule = {
      headers: [],
      sourceCIDR: { cidr: '192.0.2.0/24', distinct: false, invert: true },
      descriptorKey: 'l/d/rule/0',
      shared: false,
      limit: { requests: 2, unit: 'Hour' },
    };
    const withRoute = {
      ...ir,
      http: ir.http.map((l) => ({ ...l, routes: [route('d', [outside])] })),
    };
    const out = translateXds(withRoute, { mode: 'static' });
    const d = hcmOf(out.listeners[0]).routeConfig?.virtualHosts[0]?.routes[0];
    expect(perRoute(d)[0]?.actions[1]).toEqual({
      remoteAddressMatch: {
        descriptorKey: 'masked_remote_address',
        descriptorValue: 'invert_192.0.2.0/24',
        defaultValue: '',
        addressMatcher: {
          ranges: [{ addressPrefix: '192.0.2.0', prefixLen: 24 }],
          invertMatch: true,
        },
      },
    });
    const [config] = rateLimitConfigs([withRoute]);
    expect(config?.descriptors[0]?.descriptors[0]).toMatchObject({
      key: 'masked_remote_address',
      value: 'invert_192.0.2.0/24',
      rateLimit: { requestsPerUnit: 2 },
    });
  });

  it('serve the service one RateLimitConfig per domain; a shared rule once', () => {
    const [config, ...rest] = rateLimitConfigs([ir]);
    expect(rest).toEqual([]);
    expect(config?.domain).toBe('default/eg');
    expect(config?.descriptors).toEqual([
      {
        key: 'l/a/rule/0',
        value: 'l/a/rule/0',
        rateLimit: undefined,
        shadowMode: false,
        detailedMetric: false,
        descriptors: [
          {
            // No value: every x-user-id value counts apart.
            key: 'rule-0-match-0',
            value: '',
            rateLimit: {
              unit: RateLimitUnit.HOUR,
              requestsPerUnit: 3,
              unlimited: false,
              name: '',
              replaces: [],
            },
            shadowMode: false,
            detailedMetric: false,
            descriptors: [],
          },
        ],
      },
      {
        key: 'default/p/rule/1',
        value: 'default/p/rule/1',
        rateLimit: {
          unit: RateLimitUnit.MINUTE,
          requestsPerUnit: 10,
          unlimited: false,
          name: '',
          replaces: [],
        },
        shadowMode: true,
        detailedMetric: false,
        descriptors: [],
      },
    ]);
  });
});
