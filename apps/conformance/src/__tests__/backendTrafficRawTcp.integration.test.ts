// BackendTrafficPolicy settings seen on the upstream TCP stream, through real Envoy, against a
// backend written on raw sockets (it answers HTTP/1.1 itself, so it sees every byte Envoy sends):
// - proxyProtocol: a PROXY protocol header opens each upstream connection (V1 text, V2 binary);
//   a route without the setting sends none;
// - an active TCP health check (send/receive payloads): only the endpoint answering the expected
//   payload keeps traffic.
import { createServer, type Server, type Socket } from 'node:net';
import type { EnvoyHandle } from '@egts/envoy-binary';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../internal/freePort.js';
import {
  backendOf,
  gatewayManifests,
  get,
  policy,
  route,
  service,
  sleep,
  startTranslated,
} from './backendTrafficFixture.js';

const V2_SIGNATURE = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');

/** How a connection to the raw backend began. */
const opening = (first: Buffer): string =>
  first.subarray(0, 6).toString('latin1') === 'PROXY '
    ? 'v1'
    : first.subarray(0, 12).equals(V2_SIGNATURE)
      ? 'v2'
      : 'none';

/**
 * A backend on raw sockets: answers `ping` with `pong` when `pong` (a TCP health check), and each
 * HTTP/1.1 request with `{"backend": "<name>:<how the connection began>"}`.
 */
const startRawBackend = (name: string, host: string, port: number, pong: boolean) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer((socket: Socket) => {
      let began: string | undefined;
      let buffer = Buffer.alloc(0);
      socket.on('error', () => socket.destroy());
      socket.on('data', (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        if (began === undefined) {
          if (buffer.toString('latin1') === 'ping') {
            if (pong) socket.write('pong');
            buffer = Buffer.alloc(0);
            return;
          }
          began = opening(buffer);
        }
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        buffer = Buffer.alloc(0);
        const body = JSON.stringify({ backend: `${name}:${began}` });
        socket.write(
          `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
        );
      });
    });
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });

const tcpCheck = `  loadBalancer: {type: RoundRobin}
  healthCheck:
    active:
      type: TCP
      interval: 300ms
      timeout: 1s
      unhealthyThreshold: 1
      healthyThreshold: 1
      tcp: {send: {type: Text, text: ping}, receive: {type: Text, text: pong}}
`;

describe('[envoy] BackendTrafficPolicy on the upstream TCP stream', () => {
  const servers: Server[] = [];
  let envoy: EnvoyHandle | undefined;
  let port = 0;
  let statuses: { kind: string; name: string; accepted: string | undefined }[] = [];

  beforeAll(async () => {
    port = await freePort();
    const [rawPort = 0, checkPort = 0] = await Promise.all([freePort(), freePort()]);
    servers.push(
      await startRawBackend('raw', '127.0.0.1', rawPort, false),
      await startRawBackend('answers', '127.0.0.1', checkPort, true),
      await startRawBackend('silent', '127.0.0.2', checkPort, false),
    );
    const text = `${gatewayManifests(port)}${service('raw', rawPort, ['127.0.0.1'])}${service('pair', checkPort, ['127.0.0.1', '127.0.0.2'])}${route('v1', 'raw', rawPort)}${route('v2', 'raw', rawPort)}${route('plain', 'raw', rawPort)}${route('tcpcheck', 'pair', checkPort)}${route('nocheck', 'pair', checkPort)}${policy(
      'v1',
      '  proxyProtocol: {version: V1}\n',
    )}${policy('v2', '  proxyProtocol: {version: V2}\n')}${policy('tcpcheck', tcpCheck)}${policy(
      'nocheck',
      '  loadBalancer: {type: RoundRobin}\n',
    )}`;
    ({ envoy, statuses } = await startTranslated(text, 'raw-tcp.yaml'));
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
  });

  it('accepts every policy', () => {
    for (const name of ['v1', 'v2', 'tcpcheck', 'nocheck'])
      expect(statuses).toContainEqual({ kind: 'BackendTrafficPolicy', name, accepted: 'Accepted' });
  });

  it('proxyProtocol opens upstream connections with a PROXY header of the version given', async () => {
    expect(backendOf(await get(port, '/v1'))).toBe('raw:v1');
    expect(backendOf(await get(port, '/v2'))).toBe('raw:v2');
    expect(backendOf(await get(port, '/plain'))).toBe('raw:none');
  });

  it('an active TCP check keeps only the endpoint answering the expected payload', async () => {
    let streak = 0;
    for (let i = 0; i < 300 && streak < 10; i++) {
      const reply = await get(port, '/tcpcheck');
      streak = backendOf(reply) === 'answers:none' ? streak + 1 : 0;
      if (streak === 0) await sleep(100);
    }
    expect(streak).toBe(10);
    // Without the check both endpoints serve.
    const names = new Set<string>();
    for (let i = 0; i < 10; i++) names.add(backendOf(await get(port, '/nocheck')) ?? 'none');
    expect([...names].sort()).toEqual(['answers:none', 'silent:none']);
  });
});
