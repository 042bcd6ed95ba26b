// BackendTrafficPolicy `http2.onInvalidMessage: TerminateStream` through real Envoy: an h2c
// backend answers one request with an invalid HTTP/2 message (a NUL in a header value, a header
// error to Envoy's codec). With the setting Envoy resets only that stream and
// keeps the connection (override_stream_error_on_invalid_http_message); without it, Envoy's
// default closes the whole upstream connection, and a stream in flight on it with it.
import { createServer, type Http2Server } from 'node:http2';
import type { EnvoyHandle } from '@egts/envoy-binary';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../internal/freePort.js';
import { gatewayManifests, get, policy, sleep, startTranslated } from './backendTrafficFixture.js';
import { until } from './telemetryFixture.js';

/** An h2c Service `name` on `port` and a route to it. */
const h2cService = (name: string, port: number) => `---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: default}
spec: {ports: [{name: h2c, port: ${port}, appProtocol: kubernetes.io/h2c}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${name}-1, namespace: default, labels: {kubernetes.io/service-name: ${name}}}
addressType: IPv4
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
ports: [{name: h2c, port: ${port}, appProtocol: kubernetes.io/h2c}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules: [{matches: [{path: {type: PathPrefix, value: /${name}}}], backendRefs: [{name: ${name}, port: ${port}}]}]
`;

interface Backend {
  server: Http2Server;
  /** HTTP/2 sessions (upstream connections) opened, and those closed. */
  opened: number;
  closed: number;
  /** Answers to `/slow` requests that arrived and wait for the test to release them. */
  heldSlow: (() => void)[];
}

/**
 * An h2c backend: `/<route>/bad` gets a response with an invalid header value; `/<route>/slow` is
 * held until the test releases it (so it is surely in flight while the invalid answer goes out,
 * however slow the machine); anything else is answered at once.
 */
const startBackend = (port: number) =>
  new Promise<Backend>((resolve, reject) => {
    const server = createServer();
    const backend: Backend = { server, opened: 0, closed: 0, heldSlow: [] };
    server.on('session', (session) => {
      backend.opened++;
      session.on('close', () => backend.closed++);
    });
    server.on('stream', (stream, headers) => {
      const path = String(headers[':path'] ?? '');
      stream.on('error', () => {});
      if (path.endsWith('/bad')) {
        // A NUL in a header value: invalid in HTTP/2 (RFC 9113 section 8.2.1).
        stream.respond({ ':status': 200, 'x-invalid': 'a\x00b' });
        stream.end('ok');
      } else if (path.endsWith('/slow')) {
        backend.heldSlow.push(() => {
          if (stream.destroyed || stream.closed) return;
          stream.respond({ ':status': 200 });
          stream.end('slow');
        });
      } else {
        stream.respond({ ':status': 200 });
        stream.end('ok');
      }
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(backend));
  });

describe('[envoy] BackendTrafficPolicy http2.onInvalidMessage', () => {
  const backends = new Map<string, Backend>();
  let envoy: EnvoyHandle | undefined;
  let port = 0;
  let statuses: { kind: string; name: string; accepted: string | undefined }[] = [];

  beforeAll(async () => {
    port = await freePort();
    const [streamPort = 0, connectionPort = 0] = await Promise.all([freePort(), freePort()]);
    backends.set('stream', await startBackend(streamPort));
    backends.set('connection', await startBackend(connectionPort));
    const text = `${gatewayManifests(port)}${h2cService('stream', streamPort)}${h2cService(
      'connection',
      connectionPort,
    )}${policy('stream', '  http2: {onInvalidMessage: TerminateStream}\n')}${policy(
      'connection',
      '  http2: {onInvalidMessage: TerminateConnection}\n',
    )}`;
    ({ envoy, statuses } = await startTranslated(text, 'invalid-message.yaml'));
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    // Not awaited: sessions Envoy kept open until it stopped close with it.
    for (const { server } of backends.values()) server.close();
  });

  /**
   * A held request and, while it is in flight on the same connection, an invalid answer; then
   * the held request is released (a no-op where Envoy already reset it).
   */
  const invalidDuringSlow = async (name: string, expectClose: boolean) => {
    const backend = backends.get(name);
    if (backend === undefined) throw new Error(name);
    // One connection, opened by a first request.
    expect((await get(port, `/${name}/ok`)).status).toBe(200);
    expect(backend.opened).toBe(1);
    const slow = get(port, `/${name}/slow`);
    await until(() => backend.heldSlow.length === 1);
    expect(backend.heldSlow.length).toBe(1);
    const bad = await get(port, `/${name}/bad`);
    for (const release of backend.heldSlow.splice(0)) release();
    const slowStatus = (await slow).status;
    if (expectClose) {
      // The GOAWAY and close land shortly after the reset; wait for them rather than guess.
      await until(() => backend.closed > 0);
    } else {
      // Nothing to wait for: give a close that should not come time to show.
      await sleep(500);
    }
    return { bad: bad.status, slow: slowStatus, closed: backend.closed, opened: backend.opened };
  };

  it('TerminateStream resets only the invalid stream; otherwise the connection goes', {
    timeout: 120_000,
  }, async () => {
    expect(statuses).toContainEqual({
      kind: 'BackendTrafficPolicy',
      name: 'stream',
      accepted: 'Accepted',
    });
    const stream = await invalidDuringSlow('stream', false);
    const connection = await invalidDuringSlow('connection', true);
    expect({ stream, connection }).toEqual({
      // The invalid answer fails either way.
      stream: { bad: 502, slow: 200, closed: 0, opened: 1 },
      // The held stream goes down with its connection.
      connection: { bad: 502, slow: 502, closed: 1, opened: 1 },
    });
  });
});
