// Host infrastructure: runs one Envoy process per proxy fleet of the Infra IR on this machine
// (Envoy Gateway's Host infrastructure provider), and keeps the set of processes matching the IR.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRecord } from '@egts/api';
import { findEnvoy } from '@egts/envoy-binary';
import type { InfraIR, ProxyInfra } from '@egts/ir';
import { createBootstrapJudge } from './bootstrapJudge.js';
import { applyBootstrapOverride } from './bootstrapOverride.js';
import { createEnvoyVersions } from './envoyVersions.js';
import type { ProxyEvent, ProxyStatus } from './events.js';
import { extraArgs } from './internal/extraArgs.js';
import { freePort } from './internal/freePort.js';
import { type LaunchSpec, ProxyProcess } from './internal/proxyProcess.js';
import { takeOverOrphans } from './internal/proxyRecords.js';
import { proxyBootstrap, type XdsAddress } from './proxyBootstrap.js';
import { proxyMetrics, sinkTargets } from './proxyMetrics.js';
import { ZONE_VARIABLE } from './proxyZone.js';

export interface HostInfraManagerOptions {
  /** The xDS server every proxy connects to (Delta ADS). */
  readonly xds: XdsAddress;
  /** Envoy executable; default `findEnvoy()` (ENVOY_PATH, the project venv, PATH). */
  readonly envoyPath?: string;
  /** Admin ports are taken from here upwards (first free); default: any free port. */
  readonly adminBasePort?: number;
  /** `--log-level` when the EnvoyProxy sets no `logging.level.default`; default `warn`. */
  readonly logLevel?: string;
  readonly onEvent?: (event: ProxyEvent) => void;
  /** Restart backoff: `initialMs * 2^n`, capped at `maxMs`; defaults 500 ms and 30 s. */
  readonly backoff?: { readonly initialMs?: number; readonly maxMs?: number };
  /** Graceful listener drain before SIGTERM when a proxy stops; default 0 (none). */
  readonly drainMs?: number;
  /** SIGTERM to SIGKILL; default 5 s. */
  readonly stopTimeoutMs?: number;
  /**
   * Where each running Envoy is recorded (pid, owner, launch settings). On the first apply, an
   * Envoy a dead egts left there is taken over when this manager would start it alike (same
   * Envoy, bootstrap and flags), and stopped otherwise before a new one starts. None when undefined.
   */
  readonly stateDir?: string;
  /**
   * Where the Envoy releases fleets ask for (`provider.host.envoyVersion`) are installed, one
   * virtualenv each; default `<stateDir>/envoy`.
   */
  readonly envoyVersionsDir?: string;
  /**
   * How long a proxy whose egts is gone keeps serving before it drains and exits; default 60 s,
   * time for a restarted egts to take it over (or to stop it and start its own).
   */
  readonly orphanGraceMs?: number;
  /** The process whose death orphans the proxies; default this one. */
  readonly ownerPid?: number;
  /**
   * The zone the proxies run in, for zone-aware routing; default the ENVOY_SERVICE_ZONE
   * environment variable (Envoy Gateway's name for it), none when unset.
   */
  readonly zone?: string;
}

export interface HostInfraManager {
  /**
   * Makes the running proxies match `infraIR`: starts new fleets, stops removed ones, restarts
   * those whose bootstrap-relevant settings changed. Calls are applied in order; resolves once the
   * processes are started or stopped (not once Envoy is ready). A no-op after `close()`.
   */
  apply(infraIR: InfraIR): Promise<void>;
  /** The supervised proxies, by name. */
  proxies(): ProxyStatus[];
  /**
   * What a proxy's running Envoy wrote to stdout and stderr so far: its access log when a sink
   * writes to `/dev/stdout` (Envoy Gateway's default), with Envoy's own log; '' when none runs.
   */
  output(name: string): string;
  /** Stops every proxy (drain, SIGTERM, SIGKILL after the timeout); nothing is left running. */
  close(): Promise<void>;
}

/**
 * The settings a fleet's process starts with. From the EnvoyProxy spec: `logging.level`
 * (`default` -> `--log-level`, the others -> `--component-log-level`), `concurrency`,
 * `shutdown` (how the proxy drains when it stops) and `extraArgs`. Listener
 * ports are not here: Envoy gets them over xDS, so a port change needs no restart.
 */
const launchSpec = (proxy: ProxyInfra, options: HostInfraManagerOptions): LaunchSpec => {
  const envoyProxy = proxy.envoyProxy ?? {};
  const logging = isRecord(envoyProxy.logging) ? envoyProxy.logging : {};
  const levels = isRecord(logging.level) ? logging.level : {};
  const defaultLevel = typeof levels.default === 'string' ? levels.default : undefined;
  const components = Object.entries(levels)
    .filter(([component, level]) => component !== 'default' && typeof level === 'string')
    .map(([component, level]) => `${component}:${String(level)}`)
    .sort();
  const concurrency = envoyProxy.concurrency;
  const metrics = proxyMetrics(
    proxy.envoyProxy,
    proxy.metricSinks && sinkTargets(proxy.metricSinks, 'host'),
  );
  const generated = proxyBootstrap({
    proxyName: proxy.name,
    xds: options.xds,
    metrics,
    ...proxyZoneOption(options),
  });
  const telemetry = isRecord(envoyProxy.telemetry) ? envoyProxy.telemetry : {};
  const provider = isRecord(envoyProxy.provider) ? envoyProxy.provider : {};
  const host = isRecord(provider.host) ? provider.host : {};
  const envoyVersion = typeof host.envoyVersion === 'string' ? host.envoyVersion : undefined;
  const metricsSpec = isRecord(telemetry.metrics) ? telemetry.metrics : {};
  const prometheus = isRecord(metricsSpec.prometheus) ? metricsSpec.prometheus : {};
  let bootstrap: object = generated;
  let refused: string | undefined;
  try {
    if (proxy.bootstrap) bootstrap = applyBootstrapOverride(generated, proxy.bootstrap);
  } catch (error) {
    refused = (error as Error).message;
  }
  return {
    bootstrap,
    ...(proxy.bootstrap ? { overridden: refused ?? true } : {}),
    logLevel: defaultLevel ?? options.logLevel ?? 'warn',
    componentLogLevels: components.length === 0 ? undefined : components.join(','),
    concurrency: typeof concurrency === 'number' && concurrency > 0 ? concurrency : undefined,
    ...(proxy.shutdown ? { shutdown: proxy.shutdown } : {}),
    ...(extraArgs(envoyProxy).length > 0 ? { extraArgs: extraArgs(envoyProxy) } : {}),
    ...(prometheus.disable === true ? {} : { prometheus: { metrics } }),
    ...(envoyVersion === undefined ? {} : { envoyVersion }),
  };
};

const proxyZoneOption = (options: HostInfraManagerOptions): { zone?: string } => {
  const zone = options.zone ?? process.env[ZONE_VARIABLE];
  return zone === undefined || zone === '' ? {} : { zone };
};

export const createHostInfraManager = (options: HostInfraManagerOptions): HostInfraManager => {
  // Resolved up front so that a missing Envoy is one clear error, not a restart loop.
  const envoyPath = options.envoyPath ?? findEnvoy();
  const drainMs = options.drainMs ?? 0;
  const stopTimeoutMs = options.stopTimeoutMs ?? 5_000;
  const running = new Map<string, ProxyProcess>();
  let queue: Promise<void> = Promise.resolve();
  let closed = false;

  const takenPorts = (): ReadonlySet<number> =>
    new Set([...running.values()].map((proxy) => proxy.adminPort));
  const settings = {
    envoyPath,
    emit: (event: ProxyEvent) => options.onEvent?.(event),
    takenPorts,
    adminBasePort: options.adminBasePort,
    backoffInitialMs: options.backoff?.initialMs ?? 500,
    backoffMaxMs: options.backoff?.maxMs ?? 30_000,
    stableAfterMs: 10_000,
    stateDir: options.stateDir,
    ownerPid: options.ownerPid ?? process.pid,
    orphanGraceMs: options.orphanGraceMs ?? 60_000,
    drainMs,
  };
  let orphansStopped = options.stateDir === undefined;

  // An admin port found free ahead of need: the first proxy then starts in the very turn its
  // Infra IR arrives, so Envoy boots (on another core) while this process translates the xDS
  // resources it will ask for, instead of after.
  let sparePort: number | undefined;
  const findSparePort = () => {
    freePort(takenPorts(), options.adminBasePort).then(
      (port) => {
        sparePort = port;
      },
      () => undefined,
    );
  };
  findSparePort();
  const takeSparePort = (): number | undefined => {
    const port = sparePort;
    sparePort = undefined;
    if (port === undefined || takenPorts().has(port)) return undefined;
    return port;
  };

  /**
   * EnvoyProxy bootstraps are checked before a proxy restarts with one: one that does not apply
   * or that Envoy refuses leaves the running proxy (with its last good bootstrap) alone, and
   * starts none.
   */
  const judge = createBootstrapJudge({ envoyPath, onEvent: options.onEvent });
  const versions = createEnvoyVersions({
    dir: options.envoyVersionsDir ?? join(options.stateDir ?? join(tmpdir(), 'egts'), 'envoy'),
    defaultEnvoy: envoyPath,
  });
  /**
   * The Envoy each fleet asks for (`provider.host.envoyVersion`), installed if need be; one that
   * cannot be had is refused like a bootstrap that cannot apply, naming the field, and the
   * fleet keeps the proxy it has.
   */
  const resolveEnvoyVersions = async (desired: Map<string, LaunchSpec>): Promise<void> => {
    for (const [name, spec] of desired) {
      if (spec.envoyVersion === undefined) continue;
      try {
        const binary = await versions.binaryFor(spec.envoyVersion);
        if (binary !== envoyPath) desired.set(name, { ...spec, envoyPath: binary });
      } catch (error) {
        desired.set(name, { ...spec, overridden: (error as Error).message });
      }
    }
  };
  const refuseInvalidBootstraps = async (desired: Map<string, LaunchSpec>): Promise<void> => {
    judge.retain(new Set(desired.keys()));
    for (const [name, spec] of desired) {
      const current = running.get(name);
      if (
        spec.overridden === undefined ||
        (current && JSON.stringify(current.spec) === JSON.stringify(spec))
      ) {
        judge.accept(name);
        continue;
      }
      const reason = await judge.judge(
        name,
        spec.overridden === true ? spec.bootstrap : { error: spec.overridden },
      );
      if (reason === undefined) continue;
      if (current) desired.set(name, current.spec);
      else desired.delete(name);
    }
  };

  // No await unless there is something to wait for (a stop, a port, a bootstrap to validate):
  // see `sparePort`.
  const reconcile = async (infraIR: InfraIR): Promise<void> => {
    if (closed) return;
    const desired = new Map(
      infraIR.proxies.map((proxy) => [proxy.name, launchSpec(proxy, options)]),
    );
    if ([...desired.values()].some((spec) => spec.envoyVersion !== undefined))
      await resolveEnvoyVersions(desired);
    if ([...desired.values()].some((spec) => spec.overridden !== undefined))
      await refuseInvalidBootstraps(desired);
    else {
      // Nothing to judge (no await): a fleet refused before has no override any more.
      judge.retain(new Set(desired.keys()));
      for (const name of desired.keys()) judge.accept(name);
    }
    if (closed) return;
    if (!orphansStopped && options.stateDir !== undefined) {
      orphansStopped = true;
      // Graceful like any stop, but bounded: the new proxies wait for the port.
      const { adopted, stopping, stopped } = takeOverOrphans(
        options.stateDir,
        (record) =>
          record.envoyPath === (desired.get(record.proxy)?.envoyPath ?? envoyPath) &&
          JSON.stringify(record.launch) === JSON.stringify(desired.get(record.proxy)),
        drainMs,
        stopTimeoutMs,
      );
      for (const record of adopted) {
        const proxy = new ProxyProcess(
          record.proxy,
          desired.get(record.proxy)!,
          record.adminPort,
          settings,
        );
        running.set(record.proxy, proxy);
        proxy.adopt(record);
      }
      if (stopping.length > 0) {
        await stopped;
        for (const record of stopping) {
          options.onEvent?.({
            type: 'orphan-stopped',
            proxy: record.proxy,
            pid: record.pid,
            adminPort: record.adminPort,
          });
        }
      }
    }
    const stops: Promise<void>[] = [];
    for (const [name, proxy] of running) {
      const spec = desired.get(name);
      if (spec !== undefined && JSON.stringify(spec) === JSON.stringify(proxy.spec)) continue;
      running.delete(name);
      stops.push(proxy.stop(spec === undefined ? 'removed' : 'changed', drainMs, stopTimeoutMs));
    }
    if (stops.length > 0) await Promise.all(stops);
    for (const [name, spec] of desired) {
      if (running.has(name) || closed) continue;
      const adminPort = takeSparePort() ?? (await freePort(takenPorts(), options.adminBasePort));
      if (running.has(name) || closed) continue;
      const proxy = new ProxyProcess(name, spec, adminPort, settings);
      running.set(name, proxy);
      proxy.start();
    }
  };

  let pending = 0;
  return {
    apply: (infraIR) => {
      // Nothing queued: reconcile now rather than on the next microtask (see `sparePort`).
      const next = pending === 0 ? reconcile(infraIR) : queue.then(() => reconcile(infraIR));
      pending++;
      // A failed apply must not wedge the ones after it.
      queue = next.then(
        () => {
          pending--;
        },
        () => {
          pending--;
        },
      );
      return next;
    },
    output: (name) => running.get(name)?.output() ?? '',
    proxies: () =>
      [...running.values()]
        .map((proxy) => proxy.status())
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    close: async () => {
      closed = true;
      await queue;
      const proxies = [...running.values()];
      running.clear();
      await Promise.all(proxies.map((proxy) => proxy.stop('close', drainMs, stopTimeoutMs)));
    },
  };
};
