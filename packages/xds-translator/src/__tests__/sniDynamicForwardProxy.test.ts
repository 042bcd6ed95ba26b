// A Passthrough TLS route to a DynamicResolver Backend: its chain refuses loopback SNIs, resolves
// the SNI through the DNS cache of the dynamic forward proxy cluster tcp_proxy goes to.
import {
  DynamicForwardProxyClusterConfig,
  NetworkRBAC,
  RBAC_Action,
  SniDynamicForwardProxyFilterConfig,
  TcpProxy,
  unpackAnyAs,
} from '@egts/envoy-api';
import type { TCPRouteIR, XdsIR } from '@egts/ir';
import { describe, expect, it } from 'vitest';
import { translateXds } from '../index.js';

/** An empty Any, for a config that is missing (the test then fails on its content). */
const NONE = { typeUrl: '', value: Buffer.alloc(0) };

const route = (mode: 'Passthrough' | 'Terminate', dynamicResolver: boolean): TCPRouteIR => ({
  name: 'tlsroute/default/dfp',
  source: { kind: 'TLSRoute', namespace: 'default', name: 'dfp', ruleIndex: 0 },
  sniHostnames: ['*.example.com'],
  tls: { mode, certificates: [], alpnProtocols: [] },
  destination: {
    name: 'tlsroute/default/dfp/rule/0',
    settings: [
      {
        name: 'tlsroute/default/dfp/rule/0/backend/0',
        weight: 1,
        protocol: 'TLS',
        addressType: dynamicResolver ? 'FQDN' : 'IP',
        endpoints: dynamicResolver ? [] : [{ host: '10.0.0.1', port: 443, ready: true }],
        ...(dynamicResolver ? { dynamicResolver: true } : {}),
      },
    ],
    dns: { refreshRateMs: 5000 },
  },
});

const ir = (tcpRoute: TCPRouteIR): XdsIR => ({
  name: 'gw',
  http: [],
  tcp: [
    {
      name: 'default/gw/tls',
      address: '0.0.0.0',
      port: 10443,
      externalPort: 443,
      routes: [tcpRoute],
    },
  ],
  udp: [],
});

const chainFilters = (xds: ReturnType<typeof translateXds>) => {
  const chain = xds.listeners[0]?.filterChains.find((c) => c.name === 'tlsroute/default/dfp');
  return chain?.filters ?? [];
};

describe('SNI dynamic forward proxy', () => {
  it('resolves the SNI through the DNS cache of the cluster tcp_proxy goes to', () => {
    const xds = translateXds(ir(route('Passthrough', true)), { mode: 'static' });
    const filters = chainFilters(xds);
    expect(filters.map((f) => f.name)).toEqual([
      'envoy.filters.network.rbac',
      'envoy.filters.network.sni_dynamic_forward_proxy',
      'envoy.filters.network.tcp_proxy',
    ]);
    const [rbacFilter, sniFilter, tcpFilter] = filters;
    const rbac = unpackAnyAs(NetworkRBAC, rbacFilter?.typedConfig ?? NONE);
    expect(rbac.rules?.action).toBe(RBAC_Action.DENY);
    const regex =
      rbac.rules?.policies['deny-loopback-sni']?.permissions[0]?.requestedServerName?.safeRegex
        ?.regex ?? '';
    expect(regex).not.toBe('');
    const re = new RegExp(regex.replace('(?i)', ''), 'i');
    for (const loopback of ['localhost', 'LOCALHOST.', '127.0.0.1', 'ip6-localhost'])
      expect(re.test(loopback)).toBe(true);
    expect(re.test('www.example.com')).toBe(false);

    const sni = unpackAnyAs(SniDynamicForwardProxyFilterConfig, sniFilter?.typedConfig ?? NONE);
    expect(sni.portValue).toBe(443);
    const tcp = unpackAnyAs(TcpProxy, tcpFilter?.typedConfig ?? NONE);
    const cluster = xds.clusters.find((c) => c.name === tcp.cluster);
    expect(cluster?.clusterType?.name).toBe('envoy.clusters.dynamic_forward_proxy');
    const dfp = unpackAnyAs(
      DynamicForwardProxyClusterConfig,
      cluster?.clusterType?.typedConfig ?? NONE,
    );
    // One cache, one config: Envoy refuses two configs under one cache name.
    expect(sni.dnsCacheConfig).toEqual(dfp.dnsCacheConfig);
    expect(sni.dnsCacheConfig?.name).toBe('tlsroute/default/dfp/rule/0');
    expect(sni.dnsCacheConfig?.dnsRefreshRate).toEqual({ seconds: 5, nanos: 0 });
  });

  it('leaves other TLS routes as they were', () => {
    const filters = chainFilters(translateXds(ir(route('Passthrough', false)), { mode: 'static' }));
    expect(filters.map((f) => f.name)).toEqual(['envoy.filters.network.tcp_proxy']);
  });
});
