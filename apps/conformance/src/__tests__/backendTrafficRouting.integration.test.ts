// BackendTrafficPolicy routing settings through real Envoy: `routingType: Service` sends a route's
// traffic to its Service's cluster IP and port (kube-proxy's job in a cluster), while a route
// without it keeps going to the EndpointSlice endpoints. Here the cluster IP is 127.0.0.3 and the
// endpoint 127.0.0.1, each with its own local backend on the Service port, so the backend that
// answers shows where Envoy sent the request. `healthCheckLog` writes the health check events of a
// route's endpoints (one healthy, one failing) to the file its sink names. `socketBufferLimit` sets
// the kernel receive buffer of Envoy's upstream sockets, which `ss -tm` shows (rb, doubled by Linux).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EnvoyHandle } from '@egts/envoy-binary';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../internal/freePort.js';
import {
  backendOf,
  closeAll,
  gatewayManifests,
  get,
  ok,
  policy,
  route,
  service,
  sleep,
  startBackend,
  startTranslated,
} from './backendTrafficFixture.js';

const CLUSTER_IP = '127.0.0.3';

/** A static cluster of the bootstrap's proto3 JSON, as far as its health checks. */
type Cluster = { healthChecks?: Record<string, unknown>[] };

/** A Service with a cluster IP whose one endpoint is 127.0.0.1, on the same port. */
const serviceWithClusterIP = (name: string, port: number) => `---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: default}
spec: {clusterIP: ${CLUSTER_IP}, ports: [{name: http, port: ${port}}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${name}-1, namespace: default, labels: {kubernetes.io/service-name: ${name}}}
addressType: IPv4
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
ports: [{name: http, port: ${port}}]
`;

describe('[envoy] BackendTrafficPolicy routing settings', () => {
  const servers: Server[] = [];
  let envoy: EnvoyHandle | undefined;
  let port = 0;
  let statuses: { kind: string; name: string; accepted: string | undefined }[] = [];
  let bufferedPort = 0;
  const hcLog = join(mkdtempSync(join(tmpdir(), 'egts-hclog-')), 'hc.log');

  beforeAll(async () => {
    const backendPort = await freePort();
    const checkedPort = await freePort();
    bufferedPort = await freePort();
    port = await freePort();
    servers.push(
      await startBackend('endpoint', '127.0.0.1', backendPort, ok),
      await startBackend('cluster-ip', CLUSTER_IP, backendPort, ok),
      await startBackend('healthy', '127.0.0.1', checkedPort, ok),
      // Slow answers keep Envoy's upstream connection open while ss looks at it.
      await startBackend('buffered', '127.0.0.1', bufferedPort, () => ({
        status: 200,
        delayMs: 1_500,
      })),
      await startBackend('failing', '127.0.0.2', checkedPort, (path) => ({
        status: path === '/healthz' ? 500 : 200,
      })),
    );
    const text = `${gatewayManifests(port)}${serviceWithClusterIP('svc', backendPort)}${route('service', 'svc', backendPort)}${route('endpoints', 'svc', backendPort)}${policy(
      'service',
      `  routingType: Service
`,
    )}${service('buffered', bufferedPort, ['127.0.0.1'])}${route('buffered', 'buffered', bufferedPort)}${policy(
      'buffered',
      `  connection: {socketBufferLimit: 24Ki}
`,
    )}${service('checked', checkedPort, ['127.0.0.1', '127.0.0.2'])}${route('hclog', 'checked', checkedPort)}${policy(
      'hclog',
      `  healthCheck:
    active:
      type: HTTP
      interval: 200ms
      timeout: 1s
      unhealthyThreshold: 1
      healthyThreshold: 1
      http: {path: /healthz, expectedStatuses: [200]}
      healthCheckLog:
        sinks: [{type: File, file: {path: ${hcLog}}}]
`,
    )}`;
    // Envoy probes a cluster that never had traffic only every minute (no_traffic_interval):
    // here every 200ms, so that the health check log fills soon.
    ({ envoy, statuses } = await startTranslated(text, 'routing.yaml', (bootstrap) => {
      const clusters = (bootstrap as { staticResources: { clusters: Cluster[] } }).staticResources
        .clusters;
      for (const cluster of clusters)
        for (const check of cluster.healthChecks ?? []) check.noTrafficInterval = '0.2s';
      return bootstrap;
    }));
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    await closeAll(servers);
  });

  it('routingType Service reaches the cluster IP, endpoint routing the endpoints', async () => {
    expect(statuses).toContainEqual({
      kind: 'BackendTrafficPolicy',
      name: 'service',
      accepted: 'Accepted',
    });
    for (let i = 0; i < 5; i++) {
      expect(backendOf(await get(port, '/service'))).toBe('cluster-ip');
      expect(backendOf(await get(port, '/endpoints'))).toBe('endpoint');
    }
  });

  it('healthCheckLog writes every success and failure to the file sink', async () => {
    expect(statuses).toContainEqual({
      kind: 'BackendTrafficPolicy',
      name: 'hclog',
      accepted: 'Accepted',
    });
    /** Events of the log so far, one JSON object a line. */
    const events = (): { host: string; kind: string }[] => {
      let text = '';
      try {
        text = readFileSync(hcLog, 'utf8');
      } catch {
        return [];
      }
      return text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => {
          const event = JSON.parse(line) as Record<string, unknown>;
          const host = (event.host as { socket_address?: { address?: string } } | undefined)
            ?.socket_address?.address;
          const kind = Object.keys(event).find((k) => k.endsWith('_event')) ?? '';
          return { host: host ?? '', kind };
        });
    };
    expect((await get(port, '/hclog')).status).toBe(200);
    // Successes are logged only with always_log_health_check_success: several of the healthy
    // endpoint's prove every probe is logged, not just the first.
    for (let i = 0; i < 1500; i++) {
      const seen = events();
      const successes = seen.filter(
        (e) => e.host === '127.0.0.1' && e.kind === 'successful_health_check_event',
      ).length;
      const failures = seen.filter(
        (e) => e.host === '127.0.0.2' && e.kind === 'health_check_failure_event',
      ).length;
      if (successes >= 3 && failures >= 3) break;
      await sleep(100);
    }
    const seen = events();
    expect(
      seen.filter((e) => e.host === '127.0.0.1' && e.kind === 'successful_health_check_event')
        .length,
    ).toBeGreaterThanOrEqual(3);
    expect(
      seen.filter((e) => e.host === '127.0.0.2' && e.kind === 'health_check_failure_event').length,
    ).toBeGreaterThanOrEqual(3);
  }, 200_000);

  it('socketBufferLimit sets the receive buffer of upstream sockets', async () => {
    expect(statuses).toContainEqual({
      kind: 'BackendTrafficPolicy',
      name: 'buffered',
      accepted: 'Accepted',
    });
    /** Receive buffers (ss skmem rb) of sockets connected to the buffered backend's port. */
    const receiveBuffers = (): number[] =>
      [
        ...execFileSync('ss', ['-tmnH', 'dst', `127.0.0.1:${bufferedPort}`], {
          encoding: 'utf8',
        }).matchAll(/rb(\d+)/g),
      ].map((m) => Number(m[1]));
    const pending = get(port, '/buffered');
    let seen: number[] = [];
    for (let i = 0; i < 50 && seen.length === 0; i++) {
      await sleep(50);
      seen = receiveBuffers();
    }
    expect((await pending).status).toBe(200);
    // Linux doubles SO_RCVBUF for its bookkeeping: 24Ki asked, 48Ki held.
    expect(seen).toEqual([2 * 24 * 1024]);
  });
});
