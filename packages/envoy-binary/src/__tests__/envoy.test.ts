// Real Envoy (integration): a bootstrap built with @egts/envoy-api validates and serves HTTP.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bootstrap, HttpConnectionManager, packAny, Router, toEnvoyJson } from '@egts/envoy-api';
import { afterEach, describe, expect, it } from 'vitest';
import { type EnvoyHandle, findEnvoy, startEnvoy, validateEnvoyConfig } from '../index.js';

const directResponseBootstrap = (body: string, status = 200): object => {
  const hcm = HttpConnectionManager.fromPartial({
    statPrefix: 'ingress',
    routeConfig: {
      name: 'local',
      virtualHosts: [
        {
          name: 'all',
          domains: ['*'],
          routes: [
            { match: { prefix: '/' }, directResponse: { status, body: { inlineString: body } } },
          ],
        },
      ],
    },
    httpFilters: [
      { name: 'envoy.filters.http.router', typedConfig: packAny(Router, Router.fromPartial({})) },
    ],
  });
  const bootstrap = Bootstrap.fromPartial({
    node: { id: 'test', cluster: 'test' },
    staticResources: {
      listeners: [
        {
          name: 'http',
          address: { socketAddress: { address: '127.0.0.1', portValue: 0 } },
          filterChains: [
            {
              filters: [
                {
                  name: 'envoy.filters.network.http_connection_manager',
                  typedConfig: packAny(HttpConnectionManager, hcm),
                },
              ],
            },
          ],
        },
      ],
    },
  });
  return toEnvoyJson(Bootstrap, bootstrap) as object;
};

describe('findEnvoy', () => {
  it('prefers ENVOY_PATH and rejects a bad one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'egts-find-'));
    try {
      const fake = join(dir, 'envoy');
      writeFileSync(fake, '#!/bin/sh\n');
      chmodSync(fake, 0o755);
      expect(findEnvoy({ env: { ENVOY_PATH: fake } })).toBe(fake);
      expect(() => findEnvoy({ env: { ENVOY_PATH: join(dir, 'missing') } })).toThrow(
        /ENVOY_PATH=.*missing/,
      );
      // No venv above an empty temp dir, nothing on PATH: the error names all three places.
      expect(() => findEnvoy({ env: { PATH: dir.concat('/none') }, searchFrom: [dir] })).toThrow(
        /ENVOY_PATH.*envoy-venv.*PATH/,
      );
      expect(findEnvoy({ env: { PATH: dir }, searchFrom: [dir] })).toBe(fake);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('real Envoy', () => {
  let envoy: EnvoyHandle | undefined;
  afterEach(async () => {
    await envoy?.stop();
    envoy = undefined;
  });

  it('validates a bootstrap built with the generated types, and rejects a broken one', async () => {
    expect(await validateEnvoyConfig(directResponseBootstrap('ok'))).toMatchObject({ valid: true });
    const broken = await validateEnvoyConfig(directResponseBootstrap('ok', 42));
    expect(broken.valid).toBe(false);
    expect(broken.output).toMatch(/status/i);
  });

  it('starts Envoy, which answers HTTP on loopback, and stops it', async () => {
    envoy = startEnvoy({ config: directResponseBootstrap('hello from envoy\n') });
    const adminUrl = await envoy.ready();
    expect(adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const port = (await envoy.listenerPorts()).get('http');
    expect(port).toBeGreaterThan(0);
    const response = await fetch(`http://127.0.0.1:${port}/anything`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('hello from envoy\n');
    await envoy.stop();
    expect(await envoy.exited).not.toBeUndefined();
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  });
});

/**
 * A static cluster health-checking `port` over HTTP, its event log at `/dev/stdout` (Envoy
 * Gateway's default healthCheckLog sink), every success logged; a listener routes to the cluster.
 */
const healthCheckedBootstrap = (port: number): string => `
static_resources:
  listeners:
  - name: http
    address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ingress
          route_config:
            virtual_hosts:
            - { name: all, domains: ["*"], routes: [{ match: { prefix: / }, route: { cluster: checked } }] }
          http_filters:
          - name: envoy.filters.http.router
            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
  clusters:
  - name: checked
    connect_timeout: 5s
    load_assignment:
      cluster_name: checked
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${port} } } }
    health_checks:
    - timeout: 5s
      interval: 0.2s
      no_traffic_interval: 0.2s
      unhealthy_threshold: 1
      healthy_threshold: 1
      event_log_path: /dev/stdout
      always_log_health_check_success: true
      http_health_check: { path: /healthz }
`;

describe('Envoy output', () => {
  let envoy: EnvoyHandle | undefined;
  let server: Server | undefined;
  afterEach(async () => {
    await envoy?.stop();
    envoy = undefined;
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
  });

  // Envoy opens a health check event log by path; /dev/stdout must be something open(2) accepts
  // (a socket, Node's default child stdout, fails with ENXIO and Envoy rejects the cluster).
  it('lets Envoy open /dev/stdout by path: health check events reach logs()', async () => {
    server = createServer((_, response) => response.end('ok'));
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    // Envoy flushes log files every 10 s by default; 0.2 s keeps the test short.
    const args = ['--file-flush-interval-msec', '200'];
    envoy = startEnvoy({ config: healthCheckedBootstrap(port), args });
    await envoy.ready(60_000);
    const deadline = Date.now() + 60_000;
    while (!envoy.logs().includes('successful_health_check_event') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const events = envoy
      .logs()
      .split('\n')
      .filter((line) => line.includes('"health_checker_type":"HTTP"'));
    expect(events.some((line) => line.includes('successful_health_check_event'))).toBe(true);
    const listener = (await envoy.listenerPorts()).get('http');
    expect(await (await fetch(`http://127.0.0.1:${listener}/`)).text()).toBe('ok');
  });

  it('keeps the output an Envoy wrote before it exited', async () => {
    envoy = startEnvoy({ config: 'static_resources: { clusters: [ { name: broken } ] ' });
    expect(await envoy.exited).not.toBe(0);
    expect(envoy.logs()).toMatch(/error|exception/i);
  });

  it('keeps only the last logsLimit characters of what Envoy wrote', async () => {
    envoy = startEnvoy({
      config: 'static_resources: { clusters: [ { name: broken } ] ',
      logsLimit: 200,
    });
    expect(await envoy.exited).not.toBe(0);
    const logs = envoy.logs();
    // Envoy's start-up and error lines are several KiB; the tail is what a crash report shows.
    expect(logs).toHaveLength(200);
    expect(logs).toMatch(/\n$/);
  });
});
