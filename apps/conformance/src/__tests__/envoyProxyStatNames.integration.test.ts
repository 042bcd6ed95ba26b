// Stat names through real Envoy, as Envoy Gateway's ClusterStatName and RouteStatName e2e tests
// read them: EnvoyProxy `metrics.clusterStatName` names the route clusters' stats (both rules of a
// route count under one name), BackendTrafficPolicy `metrics.routeStatName` names an
// HTTP route's stats and a TCP route's proxy stats.

import { request } from 'node:http';
import { connect } from 'node:net';
import { loadResourcesFromText } from '@egts/api';
import { type EnvoyHandle, startEnvoy } from '@egts/envoy-binary';
import { translate } from '@egts/gatewayapi-translator';
import { bootstrapToJson, translateBootstrap } from '@egts/xds-translator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EchoServer, startEchoServer } from '../internal/echoServer.js';
import { freePort } from '../internal/freePort.js';

const get = (port: number, path: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });

/** One TCP connection through the proxy that sends an HTTP request and reads the answer. */
const tcpRequest = (port: number): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () =>
      socket.write('GET /tcp HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
    );
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk.toString();
    });
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });

const manifests = (httpPort: number, tcpPort: number, echoPort: number) => `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec:
  controllerName: gateway.envoyproxy.io/gatewayclass-controller
  parametersRef: {group: gateway.envoyproxy.io, kind: EnvoyProxy, name: proxy, namespace: default}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyProxy
metadata: {name: proxy, namespace: default}
spec:
  telemetry:
    metrics:
      clusterStatName: "%ROUTE_NAMESPACE%/%ROUTE_NAME%/%BACKEND_REFS%"
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: eg
  listeners:
  - {name: http, protocol: HTTP, port: ${httpPort}}
  - {name: tcp, protocol: TCP, port: ${tcpPort}}
---
apiVersion: v1
kind: Service
metadata: {name: echo, namespace: default}
spec: {ports: [{name: http, port: 8080}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: echo-1, namespace: default, labels: {kubernetes.io/service-name: echo}}
addressType: IPv4
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
ports: [{name: http, port: ${echoPort}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: stat-route, namespace: default}
spec:
  parentRefs: [{name: gw, sectionName: http}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /one}}]
    backendRefs: [{name: echo, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /two}}]
    backendRefs: [{name: echo, port: 8080}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TCPRoute
metadata: {name: tcp-route, namespace: default}
spec:
  parentRefs: [{name: gw, sectionName: tcp}]
  rules: [{backendRefs: [{name: echo, port: 8080}]}]
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: {name: http-stats, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: stat-route}]
  telemetry: {metrics: {routeStatName: "%ROUTE_NAMESPACE%/%ROUTE_NAME%"}}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: {name: tcp-stats, namespace: default}
spec:
  targetRefs: [{group: gateway.networking.k8s.io, kind: TCPRoute, name: tcp-route}]
  telemetry: {metrics: {routeStatName: "%ROUTE_NAMESPACE%/%ROUTE_NAME%"}}
`;

describe('[envoy] cluster and route stat names', () => {
  let echo: EchoServer;
  let envoy: EnvoyHandle | undefined;
  let httpPort = 0;
  let tcpPort = 0;
  let reasons: string[] = [];

  beforeAll(async () => {
    echo = await startEchoServer('default', 'echo');
    httpPort = await freePort();
    tcpPort = await freePort();
    const { resources, problems } = loadResourcesFromText(
      manifests(httpPort, tcpPort, echo.port),
      'stat-names.yaml',
    );
    if (problems.length > 0) throw new Error(JSON.stringify(problems));
    const result = translate(resources);
    reasons = result.statuses
      .filter((s) => s.kind === 'EnvoyProxy' || s.kind === 'BackendTrafficPolicy')
      .map((s) => {
        const status = s.status as {
          ancestors: { conditions: { type: string; reason: string }[] }[];
        };
        return `${s.metadata.name}: ${status.ancestors[0]?.conditions.find((c) => c.type === 'Accepted')?.reason}`;
      });
    const ir = result.xdsIR[0];
    if (ir === undefined) throw new Error('no xDS IR');
    envoy = startEnvoy({
      config: bootstrapToJson(translateBootstrap(ir)) as object,
      logLevel: 'warn',
    });
    await envoy.ready(60_000);
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    await echo?.close();
  });

  const stat = async (name: RegExp): Promise<number | undefined> => {
    const text = (await envoy?.admin('/stats')) ?? '';
    const line = text.split('\n').find((l) => name.test(l.split(':')[0] ?? ''));
    return line === undefined ? undefined : Number(line.split(': ')[1]);
  };

  it('names cluster, HTTP route and TCP route stats as asked', async () => {
    expect(reasons.sort()).toEqual([
      'http-stats: Accepted',
      'proxy: Accepted',
      'tcp-stats: Accepted',
    ]);
    expect(await get(httpPort, '/one')).toBe(200);
    expect(await get(httpPort, '/two')).toBe(200);
    expect(await tcpRequest(tcpPort)).toMatch(/^HTTP\/1\.1 200/);
    // Both rules' requests count under the one name the template gives their clusters.
    expect(await stat(/^cluster\.default\/stat-route\/default\/echo\.upstream_rq_total$/)).toBe(2);
    expect(
      await stat(/^vhost\.[^ ]+\.route\.default\/stat-route\.upstream_rq_total$/),
    ).toBeGreaterThanOrEqual(1);
    expect(await stat(/^tcp\.default\/tcp-route\.downstream_cx_total$/)).toBe(1);
  });
});
