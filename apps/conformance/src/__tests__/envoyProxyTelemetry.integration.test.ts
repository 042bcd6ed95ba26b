// EnvoyProxy telemetry through real Envoy: manifests -> egts's translators -> a static bootstrap
// -> Envoy. Access logs: a JSON format, a text format on routes only, and a sink without a format
// (Envoy Gateway's default JSON fields), each written to its file; `disable` turns them all off.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadResourcesFromText } from '@egts/api';
import { type EnvoyHandle, startEnvoy } from '@egts/envoy-binary';
import { translate } from '@egts/gatewayapi-translator';
import { bootstrapToJson, translateBootstrap } from '@egts/xds-translator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const manifests = (
  port: number,
  backendPort: number,
  telemetry: string,
) => `apiVersion: gateway.networking.k8s.io/v1
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
${telemetry}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec: {gatewayClassName: eg, listeners: [{name: http, protocol: HTTP, port: ${port}}]}
---
apiVersion: v1
kind: Service
metadata: {name: echo, namespace: default}
spec: {ports: [{name: http, port: ${backendPort}}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: echo-1, namespace: default, labels: {kubernetes.io/service-name: echo}}
addressType: IPv4
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
ports: [{name: http, port: ${backendPort}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: echo, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules: [{matches: [{path: {type: PathPrefix, value: /logged}}], backendRefs: [{name: echo, port: ${backendPort}}]}]
`;

const translated = (text: string) => {
  const { resources, problems } = loadResourcesFromText(text, 'telemetry.yaml');
  if (problems.length > 0) throw new Error(JSON.stringify(problems));
  const result = translate(resources);
  const proxyStatus = result.statuses.find((s) => s.kind === 'EnvoyProxy')?.status as {
    ancestors: { conditions: { type: string; reason: string }[] }[];
  };
  const ir = result.xdsIR[0];
  if (ir === undefined) throw new Error('no xDS IR');
  return {
    accepted: proxyStatus.ancestors[0]?.conditions.find((c) => c.type === 'Accepted')?.reason,
    bootstrap: bootstrapToJson(translateBootstrap(ir)) as object,
  };
};

describe('[envoy] EnvoyProxy telemetry through a translated bootstrap', () => {
  let backend: Server;
  let envoy: EnvoyHandle | undefined;
  let port = 0;
  let backendPort = 0;
  const dir = mkdtempSync(join(tmpdir(), 'egts-telemetry-'));
  const file = (name: string) => join(dir, name);

  beforeAll(async () => {
    backendPort = await freePort();
    port = await freePort();
    backend = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => backend.listen(backendPort, '127.0.0.1', resolve));
    const { accepted, bootstrap } = translated(
      manifests(
        port,
        backendPort,
        `    accessLog:
      settings:
      - format: {type: JSON, json: {method: '%REQ(:METHOD)%', path: '%REQ(:PATH)%', code: '%RESPONSE_CODE%'}}
        sinks: [{type: File, file: {path: ${file('json.log')}}}]
      - format: {type: Text, text: "[text] %REQ(:PATH)% %RESPONSE_CODE%\\n"}
        type: Route
        sinks: [{type: File, file: {path: ${file('text.log')}}}]
      - sinks: [{type: File, file: {path: ${file('default.log')}}}]`,
      ),
    );
    expect(accepted).toBe('Accepted');
    envoy = startEnvoy({ config: bootstrap, logLevel: 'warn' });
    await envoy.ready(60_000);
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    await new Promise((resolve) => backend?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  /** The file's lines once it has `count` of them (Envoy flushes access logs every second). */
  const lines = async (name: string, count: number): Promise<string[]> => {
    for (let i = 0; i < 100; i++) {
      let text = '';
      try {
        text = readFileSync(file(name), 'utf8');
      } catch {}
      const found = text.split('\n').filter((l) => l !== '');
      if (found.length >= count) return found;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return [];
  };

  it('writes access logs in the formats and files asked for', async () => {
    expect(await get(port, '/logged/a')).toBe(200);
    expect(await get(port, '/unrouted')).toBe(404);
    // JSON on routes and listeners: both requests (the listener logs the one no route matched).
    const json = (await lines('json.log', 2)).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(json).toEqual(
      expect.arrayContaining([
        { method: 'GET', path: '/logged/a', code: 200 },
        { method: 'GET', path: '/unrouted', code: 404 },
      ]),
    );
    // Text on routes only: the connection manager logs both (it answered the 404 itself).
    const text = await lines('text.log', 2);
    expect(text).toEqual(expect.arrayContaining(['[text] /logged/a 200', '[text] /unrouted 404']));
    // No format: Envoy Gateway's default JSON fields.
    const [first] = await lines('default.log', 1);
    expect(JSON.parse(first ?? '{}')).toMatchObject({
      method: 'GET',
      response_code: expect.any(Number),
      'x-envoy-origin-path': expect.stringMatching(/^\/(logged\/a|unrouted)$/),
    });
  });

  it('disable turns every access log off', () => {
    const { accepted, bootstrap } = translated(
      manifests(port, backendPort, '    accessLog: {disable: true}'),
    );
    expect(accepted).toBe('Accepted');
    expect(JSON.stringify(bootstrap)).not.toContain('access_log');
    // And by default, Envoy Gateway's JSON log to stdout.
    const defaults = translated(manifests(port, backendPort, '    accessLog: {}'));
    expect(JSON.stringify(defaults.bootstrap)).toContain('envoy.access_loggers.stdout');
  });
});
