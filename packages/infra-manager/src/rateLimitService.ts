// Host mode's auxiliary control plane for global rate limiting: runs the Envoy Rate Limit Service
// (github.com/envoyproxy/ratelimit) as a local process, pointed at the configured Redis, taking its
// descriptors over xDS from egts (CONFIG_TYPE=GRPC_XDS_SOTW, as Envoy Gateway runs it), and
// restarts it with capped exponential backoff when it exits. Its counters are on a Prometheus
// `/metrics` endpoint, the configuration it enforces on the debug listener's `/rlconfig`, its
// health on the HTTP listener's `/healthcheck`.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { localHttp } from '@egts/envoy-binary';
import { freePort } from './internal/freePort.js';
import { type RateLimitTelemetry, rateLimitTelemetryEnv } from './rateLimitTelemetry.js';

/** The node id the service presents to the xDS server: its snapshot's node group. */
export const RATE_LIMIT_NODE_ID = 'envoy-ratelimit';

export interface RateLimitServiceOptions {
  /** The ratelimit binary; default: findRateLimitBinary(). */
  readonly binaryPath?: string;
  /** `host:port` of the Redis server (EnvoyGateway `rateLimit.backend.redis.url`). */
  readonly redisUrl: string;
  /**
   * The egts xDS server the service takes its RateLimitConfigs from; with `tls` (PEM file paths)
   * over mTLS, as the proxies in host mode.
   */
  readonly xds: {
    readonly host: string;
    readonly port: number;
    readonly tls?: { readonly ca: string; readonly cert: string; readonly key: string };
  };
  /**
   * Serve proxies over mTLS (PEM file paths), as Envoy Gateway runs the service: its certificate,
   * and the CA a proxy's client certificate must chain to (GRPC_SERVER_USE_TLS,
   * GRPC_CLIENT_TLS_CACERT). The service reads them when it starts.
   */
  readonly serverTls?: { readonly ca: string; readonly cert: string; readonly key: string };
  /** Metrics and tracing (EnvoyGateway `rateLimit.telemetry`); default: Prometheus only. */
  readonly telemetry?: RateLimitTelemetry;
  /**
   * Redis over TLS (`backend.redis.tls`), server certificate checked against the system CAs;
   * `clientCert` (PEM file paths) when Redis asks for one.
   */
  readonly redisTls?: { readonly clientCert?: { readonly cert: string; readonly key: string } };
  /** gRPC port proxies ask on; default: a free one. */
  readonly grpcPort?: number;
  /** ratelimit's LOG_LEVEL (default warn). */
  readonly logLevel?: string;
  readonly backoff?: { readonly initialMs?: number; readonly maxMs?: number };
  /** How often the service's health is read (`/healthcheck`, which fails while Redis is unreachable); default 2s. */
  readonly healthIntervalMs?: number;
  readonly onEvent?: (event: RateLimitServiceEvent) => void;
}

export type RateLimitServiceEvent =
  | { type: 'started'; pid: number | undefined; restarts: number }
  | { type: 'exited'; code: number | null; uptimeMs: number; logTail: string }
  | { type: 'restarting'; delayMs: number; restarts: number }
  /** The service's health changed: unhealthy while it cannot reach Redis (or is not serving). */
  | { type: 'health'; healthy: boolean; detail: string }
  | { type: 'stopped' };

export interface RateLimitServiceHandle {
  /** Where proxies send RateLimitRequests (the rate limit cluster's endpoint). */
  readonly grpcAddress: { readonly host: string; readonly port: number };
  /** `http://127.0.0.1:<port>`: `/healthcheck` (HTTP listener). */
  readonly httpUrl: string;
  /** `http://127.0.0.1:<port>`: `/rlconfig`, the configuration it enforces (debug listener). */
  readonly debugUrl: string;
  /** `http://127.0.0.1:<port>/metrics`: the service's counters (Prometheus text format). */
  readonly metricsUrl: string;
  /** The service's counters now (Prometheus text format); rejects when it does not answer. */
  metrics(timeoutMs?: number): Promise<string>;
  status(): { pid: number | undefined; restarts: number; running: boolean; healthy: boolean };
  /** The service's recent output (stdout and stderr). */
  logs(): string;
  /**
   * Starts the service afresh, at once and outside the crash backoff: it reads its TLS
   * certificates only when it starts, so a renewal needs one (counters are in Redis, kept).
   */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The ratelimit binary: EGTS_RATELIMIT_PATH, then `.tools/ratelimit/bin` (scripts/setup-ratelimit.sh)
 * of this checkout, then PATH; undefined when none exists.
 */
export function findRateLimitBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.EGTS_RATELIMIT_PATH;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  const tools = resolve(import.meta.dirname, '../../../.tools/ratelimit/bin/ratelimit');
  if (existsSync(tools)) return tools;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'ratelimit');
    if (dir !== '' && existsSync(candidate)) return candidate;
  }
  return undefined;
}

const LOG_LIMIT = 64 * 1024;

/**
 * A free 127.0.0.1 port for the service's gRPC API, for callers that must name it before the
 * service starts (the translator puts it in every proxy's rate limit cluster).
 */
export const freeRateLimitPort = (): Promise<number> => freePort(new Set());

export async function startRateLimitService(
  options: RateLimitServiceOptions,
): Promise<RateLimitServiceHandle> {
  const binary = options.binaryPath ?? findRateLimitBinary();
  if (binary === undefined)
    throw new Error(
      'the Envoy Rate Limit Service binary (ratelimit) was not found: run scripts/setup-ratelimit.sh or set EGTS_RATELIMIT_PATH',
    );
  const taken = new Set<number>();
  const pick = async () => {
    const port = await freePort(taken);
    taken.add(port);
    return port;
  };
  const grpcPort = options.grpcPort ?? (await pick());
  taken.add(grpcPort);
  const httpPort = await pick();
  const debugPort = await pick();
  const metricsPort = await pick();
  const initialMs = options.backoff?.initialMs ?? 500;
  const maxMs = options.backoff?.maxMs ?? 30_000;
  const env = {
    PATH: process.env.PATH ?? '',
    HOST: '127.0.0.1',
    PORT: String(httpPort),
    GRPC_HOST: '127.0.0.1',
    GRPC_PORT: String(grpcPort),
    DEBUG_HOST: '127.0.0.1',
    DEBUG_PORT: String(debugPort),
    LOG_LEVEL: options.logLevel ?? 'warn',
    LOG_FORMAT: 'json',
    USE_STATSD: 'false',
    ...rateLimitTelemetryEnv(options.telemetry ?? { prometheus: true }),
    PROMETHEUS_ADDR: `127.0.0.1:${metricsPort}`,
    STATS_FLUSH_INTERVAL: '1s',
    REDIS_SOCKET_TYPE: 'tcp',
    REDIS_URL: options.redisUrl,
    ...(options.redisTls
      ? {
          REDIS_TLS: 'true',
          ...(options.redisTls.clientCert
            ? {
                REDIS_TLS_CLIENT_CERT: options.redisTls.clientCert.cert,
                REDIS_TLS_CLIENT_KEY: options.redisTls.clientCert.key,
              }
            : {}),
        }
      : {}),
    CONFIG_TYPE: 'GRPC_XDS_SOTW',
    CONFIG_GRPC_XDS_NODE_ID: RATE_LIMIT_NODE_ID,
    CONFIG_GRPC_XDS_SERVER_URL: `${options.xds.host}:${options.xds.port}`,
    // Reconnect to egts quickly after it restarts (the service's default waits 10s to 60s).
    CONFIG_GRPC_XDS_SERVER_CONNECT_RETRY_INTERVAL: '1s',
    XDS_CLIENT_BACKOFF_INITIAL_INTERVAL: '1s',
    XDS_CLIENT_BACKOFF_MAX_INTERVAL: '10s',
    // x-ratelimit-* headers come from Envoy's filter, not the service.
    LIMIT_RESPONSE_HEADERS_ENABLED: 'false',
    // /healthcheck fails while Redis is unreachable, so egts can say so.
    REDIS_HEALTH_CHECK_ACTIVE_CONNECTION: 'true',
    ...(options.serverTls
      ? {
          GRPC_SERVER_USE_TLS: 'true',
          GRPC_SERVER_TLS_CERT: options.serverTls.cert,
          GRPC_SERVER_TLS_KEY: options.serverTls.key,
          GRPC_CLIENT_TLS_CACERT: options.serverTls.ca,
        }
      : {}),
    ...(options.xds.tls
      ? {
          CONFIG_GRPC_XDS_SERVER_USE_TLS: 'true',
          CONFIG_GRPC_XDS_SERVER_TLS_CACERT: options.xds.tls.ca,
          CONFIG_GRPC_XDS_CLIENT_TLS_CERT: options.xds.tls.cert,
          CONFIG_GRPC_XDS_CLIENT_TLS_KEY: options.xds.tls.key,
        }
      : {}),
  };
  let child: ChildProcess | undefined;
  let output = '';
  let restarts = 0;
  let failures = 0;
  let stopping = false;
  let restartAsked = false;
  let timer: NodeJS.Timeout | undefined;
  const emit = (event: RateLimitServiceEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // A failing listener must not break supervision.
    }
  };
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-LOG_LIMIT);
  };
  const launch = () => {
    if (stopping) return;
    const startedAt = performance.now();
    const proc = spawn(binary, [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    proc.on('error', keep.bind(undefined, Buffer.from('spawn error\n')));
    emit({ type: 'started', pid: proc.pid, restarts });
    proc.on('exit', (code) => {
      if (child !== proc) return;
      child = undefined;
      if (stopping) return;
      if (restartAsked) {
        restartAsked = false;
        launch();
        return;
      }
      const uptimeMs = Math.round(performance.now() - startedAt);
      emit({ type: 'exited', code, uptimeMs, logTail: output.slice(-2000) });
      // A service that ran a while crashed afresh: start the backoff over.
      if (uptimeMs >= maxMs) failures = 0;
      const delayMs = Math.min(initialMs * 2 ** failures, maxMs);
      failures++;
      restarts++;
      emit({ type: 'restarting', delayMs, restarts });
      timer = setTimeout(launch, delayMs);
    });
  };
  launch();
  let healthy = false;
  const readHealth = async () => {
    let now: boolean;
    let detail: string;
    try {
      const res = await localHttp(`http://127.0.0.1:${httpPort}/healthcheck`, { timeoutMs: 5_000 });
      now = res.ok;
      detail = `${res.status} ${res.body.trim().slice(0, 200)}`;
    } catch (error) {
      now = false;
      detail = error instanceof Error ? error.message : String(error);
    }
    if (stopping || now === healthy) return;
    healthy = now;
    emit({ type: 'health', healthy, detail });
  };
  const health = setInterval(() => void readHealth(), options.healthIntervalMs ?? 2_000);
  health.unref();
  return {
    grpcAddress: { host: '127.0.0.1', port: grpcPort },
    httpUrl: `http://127.0.0.1:${httpPort}`,
    debugUrl: `http://127.0.0.1:${debugPort}`,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    metrics: async (timeoutMs = 2_000) =>
      (await localHttp(`http://127.0.0.1:${metricsPort}/metrics`, { timeoutMs })).body,
    status: () => ({ pid: child?.pid, restarts, running: child !== undefined, healthy }),
    logs: () => output,
    restart: async () => {
      const proc = child;
      if (stopping) return;
      if (proc === undefined || proc.exitCode !== null) {
        // Waiting out a backoff: start now instead.
        if (timer !== undefined) clearTimeout(timer);
        launch();
        return;
      }
      restartAsked = true;
      const started = new Promise((done) => proc.once('exit', done));
      proc.kill('SIGTERM');
      await started;
    },
    stop: async () => {
      stopping = true;
      clearInterval(health);
      if (timer !== undefined) clearTimeout(timer);
      const proc = child;
      child = undefined;
      if (proc !== undefined && proc.exitCode === null) {
        const exited = new Promise((done) => proc.once('exit', done));
        proc.kill('SIGTERM');
        const killer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(killer);
      }
      emit({ type: 'stopped' });
    },
  };
}
