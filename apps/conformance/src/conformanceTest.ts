// What one upstream conformance test is, re-expressed as data: its features, the manifests it
// applies, the statuses it expects, the requests it checks, and any further steps.
import type { KubeObject } from './internal/cluster.js';
import type { GrpcResult } from './internal/grpcEcho.js';
import type { HttpResult } from './internal/httpClient.js';
import type { GatewayRef, HttpExpectation } from './internal/httpExpectation.js';
import type { ListenerExpectation, StatusExpectation } from './internal/statusExpectation.js';
import type { WebSocketClient } from './internal/websocket.js';

export type {
  GatewayRef,
  HttpExpectation,
  HttpResult,
  KubeObject,
  ListenerExpectation,
  StatusExpectation,
};

/** Gateway API feature names (pkg/features), as the report lists them. */
export type Feature = string;

/** What a test's extra steps can do with the harness. */
export interface TestHarness {
  /** Updates an applied object (as `kubectl apply` of an edited copy) and re-syncs egts. */
  update(
    kind: string,
    namespace: string | undefined,
    name: string,
    edit: (object: KubeObject) => void,
  ): Promise<void>;
  /** Applies further objects (deleted with the test's own) and re-syncs egts. */
  apply(objects: readonly KubeObject[]): Promise<void>;
  /**
   * Rolls a backend Deployment's pods (`kubectl rollout restart`): new pods start, egts re-syncs
   * the endpoints, then after `drainMs` the old pods stop. Resolves once they have.
   */
  restart(namespace: string, deployment: string, drainMs?: number): Promise<void>;
  /** The request paths a backend Deployment answered so far (echo-basic's log). */
  requestLog(namespace: string, deployment: string): readonly string[];
  /** Where the local echo server of a backend Deployment listens (its "pod IP" and port). */
  endpoint(namespace: string, deployment: string): { address: string; port: number };
  /**
   * Where a Service's port leads (its cluster IP and port, as a client in the cluster reaches
   * it): the local server standing in for the pod behind it.
   */
  serviceAddress(
    namespace: string,
    service: string,
    port: number,
  ): { address: string; port: number };
  /** One request, answered or not (for tests that count answers, such as traffic splits). */
  send(expected: HttpExpectation): Promise<HttpResult | Error>;
  /**
   * The Envoy statistics of a Gateway's proxy (default same-namespace) whose names match the
   * regular expression `filter` (admin `/stats?filter=`), by name: what the upstream tests read
   * from Prometheus.
   */
  stats(filter: string, gateway?: GatewayRef): Promise<Readonly<Record<string, number>>>;
  /**
   * What a Gateway's proxy wrote to its stdout so far (default same-namespace): its access log to
   * `/dev/stdout`, what the upstream tests read from the container's log in Loki.
   */
  proxyOutput(gateway?: GatewayRef): string;
  /** A Gateway's proxy metrics in Prometheus text format (what the upstream tests ask Prometheus). */
  prometheus(gateway?: GatewayRef): Promise<string>;
  /** Where a Gateway's proxy serves them (`http://<address>/stats/prometheus`, its "port 19001"). */
  metricsUrl(gateway?: GatewayRef): Promise<string>;
  /**
   * GET a URL naming a Service by its cluster DNS name (`http://<service>.<namespace>:<port>/...`),
   * from inside the cluster stand-in: how a test reads an add-on's query API.
   */
  fetchInCluster(url: string): Promise<Response>;
  /** Generation of an object now (the API server's metadata.generation). */
  generation(kind: string, namespace: string | undefined, name: string): number;
  expectStatuses(expected: readonly StatusExpectation[]): Promise<void>;
  expectRequests(expected: readonly HttpExpectation[]): Promise<void>;
  expectGrpc(expected: readonly GrpcExpectation[]): Promise<void>;
  /**
   * Retries `attempt` until it succeeds `consecutive` times in a row within the timeout (the
   * suite's AwaitConvergence); `attempt` returns why it failed, or undefined.
   */
  eventually(label: string, attempt: () => Promise<string | undefined>): Promise<void>;
  /** A WebSocket to a Gateway's Envoy (`ws://<gateway address>:<port><path>`), after the handshake. */
  openWebSocket(
    gateway: GatewayRef | undefined,
    port: number,
    path: string,
    origin: string,
  ): Promise<WebSocketClient>;
  /** The local port of a Gateway's Envoy listener for `port` (the "Gateway address"). */
  gatewayPort(gateway: GatewayRef | undefined, port: number): number;
  /** One gRPC call, answered or not (for traffic splits). */
  sendGrpc(expected: GrpcExpectation): Promise<GrpcResult>;
}

/** A unary call to GrpcEcho through a Gateway and what must come back (the suite's grpc.ExpectedResponse). */
export interface GrpcExpectation {
  readonly gateway?: GatewayRef;
  readonly port?: number;
  readonly method: 'Echo' | 'EchoTwo' | 'EchoThree';
  readonly authority?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  /** gRPC status code; default 0 (OK). Several: any of them. */
  readonly code?: number | readonly number[];
  /** Deployment name prefix of the pod that must answer (for OK). */
  readonly backend?: string;
  readonly namespace?: string;
}

export interface ConformanceTest {
  readonly name: string;
  readonly description: string;
  readonly features: readonly Feature[];
  /** Files under the suite's `tests/` folder (base manifests are always applied). */
  readonly manifests: readonly string[];
  /**
   * Files the manifests' proxy image ships, by their path in the image, and the function giving
   * the file on this machine: host-mode Envoy runs here, so the manifests name the local file.
   */
  readonly proxyImageFiles?: Readonly<Record<string, () => string>>;
  /** Objects applied after the manifests (tests of egts's own, with data made at run time). */
  readonly objects?: readonly KubeObject[];
  readonly provisional?: boolean;
  /** Must hold once the manifests are applied (the suite's "must be accepted" waits included). */
  readonly statuses?: readonly StatusExpectation[];
  /** Each must hold for consecutive requests within the consistency timeout. */
  readonly requests?: readonly HttpExpectation[];
  /** gRPC calls to the GrpcEcho backends, each consistent like `requests`. */
  readonly grpcRequests?: readonly GrpcExpectation[];
  /** Further steps: changes to applied objects and what must follow. */
  readonly steps?: (harness: TestHarness) => Promise<void>;
  /** Why this harness cannot run the test; the report lists it as skipped with this reason. */
  readonly skip?: string;
}

export const infra = 'gateway-conformance-infra';
export const appBackend = 'gateway-conformance-app-backend';
export const webBackend = 'gateway-conformance-web-backend';

export const gw = (name: string, namespace = infra): GatewayRef => ({ namespace, name });

/** The suite's GatewayAndRoutesMustBeAccepted: Gateway accepted and programmed, routes accepted. */
export const accepted = (
  gateway: GatewayRef,
  routes: readonly string[],
  kind: 'HTTPRoute' | 'GRPCRoute' | 'TLSRoute' | 'TCPRoute' | 'UDPRoute' = 'HTTPRoute',
  routeNamespace = infra,
): StatusExpectation[] => [
  {
    kind: 'Gateway',
    namespace: gateway.namespace,
    name: gateway.name,
    conditions: [
      { type: 'Accepted', status: 'True' },
      { type: 'Programmed', status: 'True' },
    ],
  },
  ...routes.map(
    (route): StatusExpectation => ({
      kind,
      namespace: routeNamespace,
      name: route,
      parents: [{ gateway, conditions: [{ type: 'Accepted', status: 'True' }] }],
    }),
  ),
];

/** A route parent's conditions as the suite's HTTPRouteMustHaveCondition checks them. */
export const routeCondition = (
  route: string,
  gateway: GatewayRef,
  type: string,
  status: 'True' | 'False',
  reason?: string,
  routeNamespace = infra,
): StatusExpectation => ({
  kind: 'HTTPRoute',
  namespace: routeNamespace,
  name: route,
  parents: [{ gateway, conditions: [{ type, status, ...(reason ? { reason } : {}) }] }],
});
