// More ClientTrafficPolicy settings through real Envoy (clientTrafficPolicy.integration.test.ts has
// the first ones): where the client address comes from with directSourceIP, ignored HTTP/1.1
// upgrades, the safe HTTP/1 maximum connection duration, gRPC-Web, TLS fingerprints, client CAs
// from a ClusterTrustBundle, the socket buffer and the scheme. Manifests -> egts's translators ->
// a static bootstrap -> Envoy, with a local echo backend; one listener per behaviour, one policy
// on each.

import { createServer, request, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import type { ResourceStatus } from '@egts/api';
import type { EnvoyHandle } from '@egts/envoy-binary';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Certificate, clientCertificate, selfSigned } from '../internal/certificates.js';
import { freePort } from '../internal/freePort.js';
import { startStaticEnvoy } from '../internal/staticEnvoy.js';

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

/** An HTTP/1.1 keep-alive connection: requests one at a time, and whether the peer closed it. */
class Connection {
  private readonly socket: Socket;
  private text = '';
  closed = false;
  private readonly ready: Promise<void>;

  constructor(port: number) {
    this.socket = netConnect({ host: '127.0.0.1', port });
    this.socket.setEncoding('utf8');
    this.socket.on('data', (chunk: string) => {
      this.text += chunk;
    });
    this.socket.on('close', () => {
      this.closed = true;
    });
    this.socket.on('error', () => {});
    this.ready = new Promise((resolve) => this.socket.once('connect', () => resolve()));
  }

  /** Sends a GET and returns the response head once its body (JSON, by length) is in. */
  async get(path: string): Promise<string> {
    await this.ready;
    this.text = '';
    this.socket.write(`GET ${path} HTTP/1.1\r\nhost: x\r\n\r\n`);
    for (let i = 0; i < 600 && !this.closed; i++) {
      const head = this.text.split('\r\n\r\n')[0] ?? '';
      const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? -1);
      if (length >= 0 && this.text.length >= head.length + 4 + length) return head;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.text;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

const ns = 'default';

const ctp = (name: string, spec: string) => `---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: ClientTrafficPolicy
metadata: {name: ${name}, namespace: ${ns}}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: gw, sectionName: ${name}}]
${spec}`;

describe('[envoy] more ClientTrafficPolicy settings through a translated bootstrap', () => {
  let backend: Server;
  let envoy: EnvoyHandle | undefined;
  const ports: Record<string, number> = {};
  let statuses: readonly ResourceStatus[] = [];
  const port = (name: string) => ports[name] as number;
  let client: Certificate;

  beforeAll(async () => {
    const backendPort = await freePort();
    for (const name of ['plain', 'direct', 'xff', 'upgrade', 'safe', 'unsafe', 'web'])
      ports[name] = await freePort();
    for (const name of ['ja3', 'ja4', 'loaded', 'bundle']) ports[name] = await freePort();
    backend = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        // Also in a header: a gRPC-Web answer's body is reframed on its way back.
        res.setHeader('seen-content-type', req.headers['content-type'] ?? '');
        res.end(JSON.stringify({ headers: req.headers }));
      });
    });
    await new Promise<void>((resolve) => backend.listen(backendPort, '127.0.0.1', resolve));
    const server = selfSigned(['www.example.com']);
    const ca = selfSigned(['bundle-ca.example.com']);
    client = clientCertificate(ca, 'client.example.com');
    const indented = ca.cert
      .trim()
      .split('\n')
      .map((line) => `    ${line}`)
      .join('\n');
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const http = (name: string) => `{name: ${name}, protocol: HTTP, port: ${port(name)}}`;
    const https = (name: string) =>
      `{name: ${name}, protocol: HTTPS, port: ${port(name)}, tls: {certificateRefs: [{name: server-cert}]}}`;
    const text = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: ${ns}}
spec:
  gatewayClassName: eg
  listeners:
${['plain', 'direct', 'xff', 'upgrade', 'safe', 'unsafe', 'web'].map((n) => `  - ${http(n)}`).join('\n')}
${['ja3', 'ja4', 'loaded', 'bundle'].map((n) => `  - ${https(n)}`).join('\n')}
---
apiVersion: certificates.k8s.io/v1beta1
kind: ClusterTrustBundle
metadata: {name: client-ca}
spec:
  trustBundle: |
${indented}
---
apiVersion: v1
kind: Secret
metadata: {name: server-cert, namespace: ${ns}}
type: kubernetes.io/tls
data: {tls.crt: ${b64(server.cert)}, tls.key: ${b64(server.key)}}
---
apiVersion: v1
kind: Service
metadata: {name: echo, namespace: ${ns}}
spec: {ports: [{name: http, port: ${backendPort}}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: echo-1, namespace: ${ns}, labels: {kubernetes.io/service-name: echo}}
addressType: IPv4
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
ports: [{name: http, port: ${backendPort}}]
---
# Envoy's substitution formatters in response headers show what it made of the connection, as
# Envoy Gateway's JAFingerprint e2e test reads them.
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: echo, namespace: ${ns}}
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
${ctp('direct', '  clientIPDetection: {directSourceIP: {}}\n')}${ctp(
  'xff',
  '  clientIPDetection: {xForwardedFor: {numTrustedHops: 1}}\n',
)}${ctp('upgrade', '  http1: {ignoredUpgradeTypes: [{type: Prefix, value: tls/}]}\n')}${ctp(
  'safe',
  '  connection: {connectionLimit: {maxConnectionDuration: 1s}}\n',
)}${ctp(
  'unsafe',
  `  connection: {connectionLimit: {maxConnectionDuration: 1s}}
  http1: {disableSafeMaxConnectionDuration: true}
`,
)}${ctp('web', '  grpc: {enableWeb: true}\n')}${ctp('ja3', '  tls: {fingerprints: [JA3]}\n')}${ctp(
  'ja4',
  '  tls: {fingerprints: [JA3, JA4]}\n',
)}${ctp(
  'loaded',
  `  connection: {socketBufferLimit: 256Ki}
  scheme: MatchBackend
`,
)}${ctp(
  'bundle',
  '  tls: {clientValidation: {caCertificateRefs: [{group: certificates.k8s.io, kind: ClusterTrustBundle, name: client-ca}]}}\n',
)}`;
    ({ envoy, statuses } = await startStaticEnvoy(text, 'ctp-settings.yaml'));
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    await new Promise((resolve) => backend?.close(resolve));
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
    const safe = new Connection(port('safe'));
    const unsafe = new Connection(port('unsafe'));
    try {
      expect(await safe.get('/')).toMatch(/^HTTP\/1\.1 200/);
      expect(await unsafe.get('/')).toMatch(/^HTTP\/1\.1 200/);
      // Past the 1s duration: the drained connection is closed while idle...
      for (let i = 0; i < 300 && !unsafe.closed; i++)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(unsafe.closed).toBe(true);
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
