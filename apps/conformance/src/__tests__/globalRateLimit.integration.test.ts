// Global rate limits through real parts: egts translates the policies, serves the Rate Limit
// Service its RateLimitConfigs over xDS (CONFIG_TYPE=GRPC_XDS_SOTW), the infra-manager runs and
// supervises that service, a real Redis keeps the counters, and two Envoys of one Gateway share
// them. Proxies ask the service over mTLS with the control plane's certificates (@egts/certgen,
// as host mode makes them), read through file-based SDS. Skips, saying which, when the ratelimit or redis-server binary is absent
// (scripts/setup-ratelimit.sh installs both).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadResourcesFromText } from '@egts/api';
import { ensureLocalCertificates, type LocalCertificateFiles } from '@egts/certgen';
import { type EnvoyHandle, startEnvoy } from '@egts/envoy-binary';
import {
  type RateLimitServiceOptions,
  type TranslateResult,
  translate,
} from '@egts/gatewayapi-translator';
import {
  findRateLimitBinary,
  RATE_LIMIT_NODE_ID,
  type RateLimitServiceHandle,
  startRateLimitService,
  xdsSdsFiles,
  xdsSdsSecrets,
} from '@egts/infra-manager';
import {
  createSnapshot,
  createSnapshotCache,
  createXdsServer,
  type XdsServer,
} from '@egts/xds-server';
import { bootstrapToJson, rateLimitConfigs, translateBootstrap } from '@egts/xds-translator';
import { Client, credentials, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../internal/freePort.js';
import { findRedisServer, type RedisServer, startRedis } from '../internal/redisServer.js';

type XdsIR = TranslateResult['xdsIR'][number];

const ratelimitBinary = findRateLimitBinary();
const redisBinary = findRedisServer();
const missing = [
  ...(ratelimitBinary ? [] : ['ratelimit']),
  ...(redisBinary ? [] : ['redis-server']),
];

interface Reply {
  status: number;
  limit: string | undefined;
}

const send = (
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<Reply> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          limit: res.headers['x-ratelimit-limit'] as string | undefined,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });

const route = (name: string, backendPort: number) => `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules: [{matches: [{path: {type: PathPrefix, value: /${name}}}], backendRefs: [{name: app, port: ${backendPort}}]}]
`;

const policy = (name: string, targets: string[], rules: string) => `---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: {name: ${name}, namespace: default}
spec:
  targetRefs: [${targets.map((t) => `{group: gateway.networking.k8s.io, kind: HTTPRoute, name: ${t}}`).join(', ')}]
  rateLimit:
    type: Global
    global:
      rules:
${rules}`;

const manifests = (
  gatewayPort: number,
  backendPort: number,
  changeLimit: number,
) => `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec:
  controllerName: gateway.envoyproxy.io/gatewayclass-controller
  parametersRef: {group: gateway.envoyproxy.io, kind: EnvoyProxy, name: proxy, namespace: default}
---
# Lua before the rate limit filter, so a limit it writes to dynamic metadata is read
# (limit.fromMetadata); Envoy Gateway's default order has the rate limit filters first.
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyProxy
metadata: {name: proxy, namespace: default}
spec:
  filterOrder: [{name: envoy.filters.http.lua, before: envoy.filters.http.ratelimit}]
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyExtensionPolicy
metadata: {name: limit-writer, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: metadata}]
  lua:
  - type: Inline
    inline: |
      function envoy_on_request(handle)
        if handle:headers():get("x-low-limit") == "yes" then
          handle:streamInfo():dynamicMetadata():set("io.egts.limits", "override",
            {requests_per_unit = 2, unit = "HOUR"})
        end
      end
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec: {gatewayClassName: eg, listeners: [{name: http, protocol: HTTP, port: ${gatewayPort}}]}
---
apiVersion: v1
kind: Service
metadata: {name: app, namespace: default}
spec: {ports: [{name: http, port: ${backendPort}}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: app-1, namespace: default, labels: {kubernetes.io/service-name: app}}
addressType: IPv4
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
ports: [{name: http, port: ${backendPort}}]
${['distinct', 'shared-a', 'shared-b', 'shadow', 'selectors', 'change', 'headers', 'metadata'].map((r) => route(r, backendPort)).join('')}${policy(
  'headers',
  ['headers'],
  `      - clientSelectors: [{headers: [{name: x-user-id, value: one}]}]
        limit: {requests: 10, unit: Hour}
        xRateLimitHeaders: "Off"
      - clientSelectors: [{headers: [{name: x-user-id, value: two}]}]
        limit: {requests: 20, unit: Hour}
        xRateLimitHeaders: DraftVersion03
      - clientSelectors: [{headers: [{name: x-user-id, value: three}]}]
        limit: {requests: 30, unit: Hour}
`,
)}${policy(
  'metadata',
  ['metadata'],
  `      - clientSelectors: [{headers: [{name: x-user-id, type: Distinct}]}]
        limit:
          requests: 100
          unit: Hour
          fromMetadata: {namespace: io.egts.limits, key: override}
`,
)}${policy(
  'distinct',
  ['distinct'],
  `      - clientSelectors: [{headers: [{name: x-user-id, type: Distinct}]}]
        limit: {requests: 3, unit: Hour}
`,
)}${policy(
  'shared',
  ['shared-a', 'shared-b'],
  `      - limit: {requests: 2, unit: Hour}
        shared: true
`,
)}${policy(
  'shadow',
  ['shadow'],
  `      - limit: {requests: 1, unit: Hour}
        shadowMode: true
`,
)}${policy(
  'selectors',
  ['selectors'],
  `      - clientSelectors:
        - sourceCIDR: {type: Exact, value: 127.0.0.0/8}
          methods: [{value: GET}]
          path: {type: Exact, value: /selectors/counted}
          queryParams: [{name: user, type: Exact, value: alice}]
        limit: {requests: 1, unit: Hour}
`,
)}${policy(
  'change',
  ['change'],
  `      - clientSelectors: [{headers: [{name: x-user-id, type: Distinct}]}]
        limit: {requests: ${changeLimit}, unit: Hour}
`,
)}`;

/** The fleet's IR with its listener on `port` (one Gateway, another proxy process). */
const onPort = (ir: XdsIR, port: number): XdsIR => ({
  ...ir,
  http: ir.http.map((l) => ({ ...l, port })),
});

describe.skipIf(missing.length > 0)(
  `[envoy] global rate limits with the Rate Limit Service and Redis${missing.length > 0 ? ` (skipped: ${missing.join(' and ')} not found; run scripts/setup-ratelimit.sh)` : ''}`,
  () => {
    let backend: Server | undefined;
    let redis: RedisServer | undefined;
    let xds: XdsServer | undefined;
    let service: RateLimitServiceHandle | undefined;
    const envoys: EnvoyHandle[] = [];
    /** Listener ports: two proxies failing open, one failing closed. */
    const ports = { a: 0, b: 0, closed: 0 };
    const cache = createSnapshotCache();
    let gatewayPort = 0;
    let backendPort = 0;
    let rateLimit: RateLimitServiceOptions | undefined;

    const translateWith = (changeLimit: number, failClosed = false) => {
      const { resources } = loadResourcesFromText(
        manifests(gatewayPort, backendPort, changeLimit),
        'global.yaml',
      );
      const result = translate(resources, {
        rateLimitService: { ...(rateLimit as RateLimitServiceOptions), failClosed },
      });
      const ir = result.xdsIR[0];
      if (ir === undefined) throw new Error('no xDS IR');
      return { ir, statuses: result.statuses };
    };
    const publish = (ir: XdsIR) =>
      cache.setSnapshot(
        RATE_LIMIT_NODE_ID,
        createSnapshot({ rateLimitConfigs: rateLimitConfigs([ir]) }),
      );
    const startProxy = async (ir: XdsIR) => {
      const envoy = startEnvoy({
        config: bootstrapToJson(translateBootstrap(ir, { adminPort: await freePort() })) as object,
        logLevel: 'warn',
      });
      envoys.push(envoy);
      await envoy.ready(120_000);
    };
    const until = async (done: () => boolean, what: string) => {
      for (let i = 0; !done(); i++) {
        if (i > 600) throw new Error(`not ${what} after 60s`);
        await sleep(100);
      }
    };
    /** Until the service enforces `limit` for a fresh distinct value on `path`. */
    const untilLimit = async (path: string, limit: string) => {
      for (let i = 0; ; i++) {
        const reply = await send(ports.a, path, { 'x-user-id': `probe-${Date.now()}-${i}` });
        if (reply.limit === limit) return;
        if (i > 600)
          throw new Error(`${path}: x-ratelimit-limit ${String(reply.limit)}, want ${limit}`);
        await sleep(100);
      }
    };

    let certDir = '';
    let certs: LocalCertificateFiles | undefined;
    // A stand-in OTLP/HTTP collector: the paths the service posts its spans to
    // (EnvoyGateway rateLimit.telemetry.tracing).
    const traceExports: string[] = [];
    let collector: Server | undefined;

    beforeAll(async () => {
      certDir = await mkdtemp(join(tmpdir(), 'egts-global-rl-'));
      certs = await ensureLocalCertificates(join(certDir, 'certs'));
      const sds = {
        certificate: join(certDir, 'sds', 'certificate.json'),
        trustedCa: join(certDir, 'sds', 'trusted-ca.json'),
        watchedDirectory: certs.watchedDirectory,
      };
      const files = xdsSdsFiles({
        ca: certs.ca,
        cert: certs.clientCert,
        key: certs.clientKey,
        sds,
      });
      await mkdir(join(certDir, 'sds'));
      await writeFile(sds.certificate, files.certificate);
      await writeFile(sds.trustedCa, files.trustedCa);
      collector = createServer((req, res) => {
        traceExports.push(`${req.method} ${req.url}`);
        req.resume();
        req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
      });
      const collectorPort = await freePort();
      await new Promise<void>((done) => collector?.listen(collectorPort, '127.0.0.1', done));
      backendPort = await freePort();
      backend = createServer((_req, res) => res.end('ok'));
      await new Promise<void>((done) => backend?.listen(backendPort, '127.0.0.1', done));
      redis = await startRedis(redisBinary as string, await freePort());
      xds = createXdsServer(cache);
      const xdsPort = await xds.listen('127.0.0.1:0');
      service = await startRateLimitService({
        binaryPath: ratelimitBinary as string,
        redisUrl: redis.url,
        xds: { host: '127.0.0.1', port: xdsPort },
        serverTls: { ca: certs.ca, cert: certs.serverCert, key: certs.serverKey },
        telemetry: {
          prometheus: true,
          tracing: { url: `127.0.0.1:${collectorPort}`, samplingPercent: 100 },
        },
        backoff: { initialMs: 200, maxMs: 2_000 },
        healthIntervalMs: 200,
      });
      // A loaded 2-core machine answers in more than Envoy's default 20ms.
      rateLimit = { ...service.grpcAddress, timeoutMs: 2_000, tls: xdsSdsSecrets(sds) };
      gatewayPort = await freePort();
      ports.a = gatewayPort;
      ports.b = await freePort();
      ports.closed = await freePort();
      const { ir } = translateWith(1);
      publish(ir);
      await startProxy(ir);
      await startProxy(onPort(ir, ports.b));
      await startProxy(onPort(translateWith(1, true).ir, ports.closed));
      await untilLimit('/change', '1, 1;w=3600');
    }, 300_000);

    afterAll(async () => {
      await Promise.all(envoys.map((e) => e.stop()));
      await service?.stop();
      await xds?.close();
      await redis?.stop();
      await new Promise((done) => (backend ? backend.close(done) : done(undefined)));
      collector?.closeAllConnections();
      await new Promise((done) => (collector ? collector.close(done) : done(undefined)));
      if (certDir !== '') await rm(certDir, { recursive: true, force: true });
    });

    /** The gRPC status of one (empty) ShouldRateLimit call to the service with `creds`. */
    const callService = (creds: ReturnType<typeof credentials.createInsecure>) =>
      new Promise<number>((resolve) => {
        const { host, port } = service?.grpcAddress ?? { host: '', port: 0 };
        const client = new Client(`${host}:${port}`, creds);
        client.makeUnaryRequest(
          '/envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit',
          (b: Buffer) => b,
          (b: Buffer) => b,
          Buffer.alloc(0),
          { deadline: Date.now() + 10_000 },
          (error: ServiceError | null) => {
            client.close();
            resolve(error?.code ?? 0);
          },
        );
      });

    it("proxies ask the service over mTLS: a client without the control plane's certificate is refused", async () => {
      const files = certs as LocalCertificateFiles;
      const [ca, cert, key] = await Promise.all(
        [files.ca, files.clientCert, files.clientKey].map((f) => readFile(f)),
      );
      const UNAVAILABLE = 14;
      expect(await callService(credentials.createInsecure())).toBe(UNAVAILABLE);
      expect(await callService(credentials.createSsl(ca))).toBe(UNAVAILABLE);
      // With the proxies' client certificate the call reaches the service (which refuses an
      // empty request for its missing domain, not the connection).
      const withCertificate = await callService(credentials.createSsl(ca, key, cert));
      expect(withCertificate).not.toBe(UNAVAILABLE);
      // And the proxies themselves get answers from it (the limit header comes from the service).
      expect((await send(ports.a, '/distinct', { 'x-user-id': 'mtls-probe' })).limit).toBe(
        '3, 3;w=3600',
      );
    }, 120_000);

    it('a distinct header value past its global limit gets 429 from either proxy', async () => {
      const alice = { 'x-user-id': 'alice' };
      const replies = [
        await send(ports.a, '/distinct', alice),
        await send(ports.b, '/distinct', alice),
        await send(ports.a, '/distinct', alice),
        await send(ports.b, '/distinct', alice),
        await send(ports.a, '/distinct', alice),
      ];
      expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 429, 429]);
      expect(replies[0]?.limit).toBe('3, 3;w=3600');
      expect((await send(ports.b, '/distinct', { 'x-user-id': 'bob' })).status).toBe(200);
      // The service's counters (flushed every second): over the limit in the Gateway's domain.
      const overLimit =
        /ratelimit_service_rate_limit_over_limit\{[^}]*domain="default\/gw"[^}]*\} [1-9]/;
      for (let i = 0; ; i++) {
        const metrics = await (await fetch(service?.metricsUrl ?? '')).text();
        if (overLimit.test(metrics)) break;
        if (i > 300) expect(metrics).toMatch(overLimit);
        await sleep(200);
      }
    }, 120_000);

    it('the service exports its spans to the configured OTLP collector (rateLimit.telemetry.tracing)', async () => {
      await send(ports.a, '/distinct', { 'x-user-id': 'traced' });
      // The batch exporter flushes every 5s.
      for (let i = 0; !traceExports.includes('POST /v1/traces'); i++) {
        if (i > 300) expect(traceExports).toContain('POST /v1/traces');
        await sleep(100);
      }
    }, 120_000);

    it('a shared rule counts every route together', async () => {
      const statuses = [
        (await send(ports.a, '/shared-a')).status,
        (await send(ports.b, '/shared-b')).status,
        (await send(ports.a, '/shared-b')).status,
        (await send(ports.b, '/shared-a')).status,
      ];
      expect(statuses).toEqual([200, 200, 429, 429]);
    }, 120_000);

    it('xRateLimitHeaders sends or drops the x-ratelimit-* headers rule by rule', async () => {
      // Off drops them for its rule alone; DraftVersion03 and the listener's default send them.
      const one = await send(ports.a, '/headers', { 'x-user-id': 'one' });
      expect([one.status, one.limit]).toEqual([200, undefined]);
      expect((await send(ports.a, '/headers', { 'x-user-id': 'two' })).limit).toBe('20, 20;w=3600');
      expect((await send(ports.b, '/headers', { 'x-user-id': 'three' })).limit).toBe(
        '30, 30;w=3600',
      );
    }, 120_000);

    it('limit.fromMetadata takes the limit a filter wrote to dynamic metadata', async () => {
      // The Lua filter writes {requests_per_unit: 2, unit: HOUR} when asked; otherwise the
      // rule's own 100 per hour holds.
      const low = { 'x-user-id': 'metadata-low', 'x-low-limit': 'yes' };
      const replies = [
        await send(ports.a, '/metadata', low),
        await send(ports.b, '/metadata', low),
        await send(ports.a, '/metadata', low),
      ];
      expect(replies.map((r) => r.status)).toEqual([200, 200, 429]);
      expect(replies[0]?.limit).toBe('2, 2;w=3600');
      const normal = { 'x-user-id': 'metadata-normal' };
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await send(ports.a, '/metadata', normal)).status);
      expect(statuses).toEqual([200, 200, 200]);
      expect((await send(ports.a, '/metadata', normal)).limit).toBe('100, 100;w=3600');
    }, 120_000);

    it('shadow mode counts but never refuses', async () => {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await send(ports.a, '/shadow')).status);
      expect(statuses).toEqual([200, 200, 200]);
    }, 120_000);

    it('selectors on client address, method, path and query parameters pick what counts', async () => {
      const counted = '/selectors/counted?user=alice';
      expect((await send(ports.a, counted)).status).toBe(200);
      expect((await send(ports.b, counted)).status).toBe(429);
      // Another method, path or query parameter is not selected: not counted, not limited.
      expect((await send(ports.a, counted, {}, 'POST')).status).toBe(200);
      expect((await send(ports.a, '/selectors/other?user=alice')).status).toBe(200);
      expect((await send(ports.a, '/selectors/counted?user=bob')).status).toBe(200);
    }, 120_000);

    it('a one-rule change reaches the running service over xDS, without a restart', async () => {
      const pid = service?.status().pid;
      const started = performance.now();
      publish(translateWith(5).ir);
      await untilLimit('/change', '5, 5;w=3600');
      const ms = Math.round(performance.now() - started);
      console.log(`global rate limit: a one-rule change was enforced after ${ms} ms`);
      expect(service?.status().pid).toBe(pid);
    }, 120_000);

    it('with Redis down requests pass (failClosed false) or are refused (failClosed true), and limits return with Redis', async () => {
      await redis?.stop();
      // The supervisor reports the service unhealthy while Redis is unreachable.
      await until(() => service?.status().healthy === false, 'unhealthy with Redis down');
      const carol = { 'x-user-id': 'carol' };
      for (let i = 0; i < 4; i++)
        expect((await send(ports.a, '/distinct', carol)).status).toBe(200);
      expect((await send(ports.closed, '/distinct', carol)).status).toBe(500);
      await redis?.start();
      await until(() => service?.status().healthy === true, 'healthy with Redis back');
      // The same service process counts again once it reconnects: dave's 4th request is refused.
      const pid = service?.status().pid;
      for (let attempt = 0; ; attempt++) {
        const dave = { 'x-user-id': `dave-${attempt}` };
        const statuses = [];
        for (let i = 0; i < 4; i++) statuses.push((await send(ports.a, '/distinct', dave)).status);
        if (statuses.join() === '200,200,200,429') break;
        if (attempt > 60) throw new Error(`limits did not return with Redis: ${statuses.join()}`);
        await sleep(500);
      }
      expect(service?.status().pid).toBe(pid);
    }, 180_000);

    it('a crashed service is restarted, and proxies fail open meanwhile', async () => {
      const before = service?.status();
      if (before?.pid === undefined) throw new Error('service not running');
      const erin = { 'x-user-id': 'erin' };
      for (let i = 0; i < 3; i++) await send(ports.a, '/distinct', erin);
      expect((await send(ports.a, '/distinct', erin)).status).toBe(429);
      process.kill(before.pid, 'SIGKILL');
      // Service down: erin passes (failClosed false).
      expect((await send(ports.a, '/distinct', erin)).status).toBe(200);
      for (
        let i = 0;
        service?.status().restarts === before.restarts || !service?.status().running;
        i++
      ) {
        if (i > 600) throw new Error('the service was not restarted');
        await sleep(100);
      }
      // Restarted, it takes its configuration over xDS again and limits again.
      await untilLimit('/change', '5, 5;w=3600');
    }, 180_000);

    it('renewed certificates reach both sides: proxies through SDS, the service by a restart', async () => {
      const files = certs as LocalCertificateFiles;
      const oldCa = await readFile(files.ca, 'utf8');
      // A set that is no longer whole is renewed (a new CA and certificates, `..data` swapped),
      // as the periodic renewal does near expiry.
      await rm(files.serverKey);
      const renewed = await ensureLocalCertificates(join(certDir, 'certs'));
      expect(renewed.generated).toBe(true);
      expect(await readFile(files.ca, 'utf8')).not.toBe(oldCa);
      // The service read its certificate when it started; host mode restarts it on renewal.
      const pid = service?.status().pid;
      await service?.restart();
      expect(service?.status().pid).not.toBe(pid);
      // Proxies trust only the new CA now (SDS): answers with the limit header mean both sides
      // speak mTLS with the renewed set.
      await untilLimit('/change', '5, 5;w=3600');
    }, 180_000);
  },
);
