// createXdsServer: the Aggregated Discovery Service on @grpc/grpc-js, both variants (sotw/ and
// delta/) over one snapshot cache, with optional mTLS, keepalive, connection age and size limits.
import type {
  DeltaDiscoveryRequest,
  DeltaDiscoveryResponse,
  DiscoveryRequest,
  DiscoveryResponse,
} from '@egts/envoy-api';
import { AggregatedDiscoveryServiceService } from '@egts/envoy-api/services';
import {
  type ChannelOptions,
  Server,
  ServerCredentials,
  type ServerDuplexStream,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { type Rejection, withDefaults, type XdsCallbacks } from './callbacks.js';
import { serveDeltaStream } from './delta/deltaStream.js';
import { Convergence } from './internal/convergence.js';
import { type LatencyStats, PushMetrics } from './internal/pushMetrics.js';
import {
  serializeDeltaDiscoveryResponse,
  serializeDiscoveryResponse,
} from './internal/responseBytes.js';
import type { StreamCoreDeps } from './internal/streamCore.js';
import type { SnapshotCache } from './snapshotCache.js';
import { serveSotwStream } from './sotw/sotwStream.js';
import { createMtlsCredentials, type TlsFiles } from './tls.js';

/** The ADS service, its responses written once into a buffer of their size (responseBytes.ts). */
const adsService = {
  streamAggregatedResources: {
    ...AggregatedDiscoveryServiceService.streamAggregatedResources,
    responseSerialize: serializeDiscoveryResponse,
  },
  deltaAggregatedResources: {
    ...AggregatedDiscoveryServiceService.deltaAggregatedResources,
    responseSerialize: serializeDeltaDiscoveryResponse,
  },
};

export interface XdsServerOptions {
  /** mTLS (TLS 1.3, client certificates required, files reloaded on change); plaintext when absent. */
  readonly tls?: TlsFiles;
  /** Server-initiated HTTP/2 pings (`grpc.keepalive_time_ms` / `grpc.keepalive_timeout_ms`). */
  readonly keepalive?: { readonly timeMs: number; readonly timeoutMs?: number };
  /**
   * Close connections after this age so proxies reconnect and spread over servers; grpc-js adds
   * a +/-10% jitter to each connection's age (`grpc.max_connection_age_ms`).
   */
  readonly maxConnectionAgeMs?: number;
  /** Time streams get to finish after max age (`grpc.max_connection_age_grace_ms`). */
  readonly maxConnectionAgeGraceMs?: number;
  /** Largest request accepted; default 4 MiB (gRPC's). */
  readonly maxReceiveMessageBytes?: number;
  /** Largest response sent; default unlimited. A large snapshot may need more than 4 MiB. */
  readonly maxSendMessageBytes?: number;
  /**
   * Most resource names one stream may subscribe to, per type; a request over it ends the stream
   * with RESOURCE_EXHAUSTED. Default 100,000: far above one proxy's clusters or routes.
   */
  readonly maxResourceNames?: number;
}

export interface XdsServer {
  /** Binds `host:port` (default `127.0.0.1:0`) and starts serving; resolves with the port. */
  listen(address?: string): Promise<number>;
  /** Ends every stream and stops the server. */
  close(): Promise<void>;
  /** Subscribes to NACKs (for status and metrics); returns unsubscribe. */
  onRejection(listener: (rejection: Rejection) => void): () => void;
  /** Push latency (snapshot set -> ACK) per type URL and node id. */
  pushLatency(): { typeUrl: string; nodeId: string; stats: LatencyStats }[];
  /**
   * Resolves once every proxy connected for `group` has ACKed or NACKed all it subscribes to of
   * the group's current snapshot (at once when none is connected). Set a snapshot first, then
   * wait: "the proxies hold what I published". Add your own time limit; a proxy that stops
   * answering never converges.
   */
  converged(group: string): Promise<void>;
  /** Whether every connected proxy has answered (ACK or NACK) every response sent to it. */
  answered(): boolean;
  /** The underlying grpc-js server (to add other services before `listen`). */
  readonly grpcServer: Server;
}

export const createXdsServer = (
  cache: SnapshotCache,
  callbacks: XdsCallbacks = {},
  options: XdsServerOptions = {},
): XdsServer => {
  const hooks = withDefaults(callbacks);
  const metrics = new PushMetrics();
  const rejectionListeners = new Set<(rejection: Rejection) => void>();
  const convergence = new Convergence();
  let nextStreamId = 0;
  const deps = (): Omit<StreamCoreDeps, 'variant' | 'send' | 'peer' | 'abort'> => ({
    streamId: ++nextStreamId,
    maxResourceNames: options.maxResourceNames ?? 100_000,
    cache,
    callbacks: hooks,
    metrics,
    publishRejection: (rejection) => {
      for (const listener of [...rejectionListeners]) listener(rejection);
    },
    onProgress: (core) => convergence.progress(core),
  });

  const channelOptions: ChannelOptions = {
    'grpc.max_receive_message_length': options.maxReceiveMessageBytes ?? 4 * 1024 * 1024,
    'grpc.max_send_message_length': options.maxSendMessageBytes ?? -1,
    ...(options.keepalive === undefined
      ? {}
      : {
          'grpc.keepalive_time_ms': options.keepalive.timeMs,
          'grpc.keepalive_timeout_ms': options.keepalive.timeoutMs ?? 20_000,
        }),
    ...(options.maxConnectionAgeMs === undefined
      ? {}
      : { 'grpc.max_connection_age_ms': options.maxConnectionAgeMs }),
    ...(options.maxConnectionAgeGraceMs === undefined
      ? {}
      : { 'grpc.max_connection_age_grace_ms': options.maxConnectionAgeGraceMs }),
  };
  const server = new Server(channelOptions);
  const implementation: UntypedServiceImplementation = {
    streamAggregatedResources: (call: ServerDuplexStream<DiscoveryRequest, DiscoveryResponse>) => {
      serveSotwStream(call, deps());
    },
    deltaAggregatedResources: (
      call: ServerDuplexStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>,
    ) => {
      serveDeltaStream(call, deps());
    },
  };
  server.addService(adsService, implementation);
  const tls = options.tls === undefined ? undefined : createMtlsCredentials(options.tls);

  return {
    grpcServer: server,
    listen: (address = '127.0.0.1:0') =>
      new Promise((resolve, reject) => {
        server.bindAsync(
          address,
          tls?.credentials ?? ServerCredentials.createInsecure(),
          (error, port) => (error ? reject(error) : resolve(port)),
        );
      }),
    close: async () => {
      tls?.dispose();
      server.forceShutdown();
      convergence.release();
    },
    onRejection: (listener) => {
      rejectionListeners.add(listener);
      return () => rejectionListeners.delete(listener);
    },
    pushLatency: () => metrics.snapshot(),
    converged: (group) => convergence.wait(group),
    answered: () => convergence.answered(),
  };
};
