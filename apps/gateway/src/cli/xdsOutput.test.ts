// `egts translate -o xds|all`: bootstraps per Gateway, one resource type with --type, one Gateway
// with --gateway, and everything with -o all. Real-Envoy validation of this output runs in
// @egts/xds-translator (goldens and the conformance corpus).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../__tests__/runCli.js';
import { runTranslate, type TranslateCliOptions } from './translateCommand.js';

const gateway = (name: string, port: number) => `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: ${name}, namespace: default }
spec:
  gatewayClassName: eg
  listeners: [{ name: http, protocol: HTTP, port: ${port} }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name}-route, namespace: default }
spec:
  parentRefs: [{ name: ${name} }]
  rules: [{ backendRefs: [{ name: backend, port: 8080 }] }]
`;

const INPUT = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: eg }
spec: { controllerName: gateway.envoyproxy.io/gatewayclass-controller }
---
apiVersion: v1
kind: Service
metadata: { name: backend, namespace: default }
spec: { ports: [{ port: 8080 }], clusterIP: 10.96.0.10 }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: backend-1, namespace: default, labels: { kubernetes.io/service-name: backend } }
addressType: IPv4
ports: [{ port: 8080 }]
endpoints: [{ addresses: [10.0.0.7], conditions: { ready: true } }]
---
${gateway('one', 80)}
---
${gateway('two', 8080)}
`;

const dir = mkdtempSync(join(tmpdir(), 'egts-xds-cli-'));
const file = join(dir, 'input.yaml');
writeFileSync(file, INPUT);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const options = (extra: Partial<TranslateCliOptions>): TranslateCliOptions => ({
  output: 'xds',
  format: 'yaml',
  controllerName: 'gateway.envoyproxy.io/gatewayclass-controller',
  controllerNamespace: 'envoy-gateway-system',
  check: false,
  ...extra,
});

describe('egts translate -o xds', () => {
  it('prints one runnable bootstrap per Gateway', async () => {
    const yaml = runCli(['translate', '-f', file, '-o', 'xds']);
    expect(yaml.stderr).toBe('');
    expect(yaml.stdout.split(/^---$/m).map((doc) => /^# (.*)$/m.exec(doc)?.[1])).toEqual([
      'Envoy bootstrap of default/one',
      'Envoy bootstrap of default/two',
    ]);
    const bootstraps = JSON.parse((await runTranslate(file, options({ format: 'json' }))).stdout);
    expect(bootstraps.map((b: { node: { id: string } }) => b.node.id)).toEqual([
      'default/one',
      'default/two',
    ]);
    const [one] = bootstraps;
    expect(one.admin.address.socketAddress).toEqual({ address: '127.0.0.1', portValue: 19000 });
    expect(one.staticResources.listeners.map((l: { name: string }) => l.name)).toEqual([
      'default/one/http',
    ]);
    expect(one.staticResources.listeners[0].address.socketAddress.portValue).toBe(10080);
    // Static form: endpoints inline, so `envoy -c` needs no control plane.
    expect(one.staticResources.clusters).toEqual([
      expect.objectContaining({
        name: 'httproute/default/one-route/rule/0',
        type: 'STATIC',
        loadAssignment: expect.objectContaining({
          endpoints: [
            expect.objectContaining({
              lbEndpoints: [
                expect.objectContaining({
                  endpoint: {
                    address: { socketAddress: { address: '10.0.0.7', portValue: 8080 } },
                  },
                }),
              ],
            }),
          ],
        }),
      }),
    ]);
  });

  it('prints one resource type, as served over ADS, for one Gateway with --type and --gateway', async () => {
    const result = await runTranslate(
      file,
      options({ format: 'json', type: 'cluster', gateway: 'default/two' }),
    );
    const value = JSON.parse(result.stdout);
    expect(value.gateway).toBe('default/two');
    expect(value.resources).toEqual([
      expect.objectContaining({
        '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
        name: 'httproute/default/two-route/rule/0',
        type: 'EDS',
      }),
    ]);
    const endpoints = JSON.parse(
      (
        await runTranslate(
          file,
          options({ format: 'json', type: 'endpoint', gateway: 'default/two' }),
        )
      ).stdout,
    );
    expect(endpoints.resources[0].clusterName).toBe('httproute/default/two-route/rule/0');
    const missing = await runTranslate(file, options({ gateway: 'default/three' }));
    expect(missing.stdout).toBe(
      '# no Gateway default/three to translate (Gateways: default/one, default/two)\n',
    );
  });

  it('-o all prints statuses, the IR and the bootstraps', async () => {
    const result = await runTranslate(file, options({ output: 'all' }));
    const all = result.stdout.split(/^---$/m);
    expect(all.filter((d) => /^kind: HTTPRoute$/m.test(d))).toHaveLength(2);
    expect(all.filter((d) => /^xdsIR:$/m.test(d))).toHaveLength(1);
    expect(all.filter((d) => /^staticResources:$/m.test(d))).toHaveLength(2);
    const json = JSON.parse(
      (await runTranslate(file, options({ output: 'all', format: 'json' }))).stdout,
    );
    expect(Object.keys(json)).toEqual(['statuses', 'ir', 'xds']);
    expect(json.xds).toHaveLength(2);
  });
});
