// Supervises one proxy's Envoy process: starts it (or takes over one a dead egts left), restarts
// it with capped exponential backoff when it exits on its own, and stops it (optional graceful
// listener drain, SIGTERM, SIGKILL).
import { setTimeout as sleep } from 'node:timers/promises';
import { type EnvoyHandle, listenerPortsAt, localHttp, startEnvoy } from '@egts/envoy-binary';
import type { ProxyEvent, ProxyStatus, StopReason } from '../events.js';
import { HOST_METRICS_LISTENER, withHostMetrics } from '../proxyBootstrap.js';
import type { ProxyMetrics } from '../proxyMetrics.js';
import { freePort, isFree } from './freePort.js';
import {
  alive,
  drainListeners,
  type ProxyRecord,
  removeRecord,
  startWatchdog,
  stopProcess,
  writeRecord,
} from './proxyRecords.js';

/** What supervision needs of an Envoy process, started here or taken over. */
type Supervised = Pick<EnvoyHandle, 'pid' | 'logs' | 'stop' | 'exited'>;

/**
 * An Envoy this process did not start: its exit is seen by polling (it is no child of ours), its
 * output went to the egts that started it.
 */
const takenOver = (pid: number, adminPort: number): Supervised => {
  const exited = (async () => {
    // Unreferenced: watching a proxy must not keep the process alive.
    while (alive(pid)) await sleep(500, undefined, { ref: false });
    return null;
  })();
  return {
    pid,
    logs: () => '',
    stop: async (graceMs = 5_000) => {
      await stopProcess(pid, adminPort, 0, graceMs);
      await exited;
    },
    exited,
  };
};

/** Everything a proxy's process is started with; a change means a restart. */
export interface LaunchSpec {
  readonly bootstrap: object;
  readonly logLevel: string;
  readonly componentLogLevels: string | undefined;
  readonly concurrency: number | undefined;
  /**
   * Set when an EnvoyProxy `bootstrap` changed the generated one: true, or why it could not
   * apply (then `bootstrap` is the generated one and the proxy is not started with it).
   */
  readonly overridden?: true | string;
  /** EnvoyProxy `provider.host.envoyVersion`: the Envoy release the fleet asks for. */
  readonly envoyVersion?: string;
  /** That release's binary, when it is not the default Envoy (envoyVersions.ts). */
  readonly envoyPath?: string;
  /**
   * Serve the proxy's Prometheus metrics on a port of their own (unless the EnvoyProxy disables
   * them), with these settings (compression): see withHostMetrics.
   */
  readonly prometheus?: { readonly metrics: ProxyMetrics };
  /** EnvoyProxy `shutdown`: how a stopping proxy drains; absent, the manager's `drainMs`. */
  readonly shutdown?: ShutdownDrain;
  /** EnvoyProxy `extraArgs`: after every argument egts sets, as Envoy Gateway appends them. */
  readonly extraArgs?: readonly string[];
}

/**
 * EnvoyProxy `shutdown` (Envoy Gateway's shutdown manager): Envoy drains for at most
 * `drainTimeoutMs` (also its `--drain-time-s`) and at least `minDrainMs`, and exits as soon as
 * no client connection is left in between.
 */
export interface ShutdownDrain {
  readonly drainTimeoutMs: number;
  readonly minDrainMs: number;
  readonly healthCheckFailureDelayMs: number;
}

export interface ProxyProcessSettings {
  readonly envoyPath: string;
  readonly emit: (event: ProxyEvent) => void;
  /** Admin ports in use by other proxies (kept out of a re-pick). */
  readonly takenPorts: () => ReadonlySet<number>;
  readonly adminBasePort: number | undefined;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  /** A process that ran this long before exiting resets the backoff. */
  readonly stableAfterMs: number;
  /** Where each running Envoy is recorded (see proxyRecords.ts); none when undefined. */
  readonly stateDir: string | undefined;
  /** The process whose death orphans the proxy (egts itself). */
  readonly ownerPid: number;
  /** How long an orphaned proxy keeps serving before it drains and exits. */
  readonly orphanGraceMs: number;
  readonly drainMs: number;
}

export class ProxyProcess {
  readonly name: string;
  readonly spec: LaunchSpec;
  #adminPort: number;
  readonly #settings: ProxyProcessSettings;
  #handle: Supervised | undefined;
  #timer: NodeJS.Timeout | undefined;
  #startedAt = 0;
  #restarts = 0;
  #failures = 0;
  #stopping = false;
  /** The bound port of the metrics listener, once the admin interface said it (see #findMetricsPort). */
  #metricsPort: number | undefined;

  constructor(name: string, spec: LaunchSpec, adminPort: number, settings: ProxyProcessSettings) {
    this.name = name;
    this.spec = spec;
    this.#adminPort = adminPort;
    this.#settings = settings;
  }

  get adminPort(): number {
    return this.#adminPort;
  }

  status(): ProxyStatus {
    return {
      name: this.name,
      pid: this.#handle?.pid,
      adminAddress: `127.0.0.1:${this.#adminPort}`,
      ...(this.#metricsPort === undefined
        ? {}
        : { metricsAddress: `127.0.0.1:${this.#metricsPort}` }),
      restarts: this.#restarts,
      state: this.#stopping ? 'stopping' : this.#handle === undefined ? 'backoff' : 'running',
    };
  }

  /** What the running Envoy wrote to stdout and stderr (its `/dev/stdout` access log among it). */
  output(): string {
    return this.#handle?.logs() ?? '';
  }

  start(): void {
    if (this.#stopping) return;
    const { spec } = this;
    const handle = startEnvoy({
      config: spec.prometheus
        ? withHostMetrics(spec.bootstrap, this.#adminPort, spec.prometheus.metrics)
        : spec.bootstrap,
      adminPort: this.#adminPort,
      logLevel: spec.logLevel,
      envoyPath: this.spec.envoyPath ?? this.#settings.envoyPath,
      ...(spec.concurrency === undefined ? {} : { concurrency: spec.concurrency }),
      args: [
        ...(spec.componentLogLevels === undefined
          ? []
          : ['--component-log-level', spec.componentLogLevels]),
        ...(spec.shutdown === undefined
          ? []
          : [
              '--drain-time-s',
              String(Math.max(1, Math.round(spec.shutdown.drainTimeoutMs / 1000))),
              '--drain-strategy',
              'immediate',
            ]),
        ...(spec.extraArgs ?? []),
      ],
    });
    this.#supervise(handle, new Date().toISOString());
    this.#emit({
      type: 'started',
      proxy: this.name,
      pid: handle.pid,
      adminPort: this.#adminPort,
      restarts: this.#restarts,
    });
  }

  /**
   * Supervises the running Envoy of `record` (a dead egts's, started with this spec, its watchdog
   * already ended) instead of starting one: it keeps serving, and gets its configuration from
   * this process's xDS server once it reconnects.
   */
  adopt(record: ProxyRecord): void {
    if (this.#stopping) return;
    this.#adminPort = record.adminPort;
    this.#supervise(takenOver(record.pid, record.adminPort), record.startedAt);
    this.#emit({ type: 'adopted', proxy: this.name, pid: record.pid, adminPort: this.#adminPort });
  }

  /**
   * The port the kernel gave the metrics listener, from the admin interface's `/listeners`: asked
   * until it answers, for as long as `handle` is the running process.
   */
  async #findMetricsPort(handle: Supervised): Promise<void> {
    if (!this.spec.prometheus) return;
    while (this.#handle === handle && !this.#stopping) {
      try {
        const port = (await listenerPortsAt(`http://127.0.0.1:${this.#adminPort}`)).get(
          HOST_METRICS_LISTENER,
        );
        if (port !== undefined && port !== 0) {
          if (this.#handle === handle) this.#metricsPort = port;
          return;
        }
      } catch {
        // Admin not up yet.
      }
      await sleep(200);
    }
  }

  /** Records the process (with a watchdog for it) and restarts it when it exits on its own. */
  #supervise(handle: Supervised, startedAt: string): void {
    this.#handle = handle;
    this.#metricsPort = undefined;
    void this.#findMetricsPort(handle);
    this.#startedAt = performance.now();
    const { stateDir, ownerPid, orphanGraceMs, drainMs } = this.#settings;
    const envoyPath = this.spec.envoyPath ?? this.#settings.envoyPath;
    const watchdogPid = startWatchdog({
      envoyPid: handle.pid,
      ownerPid,
      adminPort: this.#adminPort,
      graceMs: orphanGraceMs,
      drainMs: Math.max(drainMs, 1000),
    });
    if (stateDir !== undefined) {
      writeRecord(stateDir, {
        proxy: this.name,
        pid: handle.pid,
        ownerPid,
        adminPort: this.#adminPort,
        bootstrap: this.spec.bootstrap,
        startedAt,
        envoyPath,
        launch: this.spec,
        ...(watchdogPid === undefined ? {} : { watchdogPid }),
      });
    }
    void handle.exited.then((code) => this.#onExit(handle, code));
  }

  #onExit(handle: Supervised, code: number | null): void {
    if (handle !== this.#handle || this.#stopping) return;
    this.#handle = undefined;
    this.#forget(handle);
    const uptimeMs = Math.round(performance.now() - this.#startedAt);
    this.#emit({
      type: 'exited',
      proxy: this.name,
      pid: handle.pid,
      adminPort: this.#adminPort,
      code,
      uptimeMs,
      logTail: handle.logs().slice(-2000),
    });
    if (uptimeMs >= this.#settings.stableAfterMs) this.#failures = 0;
    const { backoffInitialMs, backoffMaxMs } = this.#settings;
    const delayMs = Math.min(backoffInitialMs * 2 ** this.#failures, backoffMaxMs);
    this.#failures++;
    this.#restarts++;
    this.#emit({
      type: 'restarting',
      proxy: this.name,
      adminPort: this.#adminPort,
      restarts: this.#restarts,
      delayMs,
    });
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#restart();
    }, delayMs);
  }

  /** Keeps the admin port across restarts unless something else took it meanwhile. */
  async #restart(): Promise<void> {
    if (this.#stopping) return;
    if (!(await isFree(this.#adminPort))) {
      this.#adminPort = await freePort(this.#settings.takenPorts(), this.#settings.adminBasePort);
    }
    this.start();
  }

  /**
   * Stops the process for good. With `drainMs` > 0 it first asks Envoy to drain its listeners
   * gracefully (drainListeners) and waits that long; with the EnvoyProxy's `shutdown`, as long as it says (drainConnections). Then
   * SIGTERM, and SIGKILL after `timeoutMs`.
   */
  async stop(reason: StopReason, drainMs: number, timeoutMs: number): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const handle = this.#handle;
    if (handle !== undefined) {
      if (this.spec.shutdown !== undefined)
        await drainConnections(this.#adminPort, this.spec.shutdown);
      // Admin not answering: go straight to SIGTERM.
      else if (drainMs > 0 && (await drainListeners(this.#adminPort))) await sleep(drainMs);
      await handle.stop(timeoutMs);
      this.#forget(handle);
    }
    this.#handle = undefined;
    this.#emit({
      type: 'stopped',
      proxy: this.name,
      pid: handle?.pid,
      adminPort: this.#adminPort,
      reason,
    });
  }

  #forget(handle: Supervised): void {
    if (this.#settings.stateDir !== undefined)
      removeRecord(this.#settings.stateDir, this.name, handle.pid);
  }

  #emit(event: ProxyEvent): void {
    try {
      this.#settings.emit(event);
    } catch {
      // A failing listener must not break supervision.
    }
  }
}

/**
 * EnvoyProxy `shutdown` as Envoy Gateway's shutdown manager does it: a graceful listener drain
 * (Envoy closes idle connections and asks clients to reconnect elsewhere), then waits at least
 * `minDrainMs` and until no client connection is left, `drainTimeoutMs` at most. Connections
 * are read from the admin stats (every listener's `downstream_cx_active`).
 */
export async function drainConnections(adminPort: number, shutdown: ShutdownDrain): Promise<void> {
  const admin = `http://127.0.0.1:${adminPort}`;
  // Serving and ready a while longer: load balancers take time to notice (healthCheckFailureDelay).
  await sleep(shutdown.healthCheckFailureDelayMs);
  const started = Date.now();
  if (!(await drainListeners(adminPort))) return; // Admin not answering: straight to SIGTERM.
  const active = async (): Promise<number> => {
    const text = (
      await localHttp(`${admin}/stats?filter=^listener\\..*\\.downstream_cx_active$`, {
        timeoutMs: 1_000,
      })
    ).body;
    // The admin listener counts this very request.
    return [...text.matchAll(/^listener\.(?!admin\.).*: (\d+)$/gm)].reduce(
      (sum, m) => sum + Number(m[1]),
      0,
    );
  };
  while (Date.now() - started < shutdown.drainTimeoutMs) {
    if (Date.now() - started >= shutdown.minDrainMs) {
      try {
        if ((await active()) === 0) return;
      } catch {
        return;
      }
    }
    await sleep(200);
  }
}
