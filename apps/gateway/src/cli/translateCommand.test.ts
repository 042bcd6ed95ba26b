// `egts translate`: the CLI end to end (stdin, status stream, IR as JSON, --check). The status
// conformance corpus runs in @egts/gatewayapi-translator through the functions this command calls.
import { describe, expect, it } from 'vitest';
import { runCli } from '../__tests__/runCli.js';

const EXAMPLE = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: eg }
spec: { controllerName: gateway.envoyproxy.io/gatewayclass-controller }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: default }
spec:
  gatewayClassName: eg
  listeners: [{ name: http, protocol: HTTP, port: 80 }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: route, namespace: default }
spec:
  parentRefs: [{ name: gw }]
  rules: [{ backendRefs: [{ name: missing, port: 8080 }] }]
`;

describe('egts translate', () => {
  it('prints statuses as a YAML stream and lists unresolved refs with --check', () => {
    const result = runCli(['translate', '-f', '-', '--check'], EXAMPLE);
    expect(result.status).toBe(1);
    expect(result.stdout.split('\n---\n').map((d) => /^kind: (\w+)$/m.exec(d)?.[1])).toEqual([
      'GatewayClass',
      'Gateway',
      'HTTPRoute',
    ]);
    expect(result.stderr).toContain(
      'HTTPRoute default/route parent default/gw: ResolvedRefs=False BackendNotFound',
    );
  });

  it('prints the IR as JSON', () => {
    const result = runCli(['translate', '-f', '-', '-o', 'ir', '--format', 'json'], EXAMPLE);
    expect(result.status).toBe(0);
    const ir = JSON.parse(result.stdout);
    expect(ir.infraIR.proxies[0].listeners[0].ports[0]).toMatchObject({
      containerPort: 10080,
      servicePort: 80,
    });
    expect(ir.xdsIR[0].http[0].routes[0].directResponse).toEqual({ statusCode: 500 });
  });

  it('refuses what the API server would refuse: not translated, named on stderr, Accepted=False, failing --check', () => {
    const hostnames = Array.from({ length: 20_000 }, (_, i) => `h${i}.example.com`);
    const bad = [
      {
        kind: 'Gateway',
        metadata: { name: 'port70000', namespace: 'default' },
        spec: {
          gatewayClassName: 'eg',
          listeners: [{ name: 'http', protocol: 'HTTP', port: 70000 }],
        },
      },
      {
        kind: 'HTTPRoute',
        metadata: { name: 'wide', namespace: 'default' },
        spec: { parentRefs: [{ name: 'gw' }], hostnames },
      },
    ].map((o) => JSON.stringify({ apiVersion: 'gateway.networking.k8s.io/v1', ...o }));
    const result = runCli(['translate', '-f', '-', '--check'], [EXAMPLE, ...bad].join('\n---\n'));
    expect(result.status).toBe(1);
    const documents = result.stdout.split('\n---\n');
    const names = documents.map((d) => /^ {2}name: (\S+)$/m.exec(d)?.[1]);
    expect(names).toEqual(['eg', 'gw', 'route', 'port70000', 'wide']);
    expect(result.stderr).toMatch(/Gateway default\/port70000: spec\.listeners\[0\]\.port/);
    expect(result.stderr).toMatch(/HTTPRoute default\/wide: spec\.hostnames/);
    // The refused ones have a status all the same, naming where the input is wrong.
    expect(documents[3]).toMatch(/status: "False"\n\s+reason: Invalid/);
    expect(documents[3]).toMatch(/message: .*<stdin>:\d+: spec\.listeners\[0\]\.port: /);
    expect(documents[4]).toMatch(/message: .*<stdin>:\d+: spec\.hostnames: /);
  });
});
