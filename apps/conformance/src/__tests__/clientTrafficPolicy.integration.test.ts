// ClientTrafficPolicy through real Envoy: manifests -> egts's translators -> a static bootstrap ->
// Envoy, with a local echo backend. One Gateway, one listener per behaviour, each shaped by a
// policy on its sectionName; a Gateway-wide policy shapes the listeners no section policy targets
// (Envoy Gateway's precedence). Bad settings are refused with Accepted=False naming the field.

import { createHash, createPublicKey, X509Certificate } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { loadResourcesFromText, type ResourceStatus } from '@egts/api';
import type { EnvoyHandle } from '@egts/envoy-binary';
import { translate } from '@egts/gatewayapi-translator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Certificate,
  clientCertificate,
  revocationList,
  selfSigned,
} from '../internal/certificates.js';
import { findQuicPython, http3Get } from '../internal/http3Client.js';
import { startStaticEnvoy } from '../internal/staticEnvoy.js';
import * as fixture from './clientTrafficFixture.js';

const quicPython = findQuicPython();

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The request headers the backend saw (lower-cased names), when it answered. */
  seen: Record<string, string>;
}

const parseSeen = (body: string): Record<string, string> => {
  try {
    return (JSON.parse(body) as { headers: Record<string, string> }).headers;
  } catch {
    return {};
  }
};

const get = (port: number, path: string, headers: Record<string, string> = {}): Promise<Reply> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, seen: parseSeen(body) }),
      );
    });
    req.on('error', reject);
    req.end();
  });

/** Writes `data` on a fresh connection and returns all it reads until the peer closes. */
const raw = (socket: Socket | TLSSocket, data: string | undefined): Promise<string> =>
  new Promise((resolve) => {
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('error', () => resolve(text));
    socket.on('close', () => resolve(text));
    if (data !== undefined) socket.write(data);
  });

const rawHttp = (port: number, data: string) => raw(netConnect({ host: '127.0.0.1', port }), data);

const statusOf = (text: string) => Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);

describe('[envoy] ClientTrafficPolicy through a translated bootstrap', () => {
  let backend: Server;
  let envoy: EnvoyHandle | undefined;
  let ports: Record<string, number> = {};
  let statuses: readonly ResourceStatus[] = [];
  let server: Certificate;
  let client: Certificate;
  let ca: Certificate;
  /** Signed by the same CA as `client`, and revoked by the CRL. */
  let other: Certificate;

  const accepted = (name: string) => {
    const status = statuses.find(
      (s) => s.kind === 'ClientTrafficPolicy' && s.metadata.name === name,
    )?.status as {
      ancestors?: { conditions: { type: string; reason: string; message: string }[] }[];
    };
    return status?.ancestors?.[0]?.conditions.find((c) => c.type === 'Accepted');
  };

  beforeAll(async () => {
    ports = await fixture.freePorts([
      'plain',
      'xff',
      'cidr',
      'custom',
      'limit',
      'pp',
      'tls',
      'mtls',
      'dot',
      'http10',
      'case',
      'h3',
      'crl',
      'spki',
      'hash',
      'san',
      'tcp',
      'loaded',
    ]);
    backend = createServer((req, res) => {
      // Echo the request headers once the body is in; the late response headers act on these.
      req.resume();
      req.on('end', () => {
        res.setHeader('late-removed-header', 'x');
        res.setHeader('late-removed-regex-header', 'x');
        res.setHeader('late-add-if-absent-existing', 'backend');
        res.setHeader('content-type', 'application/json');
        // Node writes names as given: what reaches the client shows whether Envoy kept the case.
        res.setHeader('X-BaCkEnD-CaSe', 'x');
        res.end(JSON.stringify({ headers: req.headers, rawHeaders: req.rawHeaders }));
      });
    });
    const backendPort = await fixture.listenOnFreePort(backend);
    server = selfSigned(['www.example.com']);
    ca = selfSigned(['client-ca.example.com']);
    client = clientCertificate(ca, 'client.example.com');
    other = clientCertificate(ca, 'other.example.com');
    const crl = revocationList(ca, [other]);
    const spki = (c: Certificate) =>
      createHash('sha256')
        .update(createPublicKey(c.cert).export({ type: 'spki', format: 'der' }))
        .digest('base64');
    const fingerprint = (c: Certificate) => new X509Certificate(c.cert).fingerprint256;
    const pem = (text: string) =>
      text
        .trim()
        .split('\n')
        .map((line) => `    ${line}`)
        .join('\n');
    const validation = (extra: string) =>
      `tls: {clientValidation: {caCertificateRefs: [{kind: ConfigMap, name: client-ca}], ${extra}}}`;
    const http = (name: string, extra = '') =>
      fixture.httpListener(name, ports[name] as number, extra);
    const https = (name: string) => fixture.httpsListener(name, ports[name] as number);
    const text = [
      fixture.gatewayWithListeners([
        http('plain'),
        http('xff'),
        http('cidr'),
        http('custom'),
        http('limit'),
        http('pp'),
        https('tls'),
        https('mtls'),
        http('dot', ', hostname: www.example.com'),
        http('http10', ', hostname: www.example.com'),
        http('case'),
        https('h3'),
        https('crl'),
        https('spki'),
        https('hash'),
        https('san'),
        `{name: tcp, protocol: TCP, port: ${ports.tcp}}`,
        https('loaded'),
      ]),
      fixture.serverCertificate(server),
      `---
apiVersion: v1
kind: ConfigMap
metadata: {name: client-ca, namespace: default}
data:
  ca.crt: |
${pem(ca.cert)}
---
apiVersion: gateway.networking.k8s.io/v1
kind: TCPRoute
metadata: {name: echo-tcp, namespace: default}
spec:
  parentRefs: [{name: gw, sectionName: tcp}]
  rules: [{backendRefs: [{name: echo, port: ${backendPort}}]}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: client-crl, namespace: default}
data:
  ca.crl: |
${pem(crl)}
`,
      fixture.echoService(backendPort),
      fixture.echoRoute(backendPort),
      `---
# A route of its own: a route on several listeners has one cluster, shaped by the first listener.
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: echo-case, namespace: default}
spec:
  parentRefs: [{name: gw, sectionName: case}]
  rules: [{matches: [{path: {type: PathPrefix, value: /case}}], backendRefs: [{name: echo, port: ${backendPort}}]}]
---
# And one for /case on the plain listener: the route \`echo\` is on every listener, \`case\` too, and
# its one cluster keeps the header case when the first listener in port order (ports are random)
# is \`case\`; a cluster that keeps the case restores it on any listener's responses, which made
# the plain check below fail about once in sixteen runs.
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: echo-case-plain, namespace: default}
spec:
  parentRefs: [{name: gw, sectionName: plain}]
  rules: [{matches: [{path: {type: PathPrefix, value: /case}}], backendRefs: [{name: echo, port: ${backendPort}}]}]
`,
      fixture.gatewayPolicy(
        'gateway-wide',
        `headers:
  enableEnvoyHeaders: true
  withUnderscoresAction: Allow
  requestID: Preserve
  maxRequestHeaderLimit: 2Ki
  earlyRequestHeaders:
    add: [{name: early-added-header, value: early}]
    set: [{name: early-set-header, value: early}]
    addIfAbsent: [{name: early-if-absent, value: early}]
    remove: [early-removed-header]
    removeOnMatch: [{type: RegularExpression, value: "early-removed-regex-.*"}]
  lateResponseHeaders:
    add: [{name: late-added-header, value: late}]
    set: [{name: late-set-header, value: late}]
    addIfAbsent: [{name: late-add-if-absent-existing, value: late-default}]
    remove: [late-removed-header]
    removeOnMatch: [{type: Prefix, value: late-removed-regex-}]
healthCheck: {path: /ready}
timeout: {http: {requestReceivedTimeout: 500ms}}
path: {escapedSlashesAction: RejectRequest, disableMergeSlashes: true}`,
      ),
      fixture.listenerPolicies({
        xff: 'clientIPDetection: {xForwardedFor: {numTrustedHops: 1, disableXForwardedForAppend: true}}',
        cidr: 'clientIPDetection: {xForwardedFor: {trustedCIDRs: [127.0.0.0/8, 203.0.113.0/24]}}',
        custom: 'clientIPDetection: {customHeader: {name: x-client-ip, failClosed: true}}',
        limit: 'connection: {connectionLimit: {value: 1}}',
        pp: 'proxyProtocol: {}',
        tls: 'tls: {minVersion: "1.3", alpnProtocols: [http/1.1]}',
        mtls: `tls:
  clientValidation: {caCertificateRefs: [{kind: ConfigMap, name: client-ca}]}
headers:
  xForwardedClientCert: {mode: SanitizeSet, certDetailsToAdd: [Subject]}`,
        dot: 'headers: {host: {stripTrailingHostDot: true}}',
        http10: 'http1: {http10: {useDefaultHost: true}}',
        case: 'http1: {preserveHeaderCase: true}',
        h3: 'http3: {}',
        crl: validation('crl: {refs: [{kind: ConfigMap, name: client-crl}]}'),
        spki: validation(`spkiHashes: ["${spki(client)}"]`),
        hash: validation(`certificateHashes: ["${fingerprint(other)}"]`),
        san: validation(
          'subjectAltNames: {dnsNames: [{type: Suffix, value: .example.org}]}, allowExpiredCertificate: true',
        ),
        tcp: 'timeout: {tcp: {idleTimeout: 1s}}',
        loaded: `connection:
  bufferLimit: 64Ki
  maxAcceptPerSocketEvent: 3
  connectionLimit: {value: 100, closeDelay: 2s, maxConnectionDuration: 30m, maxRequestsPerConnection: 7, maxStreamDuration: 9m}
http1: {enableTrailers: true}
http2:
  initialStreamWindowSize: 128Ki
  initialConnectionWindowSize: 2Mi
  maxConcurrentStreams: 42
  onInvalidMessage: TerminateStream
  connectionKeepalive: {interval: 31s, timeout: 6s, intervalJitter: 15, idleInterval: 61s}
tcpKeepalive: {probes: 4, idleTime: 20s, interval: 5s}
timeout:
  http: {requestHeadersReceivedTimeout: 11s, idleTimeout: 13s, streamIdleTimeout: 17s}
  tcp: {tlsHandshakeTimeout: 7s, connectionInspectionTimeout: 9s}
tls:
  maxVersion: "1.2"
  ciphers: [ECDHE-RSA-AES128-GCM-SHA256]
  ecdhCurves: [P-256]
  signatureAlgorithms: [rsa_pss_rsae_sha256, ecdsa_secp256r1_sha256]
  session: {resumption: {stateless: {}}}`,
      }),
    ].join('');
    ({ envoy, statuses } = await startStaticEnvoy(text, 'ctp.yaml'));
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    await fixture.closeServer(backend);
  });

  it('accepts the valid policies', () => {
    for (const name of [
      'gateway-wide',
      'xff',
      'cidr',
      'custom',
      'limit',
      'pp',
      'tls',
      'mtls',
      'dot',
    ])
      expect(accepted(name)?.reason, name).toBe('Accepted');
    for (const name of ['http10', 'case', 'h3', 'crl', 'spki', 'hash', 'san', 'tcp', 'loaded'])
      expect(accepted(name), name).toMatchObject({ reason: 'Accepted' });
  });

  it('refuses bad input naming the field: an unknown cipher, a CA bundle without a certificate', () => {
    // Each alone: only the oldest policy on a section is judged, the others are Conflicted.
    const alone = (name: string) => {
      const { resources } = loadResourcesFromText(
        `${fixture.gatewayWithListeners([fixture.httpListener('bad', 8080)])}---
apiVersion: v1
kind: ConfigMap
metadata: {name: no-certificate, namespace: default}
data: {ca.crt: "not a certificate"}
${name}`,
        'bad.yaml',
      );
      const status = translate(resources).statuses.find((s) => s.kind === 'ClientTrafficPolicy')
        ?.status as {
        ancestors: { conditions: { type: string; reason: string; message: string }[] }[];
      };
      return status.ancestors[0]?.conditions.find((c) => c.type === 'Accepted');
    };
    const cipher = alone(
      fixture.clientTrafficPolicy('unknown-cipher', 'bad', 'tls: {ciphers: [NOT-A-CIPHER]}'),
    );
    expect(cipher).toMatchObject({ reason: 'Invalid' });
    expect(cipher?.message).toContain('tls.ciphers');
    const noCa = alone(
      fixture.clientTrafficPolicy(
        'no-ca-certificate',
        'bad',
        'tls: {clientValidation: {caCertificateRefs: [{kind: ConfigMap, name: no-certificate}]}}',
      ),
    );
    expect(noCa).toMatchObject({ reason: 'Invalid' });
    expect(noCa?.message).toContain('tls.clientValidation.caCertificateRefs[0]');
  });

  it('changes request and response headers early and late', async () => {
    const reply = await get(ports.plain as number, '/h', {
      'early-set-header': 'client',
      'early-removed-header': 'client',
      'early-if-absent': 'client',
      'early-removed-regex-header': 'client',
    });
    expect(reply.status).toBe(200);
    expect(reply.seen['early-added-header']).toBe('early');
    expect(reply.seen['early-set-header']).toBe('early');
    expect(reply.seen['early-if-absent']).toBe('client');
    expect(reply.seen['early-removed-header']).toBeUndefined();
    expect(reply.seen['early-removed-regex-header']).toBeUndefined();
    expect(reply.headers['late-added-header']).toBe('late');
    expect(reply.headers['late-set-header']).toBe('late');
    expect(reply.headers['late-add-if-absent-existing']).toBe('backend');
    expect(reply.headers['late-removed-header']).toBeUndefined();
    expect(reply.headers['late-removed-regex-header']).toBeUndefined();
  });

  it('underscores, request IDs, header size and Envoy headers', async () => {
    const reply = await get(ports.plain as number, '/h', {
      with_underscore: 'kept',
      'x-request-id': 'client-id',
    });
    expect(reply.status).toBe(200);
    expect(reply.seen.with_underscore).toBe('kept');
    expect(reply.seen['x-request-id']).toBe('client-id');
    expect(reply.headers['x-envoy-upstream-service-time']).toBeDefined();
    // 2 KiB of request headers at most: Envoy answers 431.
    const big = await get(ports.plain as number, '/h', { 'x-big': 'a'.repeat(4096) });
    expect(big.status).toBe(431);
    // Without the policy (another listener): underscores rejected, x-envoy-* suppressed.
    const other = await get(ports.dot as number, '/h', {
      host: 'www.example.com',
      with_underscore: 'x',
    });
    expect(other.status).toBe(400);
  });

  it('answers the health check path itself', async () => {
    const reply = await get(ports.plain as number, '/ready');
    expect(reply.status).toBe(200);
    expect(reply.seen).toEqual({});
  });

  it('answers 408 when a request is not received in time', async () => {
    const socket = netConnect({ host: '127.0.0.1', port: ports.plain as number });
    // Headers promise a body that never comes.
    const text = await raw(socket, 'POST /slow HTTP/1.1\r\nhost: x\r\ncontent-length: 10\r\n\r\n');
    expect(statusOf(text)).toBe(408);
  });

  it('keeps or rejects escaped slashes and merges slashes as told', async () => {
    expect((await get(ports.plain as number, '/a%2Fb')).status).toBe(400);
    const unmerged = await rawHttp(
      ports.plain as number,
      'GET //a//b HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n',
    );
    expect(statusOf(unmerged)).toBe(200);
    // Default (another listener): escaped slashes are unescaped with a redirect.
    const other = await get(ports.dot as number, '/a%2Fb', { host: 'www.example.com' });
    expect(other.status).toBe(307);
  });

  /** The downstream address Envoy's default access log (on stdout) gives a request to `path`. */
  const loggedClient = async (path: string): Promise<string | undefined> => {
    // Envoy flushes access logs about every second; a loaded machine may take longer.
    for (let i = 0; i < 300; i++) {
      for (const line of (envoy as EnvoyHandle).logs().split('\n')) {
        if (!line.startsWith('{') || !line.includes(`"${path}"`)) continue;
        const entry = JSON.parse(line) as Record<string, unknown>;
        if (entry['x-envoy-origin-path'] === path)
          return String(entry.downstream_remote_address).replace(/:\d+$/, '');
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return undefined;
  };

  it('finds the client address from trusted hops or a custom header', async () => {
    const reply = await get(ports.xff as number, '/ip-xff', {
      'x-forwarded-for': '192.0.2.10, 203.0.113.10',
    });
    expect(reply.status).toBe(200);
    // One trusted hop: the client is the rightmost entry (the one the trusted proxy appended).
    expect(await loggedClient('/ip-xff')).toBe('203.0.113.10');
    // disableXForwardedForAppend: the peer's address is not appended.
    expect(reply.seen['x-forwarded-for']).toBe('192.0.2.10, 203.0.113.10');
    // Trusted CIDRs: the first address from the right outside them (the peer, 127.0.0.1, and
    // 203.0.113.10 are trusted).
    const cidr = await get(ports.cidr as number, '/ip-cidr', {
      'x-forwarded-for': '192.0.2.10, 203.0.113.10',
    });
    expect(cidr.status).toBe(200);
    expect(await loggedClient('/ip-cidr')).toBe('192.0.2.10');
    // failClosed: a request without the header is refused.
    expect((await get(ports.custom as number, '/ip')).status).toBe(403);
    const custom = await get(ports.custom as number, '/ip-custom', {
      'x-client-ip': '198.51.100.7',
    });
    expect(custom.status).toBe(200);
    expect(await loggedClient('/ip-custom')).toBe('198.51.100.7');
  });

  it('closes connections over the connection limit', async () => {
    const first = netConnect({ host: '127.0.0.1', port: ports.limit as number });
    await new Promise((resolve) => first.once('connect', resolve));
    // The first connection holds the only slot; give Envoy time to count it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const second = await rawHttp(
      ports.limit as number,
      'GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n',
    );
    expect(statusOf(second)).toBe(0);
    first.destroy();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const third = await rawHttp(
      ports.limit as number,
      'GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n',
    );
    expect(statusOf(third)).toBe(200);
  });

  it('reads the client address from a PROXY protocol header', async () => {
    const withHeader = await rawHttp(
      ports.pp as number,
      'PROXY TCP4 198.51.100.20 127.0.0.1 40000 80\r\nGET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n',
    );
    expect(statusOf(withHeader)).toBe(200);
    expect(withHeader).toContain('198.51.100.20');
    const without = await rawHttp(
      ports.pp as number,
      'GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n',
    );
    expect(statusOf(without)).toBe(0);
  });

  interface Handshake {
    ok: boolean;
    protocol?: string | null;
    alpn?: string | false | null;
    socket?: TLSSocket;
  }

  const handshake = (
    port: number,
    options: { maxVersion?: 'TLSv1.2' | 'TLSv1.3'; alpn?: string[]; cert?: Certificate },
  ): Promise<Handshake> =>
    new Promise((resolve) => {
      const socket = tlsConnect({
        host: '127.0.0.1',
        port,
        servername: 'www.example.com',
        rejectUnauthorized: false,
        ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
        ...(options.alpn ? { ALPNProtocols: options.alpn } : {}),
        ...(options.cert ? { cert: options.cert.cert, key: options.cert.key } : {}),
      });
      socket.once('secureConnect', () =>
        resolve({ ok: true, protocol: socket.getProtocol(), alpn: socket.alpnProtocol, socket }),
      );
      socket.once('error', () => resolve({ ok: false }));
    });

  it('negotiates the TLS versions and ALPN the policy allows', async () => {
    const tls13 = await handshake(ports.tls as number, { alpn: ['h2', 'http/1.1'] });
    expect(tls13).toMatchObject({ ok: true, protocol: 'TLSv1.3', alpn: 'http/1.1' });
    tls13.socket?.destroy();
    expect((await handshake(ports.tls as number, { maxVersion: 'TLSv1.2' })).ok).toBe(false);
    // maxVersion 1.2 on another listener.
    const tls12 = await handshake(ports.loaded as number, {});
    expect(tls12).toMatchObject({ ok: true, protocol: 'TLSv1.2' });
    tls12.socket?.destroy();
  });

  it('verifies client certificates and forwards their details', async () => {
    const anonymous = await handshake(ports.mtls as number, {});
    // TLS 1.3 reports a refused client certificate after the handshake: nothing is served.
    const refused = anonymous.socket
      ? await raw(anonymous.socket, 'GET / HTTP/1.1\r\nhost: www.example.com\r\n\r\n')
      : '';
    expect(statusOf(refused)).toBe(0);
    const known = await handshake(ports.mtls as number, { cert: client });
    expect(known.ok).toBe(true);
    const text = await raw(
      known.socket as TLSSocket,
      'GET / HTTP/1.1\r\nhost: www.example.com\r\nconnection: close\r\n\r\n',
    );
    expect(statusOf(text)).toBe(200);
    expect(text).toMatch(/x-forwarded-client-cert":"[^"]*Subject=\\"CN=client.example.com/);
  });

  /** Whether a request with `cert` is served on `port` (a refused certificate gets nothing). */
  const servedWith = async (port: number, cert: Certificate): Promise<boolean> => {
    const shake = await handshake(port, { cert });
    if (!shake.socket) return false;
    const text = await raw(
      shake.socket,
      'GET / HTTP/1.1\r\nhost: www.example.com\r\nconnection: close\r\n\r\n',
    );
    return statusOf(text) === 200;
  };

  it('refuses revoked, unpinned and unnamed client certificates', async () => {
    // Both are signed by the CA the mtls listener trusts.
    expect(await servedWith(ports.mtls as number, client)).toBe(true);
    expect(await servedWith(ports.mtls as number, other)).toBe(true);
    // CRL: `other` is revoked.
    expect(await servedWith(ports.crl as number, client)).toBe(true);
    expect(await servedWith(ports.crl as number, other)).toBe(false);
    // SPKI pin of `client`; certificate hash pin of `other`.
    expect(await servedWith(ports.spki as number, client)).toBe(true);
    expect(await servedWith(ports.spki as number, other)).toBe(false);
    expect(await servedWith(ports.hash as number, client)).toBe(false);
    expect(await servedWith(ports.hash as number, other)).toBe(true);
    // Subject alternative names: neither carries a *.example.org DNS name.
    expect(await servedWith(ports.san as number, client)).toBe(false);
  });

  it('closes idle TCP proxy connections after the idle timeout', async () => {
    const socket = netConnect({ host: '127.0.0.1', port: ports.tcp as number });
    await new Promise((resolve) => socket.once('connect', resolve));
    const started = performance.now();
    // Nothing is sent either way: Envoy closes it after 1s (its default would be an hour).
    await raw(socket, undefined);
    const idle = performance.now() - started;
    expect(idle).toBeGreaterThan(800);
    expect(idle).toBeLessThan(30_000);
  }, 60_000);

  it('strips the trailing dot of a host', async () => {
    expect((await get(ports.dot as number, '/', { host: 'www.example.com.' })).status).toBe(200);
  });

  it('accepts HTTP/1.0 with the default host', async () => {
    const text = await rawHttp(ports.http10 as number, 'GET / HTTP/1.0\r\n\r\n');
    expect(statusOf(text)).toBe(200);
    expect(text).toContain('"host":"www.example.com"');
    // Without the policy Envoy refuses HTTP/1.0 (426).
    expect(statusOf(await rawHttp(ports.dot as number, 'GET / HTTP/1.0\r\n\r\n'))).toBe(426);
  });

  it('keeps the case of HTTP/1 header names both ways', async () => {
    const request = 'GET /case HTTP/1.1\r\nhost: x\r\nSpEcIaL: Header\r\nconnection: close\r\n\r\n';
    const kept = await rawHttp(ports.case as number, request);
    expect(statusOf(kept)).toBe(200);
    expect(kept).toContain('"SpEcIaL"');
    expect(kept).toContain('X-BaCkEnD-CaSe:');
    // Without the policy Envoy writes lower-case names.
    const other = await rawHttp(ports.plain as number, request);
    expect(statusOf(other)).toBe(200);
    expect(other).not.toContain('"SpEcIaL"');
    expect(other).toContain('x-backend-case:');
  });

  it('serves HTTP/3 over QUIC beside HTTPS and advertises it', async () => {
    // Over TCP: the answer names the QUIC port (the Gateway's) for a day.
    const tcp = await new Promise<{ status: number; altSvc: unknown }>((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port: ports.h3,
          path: '/',
          servername: 'www.example.com',
          headers: { host: 'www.example.com' },
          rejectUnauthorized: false,
          agent: false,
        },
        (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, altSvc: res.headers['alt-svc'] });
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(tcp).toEqual({ status: 200, altSvc: `h3=":${ports.h3}"; ma=86400` });
    // Envoy took the UDP listener on the same port.
    const { listener_statuses: statuses } = JSON.parse(
      await (envoy as EnvoyHandle).admin('/listeners?format=json'),
    ) as { listener_statuses: { name: string; local_address: { socket_address: object } }[] };
    const quic = statuses.find((l) => l.name.endsWith('-quic'));
    // Its status omits the protocol; the HTTP/3 test below reaches it over UDP.
    expect(quic?.local_address.socket_address).toMatchObject({ port_value: ports.h3 });
  });

  it.skipIf(quicPython === undefined)(
    'answers an HTTP/3 client (aioquic; scripts/setup-quic.sh installs it)',
    async () => {
      const reply = await http3Get(
        quicPython as string,
        ports.h3 as number,
        'www.example.com',
        '/',
      );
      expect(reply.status).toBe(200);
      expect(reply.headers['alt-svc']).toBe(`h3=":${ports.h3}"; ma=86400`);
      expect(reply.body).toContain('"host":"www.example.com"');
    },
  );

  it('Envoy loads every applied setting', async () => {
    const staticDump = await (envoy as EnvoyHandle).admin('/config_dump');
    const listeners = (
      JSON.parse(staticDump) as { configs: { static_listeners?: unknown[] }[] }
    ).configs.flatMap((c) => c.static_listeners ?? []);
    const loaded = JSON.stringify(
      listeners.find((l) => JSON.stringify(l).includes(`"port_value":${ports.loaded}`)),
    );
    for (const expected of [
      '"per_connection_buffer_limit_bytes":65536',
      '"max_connections_to_accept_per_socket_event":3',
      '"max_connections":"100"',
      '"delay":"2s"',
      '"max_connection_duration":"1800s"',
      '"max_requests_per_connection":7',
      '"max_stream_duration":"540s"',
      '"enable_trailers":true',
      '"initial_stream_window_size":131072',
      '"initial_connection_window_size":2097152',
      '"max_concurrent_streams":42',
      '"override_stream_error_on_invalid_http_message":true',
      '"connection_keepalive":{"interval":"31s","timeout":"6s","interval_jitter":{"value":15},"connection_idle_interval":"61s"}',
      '"int_value":"4"',
      '"int_value":"20"',
      '"int_value":"5"',
      '"request_headers_timeout":"11s"',
      '"idle_timeout":"13s"',
      '"stream_idle_timeout":"17s"',
      '"transport_socket_connect_timeout":"7s"',
      '"listener_filters_timeout":"9s"',
      '"cipher_suites":["ECDHE-RSA-AES128-GCM-SHA256"]',
      '"ecdh_curves":["P-256"]',
      '"signature_algorithms":["rsa_pss_rsae_sha256","ecdsa_secp256r1_sha256"]',
      '"disable_stateful_session_resumption":true',
    ])
      expect(loaded, expected).toContain(expected);
    expect(loaded).toContain('"disable_stateless_session_resumption":false');
    const san = JSON.stringify(
      listeners.find((l) => JSON.stringify(l).includes(`"port_value":${ports.san}`)),
    );
    expect(san).toContain('"allow_expired_certificate":true');
    expect(san).toContain('"san_type":"DNS"');
  });
});
