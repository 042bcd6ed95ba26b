// EnvoyProxy `telemetry.healthCheckLog` through real Envoy: the fleet's health check event log is
// written by every route cluster's active health check that has no log of its own, with the
// fleet's `matches`; a BackendTrafficPolicy's own `healthCheckLog` wins for its route. Two routes
// check the same two endpoints (one healthy, one failing /healthz): the fleet log, asking only for
// FailureSeriesStart and HealthyTransition, gets the failing host's first failure and never a
// success, while the policy's own log (every outcome) gets success after success of the healthy one.
import { mkdtempSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadResourcesFromText } from '@egts/api';
import { type EnvoyHandle, startEnvoy } from '@egts/envoy-binary';
import { translate } from '@egts/gatewayapi-translator';
import { bootstrapToJson, translateBootstrap } from '@egts/xds-translator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../internal/freePort.js';
import {
  acceptedReasons,
  closeAll,
  ok,
  policy,
  route,
  service,
  sleep,
  startBackend,
} from './backendTrafficFixture.js';

const dir = mkdtempSync(join(tmpdir(), 'egts-proxy-hclog-'));
const fleetLog = join(dir, 'fleet.log');
const ownLog = join(dir, 'own.log');

const manifests = (port: number) => `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec:
  controllerName: gateway.envoyproxy.io/gatewayclass-controller
  parametersRef: {group: gateway.envoyproxy.io, kind: EnvoyProxy, name: proxy, namespace: default}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyProxy
metadata: {name: proxy, namespace: default}
spec:
  telemetry:
    healthCheckLog:
      matches: [FailureSeriesStart, HealthyTransition]
      sinks: [{type: File, file: {path: ${fleetLog}}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec: {gatewayClassName: eg, listeners: [{name: http, protocol: HTTP, port: ${port}}]}
`;

const activeCheck = (log = '') => `  healthCheck:
    active:
      type: HTTP
      interval: 200ms
      timeout: 1s
      unhealthyThreshold: 1
      healthyThreshold: 1
      http: {path: /healthz, expectedStatuses: [200]}
${log}`;

interface HealthEvent {
  cluster: string;
  host: string;
  kind: string;
}

/** The events of a log file so far, one JSON object a line. */
const events = (file: string): HealthEvent[] => {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
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
      return {
        cluster: String(event.cluster_name ?? ''),
        host: host ?? '',
        kind: Object.keys(event).find((k) => k.endsWith('_event')) ?? '',
      };
    });
};

describe('[envoy] EnvoyProxy health check event log', () => {
  const servers: Server[] = [];
  let envoy: EnvoyHandle | undefined;
  let port = 0;
  let proxyAccepted: string | undefined;
  let statuses: ReturnType<typeof acceptedReasons> = [];

  beforeAll(async () => {
    const checkedPort = await freePort();
    port = await freePort();
    servers.push(
      await startBackend('healthy', '127.0.0.1', checkedPort, ok),
      await startBackend('failing', '127.0.0.2', checkedPort, (path) => ({
        status: path === '/healthz' ? 500 : 200,
      })),
    );
    const text = `${manifests(port)}${service('checked', checkedPort, ['127.0.0.1', '127.0.0.2'])}${route('fleet', 'checked', checkedPort)}${route('own', 'checked', checkedPort)}${policy(
      'fleet',
      activeCheck(),
    )}${policy(
      'own',
      activeCheck(`      healthCheckLog:
        sinks: [{type: File, file: {path: ${ownLog}}}]
`),
    )}`;
    const { resources, problems } = loadResourcesFromText(text, 'hclog.yaml');
    if (problems.length > 0) throw new Error(JSON.stringify(problems));
    const result = translate(resources);
    statuses = acceptedReasons(result.statuses);
    const proxy = result.statuses.find((s) => s.kind === 'EnvoyProxy')?.status as
      | { ancestors?: { conditions: { type: string; reason: string; message: string }[] }[] }
      | undefined;
    const accepted = proxy?.ancestors?.[0]?.conditions.find((c) => c.type === 'Accepted');
    proxyAccepted = accepted && `${accepted.reason}: ${accepted.message}`;
    const ir = result.xdsIR[0];
    if (ir === undefined) throw new Error('no xDS IR');
    // Envoy probes a cluster that never had traffic only every minute (no_traffic_interval);
    // here every 200ms, so that a few probes come soon.
    const config = bootstrapToJson(translateBootstrap(ir)) as {
      staticResources: { clusters: { healthChecks?: Record<string, unknown>[] }[] };
    };
    for (const cluster of config.staticResources.clusters)
      for (const check of cluster.healthChecks ?? []) check.noTrafficInterval = '0.2s';
    envoy = startEnvoy({
      config,
      logLevel: 'warn',
    });
    await envoy.ready(60_000);
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    await closeAll(servers);
  });

  it('is accepted', () => {
    expect(proxyAccepted).toMatch(/^Accepted/);
    expect(statuses).toEqual(
      expect.arrayContaining([
        { kind: 'BackendTrafficPolicy', name: 'fleet', accepted: 'Accepted' },
        { kind: 'BackendTrafficPolicy', name: 'own', accepted: 'Accepted' },
      ]),
    );
  });

  it("logs the route clusters' events to the fleet's file with its matches, unless a policy logs them itself", async () => {
    const count = (file: string, host: string, kind: string) =>
      events(file).filter((e) => e.host === host && e.kind === kind).length;
    const done = () =>
      count(ownLog, '127.0.0.1', 'successful_health_check_event') >= 3 &&
      count(ownLog, '127.0.0.2', 'health_check_failure_event') >= 3;
    for (let i = 0; i < 1500 && !done(); i++) await sleep(100);
    // Three probes of each host later (the policy's own log, every outcome, has each), the
    // fleet's, asking for FailureSeriesStart and HealthyTransition only, has the healthy host
    // turning healthy and the failing host's first failure, and nothing else.
    expect(done()).toBe(true);
    const byHost = (a: HealthEvent, b: HealthEvent) => a.host.localeCompare(b.host);
    expect(events(fleetLog).sort(byHost)).toEqual([
      expect.objectContaining({ host: '127.0.0.1', kind: 'add_healthy_event' }),
      expect.objectContaining({ host: '127.0.0.2', kind: 'health_check_failure_event' }),
    ]);
    // Every fleet event is the fleet route's: the policy's own log took the other's.
    expect(events(fleetLog).every((e) => e.cluster.includes('/fleet/'))).toBe(true);
    expect(events(ownLog).every((e) => e.cluster.includes('/own/'))).toBe(true);
  }, 200_000);
});
