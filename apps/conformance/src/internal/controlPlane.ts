// egts in-process around the harness's cluster: translate() -> statuses, per-Gateway xDS snapshots
// served by the egts xDS server, and one real Envoy per Gateway run by the host infra-manager.
// The one harness-specific step: each Envoy listener binds to a free 127.0.0.1 port instead of the
// Gateway's port (80 -> 10080 would collide between Gateways and concurrent runs); the mapping is
// kept so that requests to "Gateway X, port 80" reach the right Envoy. With `rateLimit`, a real
// Redis and the Envoy Rate Limit Service run beside it (host mode's auxiliary control plane), the
// service taking its RateLimitConfigs from the same xDS server.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONTROLLER_NAME, type ResourceStatus } from '@egts/api';
import type { Listener } from '@egts/envoy-api';
import {
  discoverOidcProviders,
  type OidcDiscovery,
  oidcIssuers,
  translate,
  wasmFailures,
  withEnvoyPatchOutcomes,
  withWasmFailures,
} from '@egts/gatewayapi-translator';
import {
  createHostInfraManager,
  createWasmCache,
  findRateLimitBinary,
  type HostInfraManager,
  RATE_LIMIT_NODE_ID,
  type RateLimitServiceHandle,
  startRateLimitService,
} from '@egts/infra-manager';
import {
  createSnapshot,
  createSnapshotCache,
  createXdsServer,
  type Rejection,
  type XdsServer,
} from '@egts/xds-server';
import { rateLimitConfigs, translateXds } from '@egts/xds-translator';
import type { Cluster } from './cluster.js';
import { startClusterDns, withClusterDns } from './clusterDns.js';
import { clusterFetch } from './clusterFetch.js';
import { freePort } from './freePort.js';
import { findRedisServer, type RedisServer, startRedis } from './redisServer.js';

export interface ControlPlane {
  /** Re-translates the cluster's current objects and pushes the result to Envoy. */
  sync(): Promise<void>;
  statuses(): readonly ResourceStatus[];
  /** The local port that serves `port` of Gateway `namespace/name`, once one was assigned. */
  address(namespace: string, name: string, port: number): number | undefined;
  /** A Gateway's Envoy statistics whose names match `filter` (a regular expression), by name. */
  stats(namespace: string, name: string, filter: string): Promise<Record<string, number>>;
  /** What a Gateway's Envoy wrote to stdout and stderr so far (its `/dev/stdout` access log). */
  output(namespace: string, name: string): string;
  /**
   * The URL of a Gateway's Envoy metrics in Prometheus text format, where host mode serves them
   * (the proxy's `metricsAddress`, see the README), once the proxy runs.
   */
  metricsUrl(namespace: string, name: string): Promise<string>;
  /** xDS rejections (NACKs) and proxy exits seen so far: the reasons behind a failing request. */
  readonly incidents: string[];
  /** Empties Redis: global rate limit counters start from zero (one test's never reach the next). */
  resetRateLimits(): Promise<void>;
  close(): Promise<void>;
}

/** The Infra IR / xDS IR name of a Gateway's proxy fleet, as the translator names it. */
const fleetName = (namespace: string, name: string): string => `${namespace}/${name}`;

/** Why the global rate limit tests cannot run here, or undefined when both binaries exist. */
export const rateLimitUnavailable = (): string | undefined => {
  const missing = [
    ...(findRateLimitBinary() ? [] : ['ratelimit']),
    ...(findRedisServer() ? [] : ['redis-server']),
  ];
  return missing.length === 0
    ? undefined
    : `${missing.join(' and ')} not found (scripts/setup-ratelimit.sh installs them)`;
};

export interface ControlPlaneOptions {
  /** Run Redis and the Rate Limit Service, and enable global rate limits (EnvoyGateway rateLimit). */
  readonly rateLimit?: boolean;
}

/** Generous: Envoy answers in milliseconds, but a loaded 2-core machine can stall it for seconds. */
const CONVERGENCE_LIMIT_MS = 30_000;

export const startControlPlane = async (
  cluster: Cluster,
  options: ControlPlaneOptions = {},
): Promise<ControlPlane> => {
  const cache = createSnapshotCache();
  const incidents: string[] = [];
  const xds: XdsServer = createXdsServer(cache, {
    onNack: (rejection: Rejection) =>
      incidents.push(`NACK ${rejection.typeUrl.split('.').pop()}: ${rejection.message}`),
  });
  const xdsPort = await xds.listen('127.0.0.1:0');
  // Each sync returns once the running proxies have answered what it published, as the upstream
  // suite awaits convergence: a request right after it is not served by the previous test's
  // configuration (a test's route can share its name and path with the one before). A proxy
  // that does not answer in time is an incident; the test's own checks then say what failed.
  const converged = async (groups: Iterable<string>): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), CONVERGENCE_LIMIT_MS);
    });
    const all = Promise.all([...groups].map((group) => xds.converged(group)));
    if ((await Promise.race([all, limit])) === 'late')
      incidents.push(`proxies had not answered the xDS push after ${CONVERGENCE_LIMIT_MS} ms`);
    clearTimeout(timer);
  };
  // The control plane's Wasm cache: modules fetched, checked and served to Envoy from here.
  const wasmDir = mkdtempSync(join(tmpdir(), 'egts-wasm-'));
  const wasmCache = createWasmCache({
    dir: wasmDir,
    fetch: clusterFetch(cluster),
  });
  await wasmCache.listen();
  // Cluster DNS for Envoy's own resolver (the dynamic forward proxy's DNS caches).
  const clusterDns = await startClusterDns(cluster);
  let redis: RedisServer | undefined;
  let rateLimitService: RateLimitServiceHandle | undefined;
  const redisServer = findRedisServer();
  if (options.rateLimit && redisServer && rateLimitUnavailable() === undefined) {
    redis = await startRedis(redisServer, await freePort());
    rateLimitService = await startRateLimitService({
      redisUrl: redis.url,
      xds: { host: '127.0.0.1', port: xdsPort },
      backoff: { initialMs: 200, maxMs: 2_000 },
      onEvent: (event) => {
        if (event.type === 'exited')
          incidents.push(`rate limit service exited (${event.code}): ${event.logTail.slice(-300)}`);
      },
    });
  }
  // A loaded 2-core machine answers in more than Envoy's default 20ms.
  const rateLimit = rateLimitService && { ...rateLimitService.grpcAddress, timeoutMs: 2_000 };
  const infra: HostInfraManager = createHostInfraManager({
    xds: { host: '127.0.0.1', port: xdsPort },
    backoff: { initialMs: 200, maxMs: 2_000 },
    stopTimeoutMs: 2_000,
    onEvent: (event) => {
      if (event.type === 'exited')
        incidents.push(`Envoy ${event.proxy} exited (${event.code}): ${event.logTail.slice(-300)}`);
    },
  });
  // "<fleet>|<gateway port>" -> local port; kept for the whole run so that Envoy never rebinds.
  const ports = new Map<string, number>();
  let statuses: readonly ResourceStatus[] = [];
  let served = new Set<string>();
  let discovery: OidcDiscovery = new Map();

  // Listeners are rebound concurrently: the TCP and UDP (HTTP/3) listeners of one port wait for
  // the same pick, so they share the local port as they share the Gateway port.
  const picking = new Map<string, Promise<number>>();
  const localPort = async (fleet: string, port: number): Promise<number> => {
    const key = `${fleet}|${port}`;
    const local = ports.get(key);
    if (local !== undefined) return local;
    let pick = picking.get(key);
    if (pick === undefined) {
      pick = freePort().then((free) => {
        ports.set(key, free);
        return free;
      });
      picking.set(key, pick);
    }
    return pick;
  };

  const rebind = async (fleet: string, listener: Listener): Promise<Listener> => {
    const socket = listener.address?.socketAddress;
    if (socket?.portValue === undefined) return listener;
    // Undo the translator's privileged-port shift (80 -> 10080): the suite's manifests use no
    // ports from 10000 up, so the Gateway port is unambiguous.
    const bound = socket.portValue;
    const gatewayPort = bound >= 10_000 && bound < 11_024 ? bound - 10_000 : bound;
    const port = await localPort(fleet, gatewayPort);
    return {
      ...listener,
      address: {
        ...listener.address,
        socketAddress: { ...socket, address: '127.0.0.1', portValue: port },
      },
    };
  };

  return {
    incidents,
    async sync() {
      const { resources } = cluster.resources();
      // OpenID provider discovery, as Envoy Gateway's control plane does it (from inside the
      // cluster): known documents are kept, failed ones fetched again at the next sync.
      discovery = await discoverOidcProviders(oidcIssuers(resources), {
        fetch: clusterFetch(cluster),
        known: discovery,
        attempts: 2,
        backoffMs: 100,
      });
      // Envoy Gateway's e2e install enables EnvoyPatchPolicy and Backend.
      const result = translate(resources, {
        controllerName: DEFAULT_CONTROLLER_NAME,
        extensionApis: { enableEnvoyPatchPolicy: true, enableBackend: true },
        // Backends naming a Service by its cluster DNS name point at the local stand-ins
        // (Cluster: cluster DNS and the Service proxy), on loopback.
        allowLoopbackBackends: true,
        oidcDiscovery: discovery,
        ...(rateLimit ? { rateLimitService: rateLimit } : {}),
      });
      const now = new Set<string>();
      const outcomes: Parameters<typeof withEnvoyPatchOutcomes>[1][number][] = [];
      const resolved: Awaited<ReturnType<typeof wasmCache.resolve>>[] = [];
      for (const translated of result.xdsIR) {
        const ir = await wasmCache.resolve(translated);
        resolved.push(ir);
        const xdsResources = withClusterDns(translateXds(ir, { mode: 'ads' }), clusterDns.port);
        outcomes.push(...(xdsResources.envoyPatchPolicies ?? []));
        const listeners = await Promise.all(xdsResources.listeners.map((l) => rebind(ir.name, l)));
        cache.setSnapshot(ir.name, createSnapshot({ ...xdsResources, listeners }));
        now.add(ir.name);
      }
      for (const name of served) if (!now.has(name)) cache.clearSnapshot(name);
      if (rateLimitService)
        cache.setSnapshot(
          RATE_LIMIT_NODE_ID,
          createSnapshot({ rateLimitConfigs: rateLimitConfigs(result.xdsIR) }),
        );
      served = now;
      // Wasm modules that cannot be fetched fail their policies, as in Envoy Gateway.
      statuses = withWasmFailures(
        withEnvoyPatchOutcomes(result.statuses, outcomes),
        wasmFailures(resolved),
      );
      await infra.apply(result.infraIR);
      await converged(now);
    },
    statuses: () => statuses,
    async stats(namespace, name, filter) {
      const proxy = infra.proxies().find((p) => p.name === fleetName(namespace, name));
      if (!proxy) throw new Error(`no Envoy runs for Gateway ${namespace}/${name}`);
      const url = `http://${proxy.adminAddress}/stats?filter=${encodeURIComponent(filter)}`;
      const text = await (await fetch(url)).text();
      // Counters and gauges are `name: value` lines; histograms' quantile lines are skipped.
      const values: Record<string, number> = {};
      for (const line of text.split('\n')) {
        const match = /^(\S+): (\d+)$/.exec(line);
        if (match) values[match[1]!] = Number(match[2]);
      }
      return values;
    },
    output: (namespace, name) => infra.output(fleetName(namespace, name)),
    async metricsUrl(namespace, name) {
      // The address is known once the started Envoy's admin interface said it.
      for (let attempt = 0; attempt < 100; attempt++) {
        const proxy = infra.proxies().find((p) => p.name === fleetName(namespace, name));
        if (!proxy) throw new Error(`no Envoy runs for Gateway ${namespace}/${name}`);
        if (proxy.metricsAddress) return `http://${proxy.metricsAddress}/stats/prometheus`;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      throw new Error(`Gateway ${namespace}/${name}: its proxy serves no metrics`);
    },
    address: (namespace, name, port) => ports.get(`${fleetName(namespace, name)}|${port}`),
    resetRateLimits: async () => {
      await redis?.flush();
    },
    async close() {
      await infra.close();
      await rateLimitService?.stop();
      await redis?.stop();
      await xds.close();
      await wasmCache.close();
      await clusterDns.close();
      rmSync(wasmDir, { recursive: true, force: true });
    },
  };
};
