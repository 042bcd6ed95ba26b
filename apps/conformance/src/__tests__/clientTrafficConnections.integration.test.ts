// ClientTrafficPolicy connection limits and HTTP timeouts as a client sees them through real
// Envoy (each field had only a config-dump proof): maxRequestsPerConnection closes the
// connection after N requests, timeout.http.idleTimeout closes an idle connection,
// requestHeadersReceivedTimeout gives up on a client that never finishes its headers,
// maxStreamDuration and streamIdleTimeout end a request the backend is slow to answer, and the
// HTTP/2 SETTINGS frame carries maxConcurrentStreams and initialStreamWindowSize. Manifests ->
// egts's translators -> a static bootstrap -> Envoy; one listener per setting, `plain` without.
import { createServer, type Server } from 'node:http';
import { connect as http2Connect, type Settings } from 'node:http2';
import type { ResourceStatus } from '@egts/api';
import type { EnvoyHandle } from '@egts/envoy-binary';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStaticEnvoy } from '../internal/staticEnvoy.js';
import * as fixture from './clientTrafficFixture.js';

const LISTENERS = ['plain', 'perconn', 'idle', 'headers', 'stream', 'streamidle', 'h2'];

describe('[envoy] ClientTrafficPolicy connection limits and timeouts, as a client sees them', () => {
  let backend: Server;
  let envoy: EnvoyHandle | undefined;
  let ports: Record<string, number> = {};
  let statuses: readonly ResourceStatus[] = [];
  const port = (name: string) => ports[name] as number;

  beforeAll(async () => {
    ports = await fixture.freePorts(LISTENERS);
    backend = createServer((req, res) => {
      req.resume();
      // /slow answers after 3 s: longer than the stream limits below.
      req.on('end', () => setTimeout(() => res.end('ok'), req.url === '/slow' ? 3_000 : 0));
    });
    const backendPort = await fixture.listenOnFreePort(backend);
    const text = [
      fixture.gatewayWithListeners(LISTENERS.map((name) => fixture.httpListener(name, port(name)))),
      fixture.echoService(backendPort),
      fixture.echoRoute(backendPort),
      fixture.listenerPolicies({
        perconn: 'connection: {connectionLimit: {maxRequestsPerConnection: 2}}',
        idle: 'timeout: {http: {idleTimeout: 1s}}',
        headers: 'timeout: {http: {requestHeadersReceivedTimeout: 1s}}',
        stream: 'connection: {connectionLimit: {maxStreamDuration: 1s}}',
        streamidle: 'timeout: {http: {streamIdleTimeout: 1s}}',
        h2: 'http2: {maxConcurrentStreams: 7, initialStreamWindowSize: 128Ki}',
      }),
    ].join('');
    ({ envoy, statuses } = await startStaticEnvoy(text, 'ctp-connections.yaml'));
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    await fixture.closeServer(backend);
  });

  it('accepts every policy', () => {
    const policies = statuses.filter((s) => s.kind === 'ClientTrafficPolicy');
    expect(policies).toHaveLength(6);
    for (const policy of policies)
      expect(JSON.stringify(policy.status)).toContain('"type":"Accepted","status":"True"');
  });

  it('closes a connection after maxRequestsPerConnection requests', async () => {
    const limited = new fixture.KeepAliveConnection(port('perconn'));
    const plain = new fixture.KeepAliveConnection(port('plain'));
    try {
      expect(await limited.get('/')).toMatch(/^HTTP\/1\.1 200/);
      const second = await limited.get('/');
      expect(second).toMatch(/^HTTP\/1\.1 200/);
      expect(second.toLowerCase()).toContain('connection: close');
      expect(await limited.closesWithin(10_000)).toBe(true);
      for (let i = 0; i < 3; i++) {
        const head = await plain.get('/');
        expect(head).toMatch(/^HTTP\/1\.1 200/);
        expect(head.toLowerCase()).not.toContain('connection: close');
      }
      expect(plain.closed).toBe(false);
    } finally {
      limited.destroy();
      plain.destroy();
    }
  }, 60_000);

  it('closes an idle connection after timeout.http.idleTimeout', async () => {
    const idle = new fixture.KeepAliveConnection(port('idle'));
    const plain = new fixture.KeepAliveConnection(port('plain'));
    try {
      expect(await idle.get('/')).toMatch(/^HTTP\/1\.1 200/);
      expect(await plain.get('/')).toMatch(/^HTTP\/1\.1 200/);
      // 1 s idle timeout: closed well within 20 s; the default (1 h) keeps the other open.
      expect(await idle.closesWithin(20_000)).toBe(true);
      expect(plain.closed).toBe(false);
    } finally {
      idle.destroy();
      plain.destroy();
    }
  }, 60_000);

  it('gives up on unfinished request headers after requestHeadersReceivedTimeout', async () => {
    const slow = new fixture.KeepAliveConnection(port('headers'));
    const plain = new fixture.KeepAliveConnection(port('plain'));
    try {
      await slow.write('GET / HTTP/1.1\r\nhost: x\r\n');
      await plain.write('GET / HTTP/1.1\r\nhost: x\r\n');
      // Envoy answers 408 and closes; without the setting it keeps waiting.
      expect(await slow.closesWithin(20_000)).toBe(true);
      expect(slow.text).toMatch(/^HTTP\/1\.1 408/);
      expect(plain.closed).toBe(false);
      expect(plain.text).toBe('');
    } finally {
      slow.destroy();
      plain.destroy();
    }
  }, 60_000);

  it('ends a request past maxStreamDuration or streamIdleTimeout, not a plain one', async () => {
    const status = async (name: string) => {
      const conn = new fixture.KeepAliveConnection(port(name));
      try {
        return /^HTTP\/1\.1 (\d+)/.exec(await conn.get('/slow'))?.[1];
      } finally {
        conn.destroy();
      }
    };
    const [stream, idle, plain] = await Promise.all([
      status('stream'),
      status('streamidle'),
      status('plain'),
    ]);
    expect(plain).toBe('200');
    // Envoy gives up on the upstream request after 1 s and answers 504 itself.
    expect(stream).toBe('504');
    expect(idle).toBe('504');
  }, 60_000);

  it('advertises http2 maxConcurrentStreams and initialStreamWindowSize in its SETTINGS', async () => {
    const settings = (name: string) =>
      new Promise<Settings>((resolve, reject) => {
        const session = http2Connect(`http://127.0.0.1:${port(name)}`);
        session.once('remoteSettings', (remote) => {
          resolve(remote);
          session.close();
        });
        session.once('error', reject);
      });
    const [tuned, plain] = await Promise.all([settings('h2'), settings('plain')]);
    expect(tuned.maxConcurrentStreams).toBe(7);
    expect(tuned.initialWindowSize).toBe(131_072);
    expect(plain.maxConcurrentStreams).not.toBe(7);
    expect(plain.initialWindowSize).not.toBe(131_072);
  }, 60_000);
});
