// More ClientTrafficPolicy settings through real Envoy (clientTrafficPolicy.integration.test.ts has
// the first ones): where the client address comes from with directSourceIP, ignored HTTP/1.1
// upgrades, the safe HTTP/1 maximum connection duration, gRPC-Web, TLS fingerprints, client CAs
// from a ClusterTrustBundle, the socket buffer and the scheme. Manifests -> egts's translators ->
// a static bootstrap -> Envoy, with a local echo backend; one listener per behaviour, one policy
// on each.

import { createServer, request, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ResourceStatus } from '@egts/api';
import type { EnvoyHandle } from '@egts/envoy-binary';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Certificate, clientCertificate, selfSigned } from '../internal/certificates.js';
import { startStaticEnvoy } from '../internal/staticEnvoy.js';
import * as fixture from './clientTrafficFixture.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The request headers the backend saw (lower-cased names), when it answered. */
  seen: Record<string, string>;
}

const collect = (
  res: import('node:http').IncomingMessage,
  resolve: (reply: Reply) => void,
): void => {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    body += chunk;
  });
  res.on('end', () => {
    let seen: Record<string, string> = {};
    try {
      seen = (JSON.parse(body) as { headers: Record<string, string> }).headers;
    } catch {}
    resolve({ status: res.statusCode ?? 0, headers: res.headers, seen });
  });
};

const send = (
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<Reply> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) =>
      collect(res, resolve),
    );
    req.on('error', reject);
    req.end();
  });

const sendTls = (port: number, host: string, cert?: Certificate): Promise<Reply> =>
  new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/',
        servername: host,
        headers: { host },
        rejectUnauthorized: false,
        agent: false,
        ...(cert ? { cert: cert.cert, key: cert.key } : {}),
      },
      (res) => collect(res, resolve),
    );
    req.on('error', reject);
    req.end();
  });

const HTTP_LISTENERS = ['plain', 'direct', 'xff', 'upgrade', 'safe', 'unsafe', 'web'];
const HTTPS_LISTENERS = ['ja3', 'ja4', 'loaded', 'bundle'];

describe('[envoy] more ClientTrafficPolicy settings through a translated bootstrap', () => {
  let backend: Server;
  let envoy: EnvoyHandle | undefined;
  let ports: Record<string, number> = {};
  let statuses: readonly ResourceStatus[] = [];
  const port = (name: string) => ports[name] as number;
  let client: Certificate;

  beforeAll(async () => {
    ports = await fixture.freePorts([...HTTP_LISTENERS, ...HTTPS_LISTENERS]);
    backend = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        // Also in a header: a gRPC-Web answer's body is reframed on its way back.
        res.setHeader('seen-content-type', req.headers['content-type'] ?? '');
        res.end(JSON.stringify({ headers: req.headers }));
      });
    });
    const backendPort = await fixture.listenOnFreePort(backend);
    const ca = selfSigned(['bundle-ca.example.com']);
    client = clientCertificate(ca, 'client.example.com');
    const indented = ca.cert
      .trim()
      .split('\n')
      .map((line) => `    ${line}`)
      .join('\n');
    const text = [
      fixture.gatewayWithListeners([
        ...HTTP_LISTENERS.map((name) => fixture.httpListener(name, port(name))),
        ...HTTPS_LISTENERS.map((name) => fixture.httpsListener(name, port(name))),
      ]),
      `---
apiVersion: certificates.k8s.io/v1beta1
kind: ClusterTrustBundle
metadata: {name: client-ca}
spec:
  trustBundle: |
${indented}
`,
      fixture.serverCertificate(selfSigned(['www.example.com'])),
      fixture.echoService(backendPort),
      `---
# Envoy's substitution formatters in response headers show what it made of the connection, as
# Envoy Gateway's JAFingerprint e2e test reads them.
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: echo, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules:
  - backendRefs: [{name: echo, port: ${backendPort}}]
    filters:
    - type: ResponseHeaderModifier
      responseHeaderModifier:
        set:
        - {name: client-address, value: "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%"}
        - {name: ja3-fingerprint, value: "%TLS_JA3_FINGERPRINT%"}
        - {name: ja4-fingerprint, value: "%TLS_JA4_FINGERPRINT%"}
`,
      fixture.listenerPolicies({
        direct: 'clientIPDetection: {directSourceIP: {}}',
        xff: 'clientIPDetection: {xForwardedFor: {numTrustedHops: 1}}',
        upgrade: 'http1: {ignoredUpgradeTypes: [{type: Prefix, value: tls/}]}',
        safe: 'connection: {connectionLimit: {maxConnectionDuration: 1s}}',
        unsafe: `connection: {connectionLimit: {maxConnectionDuration: 1s}}
http1: {disableSafeMaxConnectionDuration: true}`,
        web: 'grpc: {enableWeb: true}',
        ja3: 'tls: {fingerprints: [JA3]}',
        ja4: 'tls: {fingerprints: [JA3, JA4]}',
        loaded: `connection: {socketBufferLimit: 256Ki}
scheme: MatchBackend`,
        bundle:
          'tls: {clientValidation: {caCertificateRefs: [{group: certificates.k8s.io, kind: ClusterTrustBundle, name: client-ca}]}}',
      }),
    ].join('');
    ({ envoy, statuses } = await startStaticEnvoy(text, 'ctp-settings.yaml'));
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    await fixture.closeServer(backend);
  });

  it('accepts every policy', () => {
    const policies = statuses.filter((s) => s.kind === 'ClientTrafficPolicy');
    expect(policies).toHaveLength(10);
    for (const s of policies) {
      const status = s.status as {
        ancestors: { conditions: { type: string; reason: string }[] }[];
      };
      const condition = status.ancestors[0]?.conditions.find((c) => c.type === 'Accepted');
      expect(condition, s.metadata.name).toMatchObject({ reason: 'Accepted' });
    }
  });

  it('takes the TCP peer as the client with directSourceIP', async () => {
    const xff = { 'x-forwarded-for': '192.0.2.10' };
    // One trusted hop: the client is the address the trusted peer put in x-forwarded-for.
    expect((await send(port('xff'), '/', xff)).headers['client-address']).toBe('192.0.2.10');
    // directSourceIP: the TCP peer, whatever the header says.
    const direct = await send(port('direct'), '/', xff);
    expect(direct.status).toBe(200);
    expect(direct.headers['client-address']).toBe('127.0.0.1');
  });

  it('serves ignored HTTP/1.1 upgrades as plain requests', async () => {
    const upgrade = { connection: 'upgrade', upgrade: 'tls/1.2' };
    // Envoy refuses an upgrade no route allows.
    expect((await send(port('plain'), '/', upgrade)).status).toBe(403);
    const ignored = await send(port('upgrade'), '/', upgrade);
    expect(ignored.status).toBe(200);
    expect(ignored.seen.upgrade).toBeUndefined();
    // Only the types listed are ignored.
    expect((await send(port('upgrade'), '/', { ...upgrade, upgrade: 'h2c-like' })).status).toBe(
      403,
    );
  });

  it('closes HTTP/1 connections past their duration safely or at once', async () => {
    const safe = new fixture.KeepAliveConnection(port('safe'));
    const unsafe = new fixture.KeepAliveConnection(port('unsafe'));
    try {
      expect(await safe.get('/')).toMatch(/^HTTP\/1\.1 200/);
      expect(await unsafe.get('/')).toMatch(/^HTTP\/1\.1 200/);
      // Past the 1s duration: the drained connection is closed while idle...
      expect(await unsafe.closesWithin(30_000)).toBe(true);
      // ...the safe one waits for the next request and closes after answering it.
      expect(safe.closed).toBe(false);
      const last = await safe.get('/');
      expect(last).toMatch(/^HTTP\/1\.1 200/);
      expect(last.toLowerCase()).toContain('connection: close');
    } finally {
      safe.destroy();
      unsafe.destroy();
    }
  }, 60_000);

  it('turns gRPC-Web into gRPC with grpc.enableWeb', async () => {
    const grpcWeb = { 'content-type': 'application/grpc-web+proto' };
    const web = await send(port('web'), '/', grpcWeb, 'POST');
    expect(web.headers['seen-content-type']).toBe('application/grpc');
    // Without the policy the request reaches the backend as it came.
    const plain = await send(port('plain'), '/', grpcWeb, 'POST');
    expect(plain.headers['seen-content-type']).toBe('application/grpc-web+proto');
  });

  it('computes the JA3 and JA4 fingerprints asked for', async () => {
    const ja3Only = await sendTls(port('ja3'), 'www.example.com');
    expect(ja3Only.status).toBe(200);
    // JA3 is an MD5 digest; JA4 reads like t13d1516h2_8daaf6152771_02713d6af862.
    expect(ja3Only.headers['ja3-fingerprint']).toMatch(/^[0-9a-f]{32}$/);
    expect(ja3Only.headers['ja4-fingerprint']).toBeUndefined();
    const both = await sendTls(port('ja4'), 'www.example.com');
    expect(both.headers['ja3-fingerprint']).toMatch(/^[0-9a-f]{32}$/);
    expect(both.headers['ja4-fingerprint']).toMatch(/^t1[0-3][di]\d{4}[0-9a-z]{2}_[0-9a-f]{12}_/);
    // Without the policy: neither.
    const none = await sendTls(port('loaded'), 'www.example.com');
    expect(none.status).toBe(200);
    expect(none.headers['ja3-fingerprint']).toBeUndefined();
  });

  it('verifies client certificates against a ClusterTrustBundle', async () => {
    const signed = await sendTls(port('bundle'), 'www.example.com', client);
    expect(signed.status).toBe(200);
    // Without a certificate the handshake (TLS 1.3: the first read) fails.
    await expect(sendTls(port('bundle'), 'www.example.com')).rejects.toThrow();
  });

  it('Envoy loads the socket buffer limit and the scheme', async () => {
    const dump = JSON.parse(await (envoy as EnvoyHandle).admin('/config_dump')) as {
      configs: { static_listeners?: unknown[] }[];
    };
    const loaded = JSON.stringify(
      dump.configs
        .flatMap((c) => c.static_listeners ?? [])
        .find((l) => JSON.stringify(l).includes(`"port_value":${port('loaded')}`)),
    );
    // SOL_SOCKET (1) SO_RCVBUF (8), 256 KiB, set before bind.
    expect(loaded).toContain('"level":"1","name":"8","int_value":"262144"');
    expect(loaded).toContain('"scheme_header_transformation":{"match_upstream":true}');
  });
});
