// A DNS stand-in for the BackendTrafficPolicy `dns` tests: answers A and AAAA questions from
// records the test sets (and may change while Envoy runs), NXDOMAIN for other names, and logs
// every question, so a test can tell how often and for what family Envoy resolved a name. Plus
// the bootstrap change that points Envoy's STRICT_DNS clusters at it (c-ares with this one
// resolver, https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/network/dns_resolver/cares/v3/cares_dns_resolver.proto).
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import * as dnsPacket from 'dns-packet';

export interface DnsRecords {
  a?: string[];
  aaaa?: string[];
  /** Seconds; 0 keeps resolvers from caching. */
  ttl?: number;
}

export interface Question {
  name: string;
  type: string;
  at: number;
}

export interface RecordingDns {
  port: number;
  /** The records of each name (without the trailing dot), changed in place by tests. */
  records: Map<string, DnsRecords>;
  questions: Question[];
  /** Questions for `name` (of `type` when given) since `since` (ms since the epoch). */
  asked(name: string, since?: number, type?: string): Question[];
  close(): Promise<void>;
}

export async function startRecordingDns(): Promise<RecordingDns> {
  const records = new Map<string, DnsRecords>();
  const questions: Question[] = [];
  const socket = createSocket('udp4');
  socket.on('message', (message, from) => {
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (question === undefined) return;
    const name = question.name.replace(/\.$/, '').toLowerCase();
    questions.push({ name, type: question.type, at: Date.now() });
    const known = records.get(name);
    const data =
      question.type === 'A'
        ? (known?.a ?? [])
        : question.type === 'AAAA'
          ? (known?.aaaa ?? [])
          : [];
    const reply = dnsPacket.encode({
      type: 'response',
      id: query.id ?? 0,
      questions: query.questions ?? [],
      // NXDOMAIN (rcode 3) for names it does not know.
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (known === undefined ? 3 : 0),
      answers: data.map((address) => ({
        type: question.type as 'A' | 'AAAA',
        name: question.name,
        ttl: known?.ttl ?? 0,
        data: address,
      })),
    });
    socket.send(reply, from.port, from.address);
  });
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return {
    port: socket.address().port,
    records,
    questions,
    asked: (name, since = 0, type) =>
      questions.filter((q) => q.name === name && q.at >= since && (!type || q.type === type)),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** The bootstrap (proto3 JSON) with every STRICT_DNS cluster resolving through 127.0.0.1:`port`. */
export const resolveThrough =
  (port: number) =>
  (bootstrap: Record<string, unknown>): Record<string, unknown> => {
    const resources = bootstrap.staticResources as { clusters?: Record<string, unknown>[] };
    for (const cluster of resources.clusters ?? []) {
      if (cluster.type !== 'STRICT_DNS') continue;
      cluster.typedDnsResolverConfig = {
        name: 'envoy.network.dns_resolver.cares',
        typedConfig: {
          '@type':
            'type.googleapis.com/envoy.extensions.network.dns_resolver.cares.v3.CaresDnsResolverConfig',
          resolvers: [{ socketAddress: { address: '127.0.0.1', portValue: port } }],
          dnsResolverOptions: { noDefaultSearchDomain: true },
        },
      };
    }
    return bootstrap;
  };
