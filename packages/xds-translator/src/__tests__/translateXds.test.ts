// translateXds in ADS form (what the xDS server serves) and static form, checked message by message.
import {
  CertificateValidationContext_TrustChainVerification,
  Cluster_DiscoveryType,
  DownstreamTlsContext,
  HttpConnectionManager,
  type Listener,
  UpstreamTlsContext,
  unpackAnyAs,
} from '@egts/envoy-api';
import type { DestinationSetting, HTTPRouteIR, XdsIR } from '@egts/ir';
import { describe, expect, it } from 'vitest';
import { translateXds } from '../index.js';

const setting = (name: string, fields: Partial<DestinationSetting> = {}): DestinationSetting => ({
  name,
  weight: 1,
  protocol: 'HTTP',
  addressType: 'IP',
  endpoints: [{ host: '10.0.0.1', port: 8080, ready: true }],
  ...fields,
});

const route = (name: string, fields: Partial<HTTPRouteIR> = {}): HTTPRouteIR => ({
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
  destination: { name: `${name}/dest`, settings: [setting(`${name}/dest/backend/0`)] },
  ...fields,
});

const ir = (routes: HTTPRouteIR[], extra: Partial<XdsIR> = {}): XdsIR => ({
  name: 'default/eg',
  http: [
    {
      name: 'default/eg/http',
      address: '0.0.0.0',
      port: 10080,
      externalPort: 80,
      hostnames: ['*'],
      routes,
    },
  ],
  tcp: [],
  udp: [],
  ...extra,
});

const hcmOf = (listener: Listener | undefined, chain = 0): HttpConnectionManager => {
  // Plain HTTP is the default filter chain (as Envoy Gateway); TLS chains are listed.
  const filter = (listener?.defaultFilterChain ?? listener?.filterChains[chain])?.filters[0];
  if (filter?.typedConfig === undefined) throw new Error('no HCM');
  return unpackAnyAs(HttpConnectionManager, filter.typedConfig);
};

const deepFreeze = <T>(value: T): T => {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
};

describe('translateXds', () => {
  it('serves routes over RDS and endpoints over EDS in ADS mode', () => {
    const out = translateXds(ir([route('a')]));
    const hcm = hcmOf(out.listeners[0]);
    expect(hcm.rds?.routeConfigName).toBe('default/eg/http');
    expect(hcm.rds?.configSource?.ads).toEqual({});
    expect(hcm.routeConfig).toBeUndefined();
    expect(hcm.httpFilters.map((f) => f.name)).toEqual(['envoy.filters.http.router']);
    expect(out.routes.map((r) => r.name)).toEqual(['default/eg/http']);
    expect(out.clusters).toHaveLength(1);
    expect(out.clusters[0]).toMatchObject({
      name: 'a/dest',
      type: Cluster_DiscoveryType.EDS,
      edsClusterConfig: { serviceName: 'a/dest' },
    });
    expect(out.clusters[0]?.loadAssignment).toBeUndefined();
    expect(out.endpoints.map((e) => e.clusterName)).toEqual(['a/dest']);
  });

  it('inlines routes and endpoints in static mode', () => {
    const out = translateXds(ir([route('a')]), { mode: 'static' });
    expect(hcmOf(out.listeners[0]).routeConfig?.name).toBe('default/eg/http');
    expect(out.clusters[0]?.type).toBe(Cluster_DiscoveryType.STATIC);
    expect(out.clusters[0]?.loadAssignment?.clusterName).toBe('a/dest');
  });

  it('resolves hostnames with STRICT_DNS and keeps them out of EDS', () => {
    const dns = route('dns', {
      destination: {
        name: 'dns/dest',
        settings: [
          setting('dns/dest/backend/0', {
            addressType: 'FQDN',
            endpoints: [{ host: 'example.net', port: 80, ready: true }],
          }),
        ],
      },
    });
    const out = translateXds(ir([dns]));
    expect(out.clusters[0]?.type).toBe(Cluster_DiscoveryType.STRICT_DNS);
    expect(out.endpoints).toEqual([]);
  });

  it('splits by weight over one cluster per live backend, and answers 500 with none', () => {
    const split = route('split', {
      destination: {
        name: 'split/dest',
        settings: [
          setting('split/dest/backend/0', { weight: 2 }),
          setting('split/dest/backend/1', { weight: 0 }),
          setting('split/dest/backend/2', { weight: 1 }),
        ],
      },
    });
    const none = route('none', {
      destination: { name: 'none/dest', settings: [setting('none/dest/backend/0', { weight: 0 })] },
    });
    const out = translateXds(ir([split, none]), { mode: 'static' });
    const routes = hcmOf(out.listeners[0]).routeConfig?.virtualHosts[0]?.routes ?? [];
    expect(routes[0]?.route?.weightedClusters?.clusters.map((c) => [c.name, c.weight])).toEqual([
      ['split/dest/backend/0', 2],
      ['split/dest/backend/2', 1],
    ]);
    expect(routes[1]?.directResponse?.status).toBe(500);
    expect(out.clusters.map((c) => c.name)).toEqual([
      'split/dest/backend/0',
      'split/dest/backend/2',
    ]);
  });

  it('adds CORS and session filters only when a route needs them, before the router', () => {
    const out = translateXds(
      ir([
        route('plain'),
        route('cors', {
          cors: {
            allowOrigins: ['*'],
            allowMethods: ['GET'],
            allowHeaders: [],
            exposeHeaders: [],
            allowCredentials: false,
          },
          sessionPersistence: { type: 'Cookie', name: 'sid' },
        }),
      ]),
      { mode: 'static' },
    );
    const hcm = hcmOf(out.listeners[0]);
    expect(hcm.httpFilters.map((f) => f.name)).toEqual([
      'envoy.filters.http.cors',
      'envoy.filters.http.stateful_session',
      'envoy.filters.http.router',
    ]);
    const [plain, cors] = hcm.routeConfig?.virtualHosts[0]?.routes ?? [];
    expect(Object.keys(plain?.typedPerFilterConfig ?? {})).toEqual([]);
    expect(Object.keys(cors?.typedPerFilterConfig ?? {})).toEqual([
      'envoy.filters.http.cors',
      'envoy.filters.http.stateful_session',
    ]);
  });

  it('terminates TLS with SDS secrets, one chain per hostname, each SNI claimed once', () => {
    const tls = {
      mode: 'Terminate' as const,
      certificates: [{ name: 'default/cert', certificate: 'CERT', privateKey: 'KEY' }],
      alpnProtocols: ['h2', 'http/1.1'],
    };
    const https = (name: string, hostnames: string[]) => ({
      name,
      address: '0.0.0.0',
      port: 10443,
      externalPort: 443,
      hostnames,
      tls,
      routes: [route(`${name}/r`)],
    });
    const out = translateXds({
      name: 'default/eg',
      http: [
        https('default/eg/a', ['a.example.com', 'b.example.com']),
        https('default/eg/b', ['b.example.com']),
      ],
      tcp: [],
      udp: [],
    });
    expect(out.listeners).toHaveLength(1);
    const listener = out.listeners[0];
    expect(listener?.listenerFilters.map((f) => f.name)).toEqual([
      'envoy.filters.listener.tls_inspector',
    ]);
    expect(listener?.filterChains.map((c) => c.filterChainMatch?.serverNames)).toEqual([
      ['a.example.com'],
      ['b.example.com'],
    ]);
    const socket = listener?.filterChains[0]?.transportSocket?.typedConfig;
    if (socket === undefined) throw new Error('no TLS');
    const context = unpackAnyAs(DownstreamTlsContext, socket);
    expect(context.commonTlsContext?.tlsCertificateSdsSecretConfigs).toEqual([
      expect.objectContaining({
        name: 'default/cert',
        sdsConfig: expect.objectContaining({ ads: {} }),
      }),
    ]);
    expect(context.commonTlsContext?.alpnProtocols).toEqual(['h2', 'http/1.1']);
    expect(out.secrets.map((s) => s.name)).toEqual(['default/cert']);
    expect(out.routes.map((r) => r.name)).toEqual(['default/eg/a', 'default/eg/b']);
  });

  it('asks for client certificates of the frontend CA, refusing others unless told to fall back', () => {
    const contextFor = (allowInsecureFallback: boolean) => {
      const out = translateXds({
        name: 'default/eg',
        http: [
          {
            name: 'default/eg/a',
            address: '0.0.0.0',
            port: 10443,
            externalPort: 443,
            hostnames: ['a.example.com'],
            tls: {
              mode: 'Terminate',
              certificates: [{ name: 'default/cert', certificate: 'CERT', privateKey: 'KEY' }],
              alpnProtocols: [],
              clientValidation: { caCertificate: 'CA PEM\n', allowInsecureFallback },
            },
            routes: [route('default/eg/a/r')],
          },
        ],
        tcp: [],
        udp: [],
      });
      const socket = out.listeners[0]?.filterChains[0]?.transportSocket?.typedConfig;
      if (socket === undefined) throw new Error('no TLS');
      return unpackAnyAs(DownstreamTlsContext, socket);
    };
    const strict = contextFor(false);
    expect(strict.requireClientCertificate).toBe(true);
    expect(strict.commonTlsContext?.validationContext?.trustedCa?.inlineString).toBe('CA PEM\n');
    expect(strict.commonTlsContext?.validationContext?.trustChainVerification).toBe(
      CertificateValidationContext_TrustChainVerification.VERIFY_TRUST_CHAIN,
    );
    const fallback = contextFor(true);
    expect(fallback.requireClientCertificate).toBe(false);
    expect(fallback.commonTlsContext?.validationContext?.trustChainVerification).toBe(
      CertificateValidationContext_TrustChainVerification.ACCEPT_UNTRUSTED,
    );
  });

  it("presents the Gateway's client certificate to a TLS backend (GEP-3155)", () => {
    const tls = {
      sni: 'backend.example.com',
      caCertificate: 'CA',
      useSystemTrustStore: false,
      subjectAltNames: [],
      policy: 'default/btls',
      clientCertificate: { name: 'default/client/client', certificate: 'CERT', privateKey: 'KEY' },
    };
    const out = translateXds(
      ir([
        route('r', {
          destination: { name: 'r/dest', settings: [setting('r/dest/backend/0', { tls })] },
        }),
      ]),
    );
    const socket = out.clusters[0]?.transportSocket?.typedConfig;
    if (socket === undefined) throw new Error('no upstream TLS');
    const context = unpackAnyAs(UpstreamTlsContext, socket);
    expect(context.commonTlsContext?.tlsCertificateSdsSecretConfigs?.map((c) => c.name)).toEqual([
      'default/client/client',
    ]);
    const secret = out.secrets.find((s) => s.name === 'default/client/client');
    expect(secret?.tlsCertificate?.privateKey?.inlineString).toBe('KEY');
  });

  it('is deterministic and leaves the IR alone', () => {
    const input = deepFreeze(ir([route('b'), route('a', { hostname: 'a.example.com' })]));
    const first = translateXds(input);
    expect(translateXds(input)).toEqual(first);
    // Virtual hosts sorted by hostname ("*" sorts first).
    expect(first.routes[0]?.virtualHosts.map((v) => v.name)).toEqual([
      'default/eg/http/wildcard',
      'default/eg/http/a.example.com',
    ]);
  });
});
