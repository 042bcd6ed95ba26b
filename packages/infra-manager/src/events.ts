// What the host infra-manager reports about its proxies: lifecycle events (for logs and metrics)
// and a listing of what runs now.

/** Why a proxy was stopped on purpose. */
export type StopReason = 'removed' | 'changed' | 'close';

export type ProxyEvent =
  | {
      /**
       * The fleet's EnvoyProxy bootstrap does not apply or Envoy refuses the result (`envoy --mode
       * validate`): a running proxy keeps its bootstrap, none is started with this one.
       */
      readonly type: 'bootstrap-refused';
      readonly proxy: string;
      /** The EnvoyProxy field, or Envoy's own words. */
      readonly reason: string;
    }
  | {
      /** A fleet whose bootstrap was refused has one Envoy takes again, or is gone. */
      readonly type: 'bootstrap-accepted';
      readonly proxy: string;
    }
  | {
      readonly type: 'started';
      readonly proxy: string;
      readonly pid: number;
      readonly adminPort: number;
      /** Restarts so far (0 for the first start). */
      readonly restarts: number;
    }
  | {
      /** The process ended without being asked to: a restart follows. */
      readonly type: 'exited';
      readonly proxy: string;
      readonly pid: number;
      readonly adminPort: number;
      /** Exit code; null when a signal killed it. */
      readonly code: number | null;
      readonly uptimeMs: number;
      /** The last 2000 characters Envoy wrote. */
      readonly logTail: string;
    }
  | {
      readonly type: 'restarting';
      readonly proxy: string;
      readonly adminPort: number;
      readonly restarts: number;
      /** Backoff before the new process starts. */
      readonly delayMs: number;
    }
  | {
      /**
       * A proxy an earlier, dead egts left running, started as this one would start it: kept
       * serving and supervised from now on (it reconnects to this xDS server).
       */
      readonly type: 'adopted';
      readonly proxy: string;
      readonly pid: number;
      readonly adminPort: number;
    }
  | {
      /** A proxy an earlier, dead egts left running, stopped before this one starts its own. */
      readonly type: 'orphan-stopped';
      readonly proxy: string;
      readonly pid: number;
      readonly adminPort: number;
    }
  | {
      readonly type: 'stopped';
      readonly proxy: string;
      /** Undefined when it was stopped while waiting to restart. */
      readonly pid: number | undefined;
      readonly adminPort: number;
      readonly reason: StopReason;
    };

/** One supervised proxy as `proxies()` lists it. */
export interface ProxyStatus {
  readonly name: string;
  /** Undefined while waiting to restart. */
  readonly pid: number | undefined;
  /** `127.0.0.1:<port>` of its admin interface. */
  readonly adminAddress: string;
  /**
   * `127.0.0.1:<port>` serving `GET /stats/prometheus` (compressed as the EnvoyProxy's
   * `telemetry.metrics.prometheus.compression` asks) and `/ready`, once known; absent when the
   * EnvoyProxy disables Prometheus.
   */
  readonly metricsAddress?: string;
  readonly restarts: number;
  readonly state: 'running' | 'backoff' | 'stopping';
}
