// Runs conformance tests one after another against one cluster stand-in and one egts control
// plane: applies a test's manifests, waits for its statuses, checks its requests for eventual
// consistency (N answers in a row, as the suite does), runs its steps and deletes what it applied.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConformanceTest, GrpcExpectation, TestHarness } from '../conformanceTest.js';
import { caConfigMap, clientCertificate, selfSigned, tlsSecret } from './certificates.js';
import { Cluster, type KubeObject, objectKey, parseManifests, type StandIn } from './cluster.js';
import { clusterFetch } from './clusterFetch.js';
import { type ControlPlane, startControlPlane } from './controlPlane.js';
import { callGrpcEcho, type GrpcResult } from './grpcEcho.js';
import { compareGrpc } from './grpcExpectation.js';
import { type HttpResult, sendRequest } from './httpClient.js';
import { compareResponse, freshAttempt, type HttpExpectation } from './httpExpectation.js';
import { compareStatus, type StatusExpectation } from './statusExpectation.js';
import { dialWebSocket } from './websocket.js';

export const GATEWAY_CLASS_NAME = 'egts-conformance';
export const CONTROLLER_NAME = 'gateway.envoyproxy.io/gatewayclass-controller';

export interface HarnessOptions {
  readonly suiteDir: string;
  /** How long statuses and requests may take to become what a test expects; default 30 s. */
  readonly timeoutMs?: number;
  /** Answers in a row a request expectation needs; default 3 (the suite's default). */
  readonly consecutive?: number;
  readonly log?: (line: string) => void;
  /** Where a suite keeps its test manifests and which base Gateways must be ready; default Gateway API's. */
  readonly layout?: SuiteLayout;
  /** Local processes standing in for the suite's auxiliary server images. */
  readonly standIns?: readonly StandIn[];
  /** Add-ons the suite's install adds beside the base manifests (the telemetry collector). */
  readonly addons?: readonly KubeObject[];
  /** Run Redis and the Rate Limit Service (tests with the GlobalRateLimit feature). */
  readonly rateLimit?: boolean;
}

/** The feature whose tests need the Rate Limit Service; their counters start from zero. */
export const GLOBAL_RATE_LIMIT = 'GlobalRateLimit';

/** How a suite's folder is laid out: Gateway API's conformance, or Envoy Gateway's e2e. */
export interface SuiteLayout {
  /** Folder of the test manifests, under the suite folder. */
  readonly testsFolder: string;
  /** Gateways of the base manifests (in gateway-conformance-infra) that must be ready first. */
  readonly gateways: readonly string[];
  /** Deployments (`namespace/name`) that run every replica (see Cluster); default none. */
  readonly replicated?: readonly string[];
}

export const GATEWAY_API_LAYOUT: SuiteLayout = {
  testsFolder: 'tests',
  gateways: ['same-namespace', 'all-namespaces', 'backend-namespaces'],
};

export const ENVOY_GATEWAY_LAYOUT: SuiteLayout = {
  testsFolder: 'testdata',
  gateways: ['same-namespace', 'all-namespaces'],
  // The load balancing tests count which of web-backend's 4 pods answered.
  replicated: ['gateway-conformance-infra/web-backend'],
};

export interface TestOutcome {
  readonly name: string;
  readonly result: 'passed' | 'failed' | 'skipped';
  readonly reason?: string;
  readonly ms: number;
}

class Failure extends Error {}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class Harness {
  readonly #options: HarnessOptions;
  readonly #cluster: Cluster;
  #plane: ControlPlane | undefined;
  readonly #placeholders = {
    '{GATEWAY_CLASS_NAME}': GATEWAY_CLASS_NAME,
    '{GATEWAY_CONTROLLER_NAME}': CONTROLLER_NAME,
  };

  constructor(options: HarnessOptions) {
    this.#options = options;
    this.#cluster = new Cluster(options.standIns, options.layout?.replicated);
  }

  get #timeoutMs(): number {
    return this.#options.timeoutMs ?? 30_000;
  }

  manifests(file: string, imageFiles: Readonly<Record<string, () => string>> = {}): KubeObject[] {
    const text = readFileSync(join(this.#options.suiteDir, file), 'utf8');
    const files = Object.fromEntries(
      Object.entries(imageFiles).map(([at, local]) => [at, local()]),
    );
    return parseManifests(text, { ...this.#placeholders, ...files });
  }

  /** The GatewayClass, the Secrets the suite makes in code, the base manifests; waits for them. */
  async start(): Promise<void> {
    const anyHost = selfSigned(['*']);
    const validity = selfSigned(['*', '*.org', '*.wildcard.org']);
    const passthrough = selfSigned(['abc.example.com']);
    const terminate = selfSigned(['tls.example.com']);
    const checks = selfSigned([
      'abc.example.com',
      'spiffe://abc.example.com/test-identity',
      'other.example.com',
    ]);
    const mismatch = selfSigned(['abc.example.com']);
    // CAs of frontend client-certificate validation and the client certificates they signed.
    const validityCa = selfSigned(['tls-validity-checks-ca']);
    const perPortCa = selfSigned(['tls-validity-checks-per-port-ca']);
    const base = this.manifests('base/manifests.yaml');
    // Namespaces, then the Secrets the suite makes in code (backends mount some), then the rest.
    await this.#cluster.apply([
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'GatewayClass',
        metadata: { name: GATEWAY_CLASS_NAME },
        spec: { controllerName: CONTROLLER_NAME },
      },
      ...base.filter((o) => o.kind === 'Namespace'),
      tlsSecret('gateway-conformance-web-backend', 'certificate', anyHost),
      tlsSecret('gateway-conformance-infra', 'tls-validity-checks-certificate', validity),
      tlsSecret('gateway-conformance-infra', 'tls-passthrough-checks-certificate', passthrough),
      tlsSecret(
        'gateway-conformance-app-backend',
        'tls-passthrough-checks-certificate',
        passthrough,
      ),
      tlsSecret('gateway-conformance-infra', 'tls-terminate-checks-certificate', terminate),
      tlsSecret('gateway-conformance-infra', 'tls-checks-certificate', checks),
      tlsSecret(
        'gateway-conformance-infra',
        'tls-checks-client-certificate',
        clientCertificate(checks, 'tls-checks-client'),
      ),
      // CA bundles: the self-signed serving certificates are their own CAs; "mismatch" signed none.
      caConfigMap('gateway-conformance-infra', 'tls-checks-ca-certificate', checks),
      caConfigMap('gateway-conformance-infra', 'mismatch-ca-certificate', mismatch),
      caConfigMap('gateway-conformance-infra', 'tls-validity-checks-ca-certificate', validityCa),
      caConfigMap(
        'gateway-conformance-infra',
        'tls-validity-checks-per-port-ca-certificate',
        perPortCa,
      ),
      tlsSecret(
        'gateway-conformance-infra',
        'tls-validity-checks-client-certificate',
        clientCertificate(validityCa, 'tls-validity-checks-client'),
      ),
      tlsSecret(
        'gateway-conformance-infra',
        'tls-validity-checks-per-port-client-certificate',
        clientCertificate(perPortCa, 'tls-validity-checks-per-port-client'),
      ),
      caConfigMap('gateway-conformance-web-backend', 'web-backend-cm', anyHost),
      ...base.filter((o) => o.kind !== 'Namespace'),
      ...(this.#options.addons ?? []),
    ]);
    this.#plane = await startControlPlane(this.#cluster, {
      rateLimit: this.#options.rateLimit === true,
    });
    await this.#plane.sync();
    const gateways = (this.#options.layout ?? GATEWAY_API_LAYOUT).gateways;
    await this.expectStatuses(
      gateways.map((name) => ({
        kind: 'Gateway' as const,
        namespace: 'gateway-conformance-infra',
        name,
        conditions: [
          { type: 'Accepted', status: 'True' as const },
          { type: 'Programmed', status: 'True' as const },
        ],
      })),
    );
  }

  #closing: Promise<void> | undefined;

  /** Stops every Envoy, the xDS server and the backends; idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#plane?.close();
      await this.#cluster.close();
    })();
    return this.#closing;
  }

  async run(test: ConformanceTest): Promise<TestOutcome> {
    const started = performance.now();
    const done = (result: TestOutcome['result'], reason?: string): TestOutcome => ({
      name: test.name,
      result,
      ...(reason ? { reason } : {}),
      ms: Math.round(performance.now() - started),
    });
    if (test.skip) return done('skipped', test.skip);
    const plane = this.#plane;
    if (!plane) throw new Error('harness not started');
    const applied: KubeObject[] = [];
    const restore: KubeObject[] = [];
    const incidentsBefore = plane.incidents.length;
    try {
      const folder = (this.#options.layout ?? GATEWAY_API_LAYOUT).testsFolder;
      for (const file of test.manifests)
        applied.push(...this.manifests(`${folder}/${file}`, test.proxyImageFiles));
      for (const object of test.objects ?? []) applied.push(structuredClone(object));
      if (test.features.includes(GLOBAL_RATE_LIMIT)) await plane.resetRateLimits();
      await this.#cluster.apply(applied);
      await plane.sync();
      if (test.statuses) await this.expectStatuses(test.statuses);
      if (test.requests) await this.expectRequests(test.requests);
      if (test.grpcRequests) await this.expectGrpc(test.grpcRequests);
      if (test.steps) await test.steps(this.#testHarness(applied, restore));
      return done('passed');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const incidents = plane.incidents.slice(incidentsBefore);
      const extra = incidents.length > 0 ? ` [${incidents.slice(0, 3).join('; ')}]` : '';
      if (!(error instanceof Failure)) return done('failed', `harness error: ${message}${extra}`);
      return done('failed', `${message}${extra}`);
    } finally {
      // The suite deletes in reverse order of creation; the next test starts from the base.
      await this.#cluster.delete([...applied].reverse());
      await this.#cluster.apply(restore);
      await plane.sync();
    }
  }

  #testHarness(applied: KubeObject[], restore: KubeObject[]): TestHarness {
    return {
      update: async (kind, namespace, name, edit) => {
        const current = this.#cluster.get(kind, namespace, name);
        if (!current) throw new Failure(`${kind} ${namespace ?? ''}/${name} is not applied`);
        const copy = structuredClone(current);
        edit(copy);
        const own = applied.some(
          (o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace,
        );
        // A base object (the GatewayClass, a base Gateway) gets its original back afterwards.
        if (!own && !restore.some((o) => objectKey(o) === objectKey(current)))
          restore.push(structuredClone(current));
        await this.#cluster.apply([copy]);
        await this.#plane!.sync();
      },
      apply: async (objects) => {
        const copies = objects.map((o) => structuredClone(o));
        applied.push(...copies);
        await this.#cluster.apply(copies);
        await this.#plane!.sync();
      },
      restart: async (namespace, deployment, drainMs = 1_000) => {
        const stopOld = await this.#cluster.restart(namespace, deployment);
        await this.#plane!.sync();
        await new Promise((resolve) => setTimeout(resolve, drainMs));
        await stopOld();
      },
      requestLog: (namespace, deployment) => [...this.#cluster.requestLog(namespace, deployment)],
      endpoint: (namespace, deployment) => {
        const port = this.#cluster.echoPort(namespace, deployment);
        if (port === undefined) throw new Failure(`no backend ${namespace}/${deployment}`);
        return { address: '127.0.0.1', port };
      },
      serviceAddress: (namespace, service, servicePort) => {
        const port = this.#cluster.servicePort(`${service}.${namespace}`, servicePort);
        if (port === undefined)
          throw new Failure(
            `no backend behind Service ${namespace}/${service} port ${servicePort}`,
          );
        return { address: '127.0.0.1', port };
      },
      send: async (expected) => {
        try {
          return await this.#send(freshAttempt(expected));
        } catch (error) {
          return error instanceof Error ? error : new Error(String(error));
        }
      },
      proxyOutput: (gateway) => {
        const ref = gateway ?? { namespace: 'gateway-conformance-infra', name: 'same-namespace' };
        return this.#plane!.output(ref.namespace, ref.name);
      },
      metricsUrl: (gateway) => {
        const ref = gateway ?? { namespace: 'gateway-conformance-infra', name: 'same-namespace' };
        return this.#plane!.metricsUrl(ref.namespace, ref.name);
      },
      prometheus: async (gateway) => {
        const ref = gateway ?? { namespace: 'gateway-conformance-infra', name: 'same-namespace' };
        return (await fetch(await this.#plane!.metricsUrl(ref.namespace, ref.name))).text();
      },
      fetchInCluster: (url) =>
        clusterFetch(this.#cluster)(url, { signal: AbortSignal.timeout(10_000) }),
      stats: async (filter, gateway) => {
        const ref = gateway ?? { namespace: 'gateway-conformance-infra', name: 'same-namespace' };
        return this.#plane!.stats(ref.namespace, ref.name, filter);
      },
      generation: (kind, namespace, name) =>
        this.#cluster.get(kind, namespace, name)?.metadata.generation ?? 0,
      expectStatuses: (expected) => this.expectStatuses(expected),
      expectRequests: (expected) => this.expectRequests(expected),
      expectGrpc: (expected) => this.expectGrpc(expected),
      sendGrpc: (expected) => this.#sendGrpc(expected),
      gatewayPort: (gateway, gatewayPort) => {
        const ref = gateway ?? { namespace: 'gateway-conformance-infra', name: 'same-namespace' };
        const port = this.#plane!.address(ref.namespace, ref.name, gatewayPort);
        if (port === undefined)
          throw new Failure(
            `Gateway ${ref.namespace}/${ref.name} has no Envoy listener on port ${gatewayPort}`,
          );
        return port;
      },
      eventually: async (label, attempt) => {
        const problem = await this.#consistently(label, attempt);
        if (problem) throw new Failure(problem);
      },
      openWebSocket: (gateway, gatewayPort, path, origin) => {
        const ref = gateway ?? { namespace: 'gateway-conformance-infra', name: 'same-namespace' };
        const port = this.#plane!.address(ref.namespace, ref.name, gatewayPort);
        if (port === undefined)
          return Promise.reject(
            new Error(
              `Gateway ${ref.namespace}/${ref.name} has no Envoy listener on port ${gatewayPort}`,
            ),
          );
        return dialWebSocket(port, `127.0.0.1:${port}`, path, origin);
      },
    };
  }

  #generation = (kind: string, namespace: string | undefined, name: string) =>
    this.#cluster.get(kind, namespace, name)?.metadata.generation;

  /** Statuses are computed synchronously by sync(); a short retry covers nothing else changing. */
  async expectStatuses(expected: readonly StatusExpectation[]): Promise<void> {
    const statuses = this.#plane!.statuses();
    for (const want of expected) {
      const problem = compareStatus(want, statuses, this.#generation);
      if (problem) throw new Failure(problem);
    }
  }

  async expectRequests(expected: readonly HttpExpectation[]): Promise<void> {
    const problems = await Promise.all(
      expected.map(async (e) => (await this.#eventually(e)) ?? (await this.#mirrored(e))),
    );
    const first = problems.find((p) => p !== undefined);
    if (first) throw new Failure(first);
  }

  /** The suite's ExpectMirroredRequest: each mirror backend logged the request's path. */
  async #mirrored(expected: HttpExpectation): Promise<string | undefined> {
    const path = expected.request.path.split('?')[0]!;
    for (const { backend, namespace } of expected.mirroredTo ?? []) {
      const deadline = performance.now() + this.#timeoutMs;
      while (!this.#cluster.requestLog(namespace, backend).some((p) => p.split('?')[0] === path)) {
        if (performance.now() > deadline)
          return `${path}: never mirrored to ${namespace}/${backend}`;
        await sleep(100);
      }
    }
    return undefined;
  }

  /** Undefined once `consecutive` answers in a row meet the expectation; else the last reason. */
  async #eventually(expected: HttpExpectation): Promise<string | undefined> {
    const gateway = expected.gateway ?? { name: 'same-namespace' };
    const deadline = performance.now() + this.#timeoutMs;
    const needed = this.#options.consecutive ?? 3;
    const label = `${gateway.name}: ${expected.request.method ?? 'GET'} ${expected.request.host ?? ''}${expected.request.path}`;
    let streak = 0;
    let last = 'no request made';
    while (performance.now() < deadline) {
      try {
        const attempt = this.#withSecrets(freshAttempt(expected));
        const problem = compareResponse(attempt, await this.#send(attempt));
        if (problem === undefined) {
          streak += 1;
          if (streak >= needed) return undefined;
          continue;
        }
        last = problem;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      streak = 0;
      await sleep(100);
    }
    return `${label}: ${last}`;
  }

  async expectGrpc(expected: readonly GrpcExpectation[]): Promise<void> {
    const problems = await Promise.all(
      expected.map((e) =>
        this.#consistently(
          `${e.gateway?.name ?? 'same-namespace'}: gRPC ${e.method} ${e.authority ?? ''} ${JSON.stringify(e.metadata ?? {})}`,
          async () => compareGrpc(e, await this.#sendGrpc(e)),
        ),
      ),
    );
    const first = problems.find((p) => p !== undefined);
    if (first) throw new Failure(first);
  }

  /** Undefined once `consecutive` attempts in a row succeed; else the last reason. */
  async #consistently(
    label: string,
    attempt: () => Promise<string | undefined>,
  ): Promise<string | undefined> {
    const deadline = performance.now() + this.#timeoutMs;
    const needed = this.#options.consecutive ?? 3;
    let streak = 0;
    let last = 'no request made';
    while (performance.now() < deadline) {
      try {
        const problem = await attempt();
        if (problem === undefined) {
          streak += 1;
          if (streak >= needed) return undefined;
          continue;
        }
        last = problem;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      streak = 0;
      await sleep(100);
    }
    return `${label}: ${last}`;
  }

  #sendGrpc(expected: GrpcExpectation): Promise<GrpcResult> {
    const gateway = expected.gateway ?? {
      namespace: 'gateway-conformance-infra',
      name: 'same-namespace',
    };
    const gatewayPort = expected.port ?? 80;
    const port = this.#plane!.address(gateway.namespace, gateway.name, gatewayPort);
    if (port === undefined)
      return Promise.reject(
        new Error(
          `Gateway ${gateway.namespace}/${gateway.name} has no Envoy listener on port ${gatewayPort}`,
        ),
      );
    return callGrpcEcho(port, expected.method, expected.authority, expected.metadata);
  }

  /** Sends the expectation's request to the Envoy serving its Gateway and port. */
  #send(expected: HttpExpectation): Promise<HttpResult> {
    const gateway = expected.gateway ?? {
      namespace: 'gateway-conformance-infra',
      name: 'same-namespace',
    };
    const scheme = expected.request.scheme ?? 'http';
    const gatewayPort = expected.port ?? (scheme === 'https' ? 443 : 80);
    const port = this.#plane!.address(gateway.namespace, gateway.name, gatewayPort);
    if (port === undefined)
      throw new Error(
        `Gateway ${gateway.namespace}/${gateway.name} has no Envoy listener on port ${gatewayPort}`,
      );
    return sendRequest(
      {
        port,
        host: expected.request.host,
        path: expected.request.path,
        method: expected.request.method,
        headers: expected.request.headers,
        body: expected.request.body,
        protocol: expected.request.protocol,
        scheme,
        serverName: expected.request.serverName,
        clientCertificate: this.#clientCertificate(expected.request.clientCertificate),
      },
      expected.timeoutMs,
    );
  }

  /** The expectation with a client certificate named by its Secret replaced by its PEM. */
  #withSecrets(expected: HttpExpectation): HttpExpectation {
    const ref = expected.backendRequest?.clientCertificate;
    if (ref === undefined || typeof ref === 'string') return expected;
    const pem = this.#clientCertificate(ref)!.cert;
    return { ...expected, backendRequest: { ...expected.backendRequest, clientCertificate: pem } };
  }

  /** The suite's GetTLSSecret: a kubernetes.io/tls Secret's certificate and key. */
  #clientCertificate(ref: HttpExpectation['request']['clientCertificate']) {
    if (!ref) return undefined;
    const secret = this.#cluster.get('Secret', ref.namespace, ref.name) as
      | (KubeObject & { data?: Record<string, string> })
      | undefined;
    const data = secret?.data ?? {};
    if (!data['tls.crt'] || !data['tls.key'])
      throw new Error(`Secret ${ref.namespace}/${ref.name} has no tls.crt and tls.key`);
    const decode = (value: string) => Buffer.from(value, 'base64').toString();
    return { cert: decode(data['tls.crt']), key: decode(data['tls.key']) };
  }
}
