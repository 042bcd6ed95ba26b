// BackendTrafficPolicy `http2` settings through real Envoy, read where they land: the SETTINGS
// frame, connection window and PING frames Envoy sends an h2c backend (a Service port with appProtocol
// kubernetes.io/h2c). A route without them gets Envoy Gateway's defaults.
import { createServer, type Http2Server, type Settings } from 'node:http2';
import type { EnvoyHandle } from '@egts/envoy-binary';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../internal/freePort.js';
import { gatewayManifests, get, policy, sleep, startTranslated } from './backendTrafficFixture.js';

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

interface Seen {
  settings?: Settings;
  /** The connection-level window Envoy opened for the backend to send in. */
  connectionWindow?: number | undefined;
  /** PING frames Envoy sent. */
  pings: number;
}

/** An h2c backend recording the settings and connection window of its first session. */
const startH2c = (port: number, seen: Seen) =>
  new Promise<Http2Server>((resolve, reject) => {
    const server = createServer();
    server.on('session', (session) => {
      session.on('remoteSettings', (settings) => {
        seen.settings ??= settings;
      });
      session.on('ping', () => {
        seen.pings++;
      });
    });
    server.on('stream', (stream) => {
      // By the first request Envoy's WINDOW_UPDATE for the connection has arrived.
      seen.connectionWindow ??= stream.session?.state.remoteWindowSize;
      stream.respond({ ':status': 200 });
      stream.end('ok');
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });

describe('[envoy] BackendTrafficPolicy http2 settings', () => {
  const servers: Http2Server[] = [];
  const tuned: Seen = { pings: 0 };
  const plain: Seen = { pings: 0 };
  let envoy: EnvoyHandle | undefined;
  let port = 0;
  let statuses: { kind: string; name: string; accepted: string | undefined }[] = [];

  beforeAll(async () => {
    port = await freePort();
    const [tunedPort = 0, plainPort = 0] = await Promise.all([freePort(), freePort()]);
    servers.push(await startH2c(tunedPort, tuned), await startH2c(plainPort, plain));
    const text = `${gatewayManifests(port)}${h2cService('tuned', tunedPort)}${h2cService('plain', plainPort)}${policy(
      'tuned',
      `  http2:
    initialStreamWindowSize: 128Ki
    initialConnectionWindowSize: 2Mi
    maxConcurrentStreams: 7
    connectionKeepalive: {interval: 200ms, timeout: 5s}
`,
    )}`;
    ({ envoy, statuses } = await startTranslated(text, 'http2.yaml'));
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
  });

  it('initial windows and concurrent streams reach the backend connection', async () => {
    expect(statuses).toContainEqual({
      kind: 'BackendTrafficPolicy',
      name: 'tuned',
      accepted: 'Accepted',
    });
    expect((await get(port, '/tuned')).status).toBe(200);
    expect((await get(port, '/plain')).status).toBe(200);
    for (let i = 0; i < 50 && (!tuned.settings || !plain.settings); i++) await sleep(50);
    expect(tuned.settings?.initialWindowSize).toBe(128 * 1024);
    expect(tuned.settings?.maxConcurrentStreams).toBe(7);
    expect(tuned.connectionWindow).toBe(2 * 1024 * 1024);
    // Without the settings: Envoy Gateway's defaults (64 KiB stream, 1 MiB connection window).
    expect(plain.settings?.initialWindowSize).toBe(64 * 1024);
    expect(plain.connectionWindow).toBe(1024 * 1024);
  });

  it('connectionKeepalive pings the backend connection', async () => {
    // Every 200 ms on the tuned connection; none on the plain one.
    for (let i = 0; i < 100 && tuned.pings < 3; i++) await sleep(50);
    expect(tuned.pings).toBeGreaterThanOrEqual(3);
    expect(plain.pings).toBe(0);
  });
});
