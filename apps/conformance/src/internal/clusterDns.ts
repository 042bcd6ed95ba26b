// Cluster DNS and Service IPs for Envoy's own resolver, as a cluster gives them to a pod: the
// dynamic forward proxy (Backend type DynamicResolver) resolves the names requests carry with
// its DNS cache, so `<service>.<namespace>.svc.cluster.local` must resolve to an address where
// the Service's port answers. Each Service asked for gets a "cluster IP" on loopback
// (127.0.10.N) with a forwarder per Service port to the local server standing in for the pod
// (Cluster.servicePort), as kube-proxy does. Other names resolve as this machine resolves them.
// Service ports below 1024 (80, 443) need root or CAP_NET_BIND_SERVICE: `available` says so.
// The xDS side (withClusterDns) points the dynamic forward proxy's DNS caches at this server.
import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import {
  Address,
  DynamicForwardProxyClusterConfig,
  type Listener,
  packAny,
  SniDynamicForwardProxyFilterConfig,
  unpackAnyAs,
} from '@egts/envoy-api';
import type { XdsResources } from '@egts/xds-translator';
import * as dnsPacket from 'dns-packet';
import type { Cluster } from './cluster.js';

const SERVICE_NAME = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local\.?$/i;

/** Why Service IPs on privileged ports cannot be made here, or undefined when they can. */
export const clusterDnsUnavailable = (): string | undefined => {
  if (process.getuid?.() === 0) return undefined;
  try {
    const start = readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8');
    if (Number(start.trim()) <= 80) return undefined;
  } catch {}
  return "Service IPs listen on the Services' ports (80, 443), which this unprivileged process cannot bind";
};

export interface ClusterDns {
  /** The UDP port of the DNS server (on 127.0.0.1). */
  readonly port: number;
  close(): Promise<void>;
}

export async function startClusterDns(cluster: Cluster): Promise<ClusterDns> {
  const serviceIps = new Map<string, string>();
  const forwarders: Server[] = [];
  // Open connections, ended on close (a server's close waits for them, and a kept-alive
  // connection through Envoy would hold it open).
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };

  /** The Service's cluster IP, its ports forwarded; undefined when no such Service runs. */
  const serviceIp = async (service: string, namespace: string): Promise<string | undefined> => {
    const key = `${service}.${namespace}`;
    const known = serviceIps.get(key);
    if (known) return known;
    const object = cluster.get('Service', namespace, service);
    const ports = (object?.spec?.ports ?? []) as Array<{ port: number; protocol?: string }>;
    if (object === undefined || ports.length === 0) return undefined;
    const ip = `127.0.10.${serviceIps.size + 1}`;
    for (const { port, protocol } of ports) {
      if ((protocol ?? 'TCP') !== 'TCP') continue;
      // Looked up per connection: the pod behind the Service may come and go.
      const server = createServer((client) => {
        const target = cluster.servicePort(key, port);
        if (target === undefined) return client.destroy();
        const upstream = createConnection(target, '127.0.0.1');
        track(client);
        track(upstream);
        client.pipe(upstream).pipe(client);
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
      });
      server.listen(port, ip);
      await once(server, 'listening');
      forwarders.push(server);
    }
    serviceIps.set(key, ip);
    return ip;
  };

  const answers = async (question: dnsPacket.Question): Promise<dnsPacket.Answer[] | null> => {
    const family = question.type === 'AAAA' ? 6 : question.type === 'A' ? 4 : undefined;
    if (family === undefined) return [];
    const match = SERVICE_NAME.exec(question.name);
    if (match) {
      const ip = await serviceIp(match[1]!.toLowerCase(), match[2]!.toLowerCase());
      if (ip === undefined) return null;
      return family === 4 ? [{ type: 'A', name: question.name, ttl: 5, data: ip }] : [];
    }
    try {
      const found = await lookup(question.name, { family, all: true });
      return found.map((a) => ({
        type: family === 4 ? ('A' as const) : ('AAAA' as const),
        name: question.name,
        ttl: 5,
        data: a.address,
      }));
    } catch {
      return null;
    }
  };

  const socket = createSocket('udp4');
  socket.on('message', async (message, from) => {
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    const found = question ? await answers(question).catch(() => null) : null;
    const reply = dnsPacket.encode({
      type: 'response',
      id: query.id ?? 0,
      // NXDOMAIN (3) when the name is unknown.
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (found ? 0 : 3),
      questions: query.questions ?? [],
      answers: found ?? [],
    });
    socket.send(reply, from.port, from.address);
  });
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return {
    port: socket.address().port,
    close: async () => {
      await new Promise<void>((resolve) => socket.close(() => resolve()));
      for (const open of sockets) open.destroy();
      await Promise.all(
        forwarders.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
      );
    },
  };
}

const DFP_CLUSTER = 'envoy.clusters.dynamic_forward_proxy';
type DnsCacheConfig = NonNullable<DynamicForwardProxyClusterConfig['dnsCacheConfig']>;
type Filter = Listener['filterChains'][number]['filters'][number];

/** `config`'s DNS cache resolving through the cluster DNS at 127.0.0.1:`port`. */
const throughClusterDns = <T extends { dnsCacheConfig?: DnsCacheConfig | undefined }>(
  config: T,
  port: number,
): T =>
  config.dnsCacheConfig === undefined
    ? config
    : {
        ...config,
        dnsCacheConfig: {
          ...config.dnsCacheConfig,
          dnsResolutionConfig: {
            resolvers: [
              Address.fromPartial({ socketAddress: { address: '127.0.0.1', portValue: port } }),
            ],
            dnsResolverOptions: { useTcpForDnsLookups: false, noDefaultSearchDomain: true },
          },
        },
      };

/**
 * `resources` with every dynamic forward proxy DNS cache (its clusters' and the SNI dynamic
 * forward proxy filters', which must agree) resolving through the cluster DNS on `port`, as a
 * pod's resolver is the cluster's.
 */
export function withClusterDns(resources: XdsResources, port: number): XdsResources {
  const clusters = resources.clusters.map((cluster) => {
    const type = cluster.clusterType;
    if (type?.name !== DFP_CLUSTER || type.typedConfig === undefined) return cluster;
    const config = unpackAnyAs(DynamicForwardProxyClusterConfig, type.typedConfig);
    return {
      ...cluster,
      clusterType: {
        ...type,
        typedConfig: packAny(DynamicForwardProxyClusterConfig, throughClusterDns(config, port)),
      },
    };
  });
  const sniFilter = (filter: Filter): Filter =>
    filter.typedConfig?.typeUrl.endsWith('sni_dynamic_forward_proxy.v3.FilterConfig') === true
      ? {
          ...filter,
          typedConfig: packAny(
            SniDynamicForwardProxyFilterConfig,
            throughClusterDns(
              unpackAnyAs(SniDynamicForwardProxyFilterConfig, filter.typedConfig),
              port,
            ),
          ),
        }
      : filter;
  const listeners = resources.listeners.map((listener) => ({
    ...listener,
    filterChains: listener.filterChains.map((chain) => ({
      ...chain,
      filters: chain.filters.map(sniFilter),
    })),
  }));
  return { ...resources, clusters, listeners };
}
