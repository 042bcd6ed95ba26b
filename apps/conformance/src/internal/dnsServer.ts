// A stand-in for the CoreDNS pod of Envoy Gateway's UDPRoute tests (image coredns/coredns): a
// DNS server over UDP that reads its Corefile from the ConfigMap the Deployment mounts and
// answers the zones served by the `whoami` plugin as CoreDNS does: the answer section empty, the
// additional section the client's address (A) and its source port (SRV `_udp.<name>`). Other
// names get REFUSED: their `forward` to public resolvers is out of reach offline. Plus the raw UDP
// client the tests use (dnsQuery), as their Go version uses miekg/dns's Exchange.
import { createSocket, type RemoteInfo } from 'node:dgram';
import { once } from 'node:events';
import * as dnsPacket from 'dns-packet';
import type { KubeObject } from '../conformanceTest.js';
import type { StandInServer } from './cluster.js';

/** CoreDNS listens on port 53 in the pod: the container port the Service's targetPort names. */
const DNS_CONTAINER_PORT = 53;

/**
 * The zones of a Corefile whose server block runs the `whoami` plugin (`foo.bar.com:53 {
 * whoami }` -> foo.bar.com). A small reading of the Corefile syntax: `<zones> { <plugins> }`
 * blocks without nesting, which is what the suite's Corefiles use.
 */
export function whoamiZones(corefile: string): string[] {
  const zones: string[] = [];
  for (const block of corefile.matchAll(/([^{}]+)\{([^{}]*)\}/g)) {
    const plugins = (block[2] ?? '').split('\n').map((line) => line.trim().split(/\s+/)[0]);
    if (!plugins.includes('whoami')) continue;
    for (const key of (block[1] ?? '').trim().split(/\s+/)) {
      const zone = key.replace(/^dns:\/\//, '').replace(/:\d+$/, '');
      if (zone !== '' && zone !== '.') zones.push(zone.replace(/\.$/, '').toLowerCase());
    }
  }
  return zones;
}

const inZone = (name: string, zones: readonly string[]) => {
  const n = name.replace(/\.$/, '').toLowerCase();
  return zones.some((zone) => n === zone || n.endsWith(`.${zone}`));
};

/** The Corefile of the ConfigMap a Deployment mounts (key `Corefile`). */
function mountedCorefile(
  deployment: KubeObject,
  namespace: string,
  get: (kind: string, namespace: string, name: string) => KubeObject | undefined,
): string {
  const pod = (deployment.spec?.template ?? {}) as {
    spec?: { volumes?: Array<{ configMap?: { name: string } }> };
  };
  for (const volume of pod.spec?.volumes ?? []) {
    if (!volume.configMap) continue;
    const data = get('ConfigMap', namespace, volume.configMap.name)?.data as
      | Record<string, string>
      | undefined;
    if (data?.Corefile) return data.Corefile;
  }
  return '';
}

const answer = (query: dnsPacket.Packet, zones: readonly string[], from: RemoteInfo): Buffer => {
  const question = query.questions?.[0];
  const base = { type: 'response' as const, id: query.id ?? 0, questions: query.questions ?? [] };
  if (question === undefined || !inZone(question.name, zones))
    return dnsPacket.encode({ ...base, flags: dnsPacket.RECURSION_DESIRED | 5 /* REFUSED */ });
  return dnsPacket.encode({
    ...base,
    flags: dnsPacket.AUTHORITATIVE_ANSWER,
    additionals: [
      {
        type: from.family === 'IPv6' ? 'AAAA' : 'A',
        name: question.name,
        ttl: 0,
        data: from.address,
      },
      {
        type: 'SRV',
        name: `_udp.${question.name}`,
        ttl: 0,
        data: { priority: 0, weight: 0, port: from.port, target: '.' },
      },
    ],
  });
};

/** Starts the CoreDNS stand-in of `deployment` on a local UDP port. */
export async function startDnsServer(
  namespace: string,
  _pod: string,
  deployment: KubeObject,
  get: (kind: string, namespace: string, name: string) => KubeObject | undefined,
): Promise<StandInServer> {
  const socket = createSocket('udp4');
  socket.on('message', (message, from) => {
    // Read when asked: the manifest applies the ConfigMap after the Deployment, and an edit of
    // it shows, as CoreDNS's reload plugin would make it.
    const zones = whoamiZones(mountedCorefile(deployment, namespace, get));
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return; // Not DNS: dropped, as a DNS server does.
    }
    socket.send(answer(query, zones, from), from.port, from.address);
  });
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const { port } = socket.address();
  return {
    port,
    ports: { [DNS_CONTAINER_PORT]: port },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** A DNS reply as the tests read it. */
export interface DnsReply {
  /** NOERROR, REFUSED, ... */
  readonly rcode: string;
  readonly answers: readonly DnsRecord[];
  readonly additionals: readonly DnsRecord[];
}
export interface DnsRecord {
  readonly type: string;
  readonly name: string;
  readonly data: unknown;
}

const records = (list: readonly dnsPacket.Answer[] | undefined): DnsRecord[] =>
  (list ?? []).map((r) => ({ type: r.type, name: r.name, data: 'data' in r ? r.data : undefined }));

/**
 * One DNS query over UDP to 127.0.0.1:`port` (an A question for `name`): the decoded reply, or
 * an Error when none came within `timeoutMs`.
 */
export async function dnsQuery(
  port: number,
  name: string,
  timeoutMs = 5_000,
): Promise<DnsReply | Error> {
  const socket = createSocket('udp4');
  const id = Math.floor(Math.random() * 0xffff);
  try {
    const reply = new Promise<DnsReply | Error>((resolve) => {
      const timer = setTimeout(() => resolve(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
      socket.on('message', (message) => {
        try {
          const packet = dnsPacket.decode(message);
          if (packet.id !== id) return;
          clearTimeout(timer);
          resolve({
            // The decoder sets rcode; its type does not declare it.
            rcode: String((packet as { rcode?: unknown }).rcode ?? ''),
            answers: records(packet.answers),
            additionals: records(packet.additionals),
          });
        } catch (error) {
          clearTimeout(timer);
          resolve(error as Error);
        }
      });
      socket.on('error', (error) => {
        clearTimeout(timer);
        resolve(error);
      });
    });
    socket.send(
      dnsPacket.encode({
        type: 'query',
        id,
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [{ type: 'A', name }],
      }),
      port,
      '127.0.0.1',
    );
    return await reply;
  } finally {
    socket.close();
  }
}
