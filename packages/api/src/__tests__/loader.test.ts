import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  formatProblem,
  loadResourcesFromPath,
  loadResourcesFromText,
  type Problem,
} from '../index.js';

const errors = (problems: Problem[]) => problems.filter((p) => p.severity === 'error');
const warnings = (problems: Problem[]) => problems.filter((p) => p.severity === 'warning');

const gateway = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: eg
  namespace: infra
spec:
  gatewayClassName: eg
  listeners:
  - name: http
    protocol: HTTP
    port: 80
`;

describe('loadResourcesFromText', () => {
  it('reads a multi-document stream into typed arrays and applies CRD defaults', () => {
    const text = `${gateway}---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: app
spec:
  parentRefs:
  - name: eg
    namespace: infra
  rules:
  - backendRefs:
    - name: app
      port: 8080
`;
    const { resources, problems } = loadResourcesFromText(text, 'in.yaml');
    expect(problems).toEqual([]);
    expect(resources.gateways).toHaveLength(1);
    const listener = resources.gateways[0]!.spec.listeners[0]!;
    // Gateway API defaults: allowedRoutes from Same namespace.
    expect(listener.allowedRoutes).toEqual({ namespaces: { from: 'Same' } });
    const route = resources.httpRoutes[0]!;
    expect(route.metadata.namespace).toBe('default');
    expect(route.spec.parentRefs?.[0]).toMatchObject({
      group: 'gateway.networking.k8s.io',
      kind: 'Gateway',
    });
    const rule = route.spec.rules[0]!;
    expect(rule.matches).toEqual([{ path: { type: 'PathPrefix', value: '/' } }]);
    expect(rule.backendRefs?.[0]).toMatchObject({ group: '', kind: 'Service', weight: 1 });
  });

  it('never mutates what it was given, and gives the same result twice', () => {
    const first = loadResourcesFromText(gateway, 'in.yaml');
    const second = loadResourcesFromText(gateway, 'in.yaml');
    expect(JSON.stringify(first)).toBe(JSON.stringify(second));
  });

  it('reports invalid YAML with file, document and line, and keeps the other documents', () => {
    const text = `${gateway}---\nkind: [unclosed\n`;
    const { resources, problems } = loadResourcesFromText(text, 'bad.yaml');
    expect(resources.gateways).toHaveLength(1);
    expect(errors(problems)).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'bad.yaml', document: 2, line: 14 });
    expect(problems[0]!.message).toMatch(/^invalid YAML/);
  });

  it('reports a wrong type with the field path and line, and skips that resource only', () => {
    const text = `${gateway.replace('port: 80', 'port: eighty')}---\n${gateway.replace('name: eg\n  namespace', 'name: other\n  namespace')}`;
    const { resources, problems } = loadResourcesFromText(text, 'in.yaml');
    expect(resources.gateways.map((g) => g.metadata.name)).toEqual(['other']);
    expect(errors(problems)).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      file: 'in.yaml',
      document: 1,
      line: 11,
      kind: 'Gateway',
      namespace: 'infra',
      name: 'eg',
      path: ['spec', 'listeners', 0, 'port'],
    });
    expect(formatProblem(problems[0]!)).toBe(
      'error: in.yaml:11 (document 1): Gateway infra/eg: spec.listeners[0].port: expected number, received string',
    );
  });

  it('reports a missing required field', () => {
    const { problems } = loadResourcesFromText(
      gateway.replace('  gatewayClassName: eg\n', ''),
      'in.yaml',
    );
    expect(errors(problems)).toEqual([
      expect.objectContaining({
        path: ['spec', 'gatewayClassName'],
        message: 'required field is missing',
      }),
    ]);
  });

  it('reports a value that breaks a CRD rule, and keeps it only when lenient', () => {
    const text = gateway.replace('port: 80', 'port: 0');
    const strict = loadResourcesFromText(text, 'in.yaml');
    expect(strict.resources.gateways).toHaveLength(0);
    expect(errors(strict.problems)[0]).toMatchObject({ path: ['spec', 'listeners', 0, 'port'] });
    const lenient = loadResourcesFromText(text, 'in.yaml', { lenient: true });
    expect(lenient.resources.gateways[0]!.spec.listeners[0]!.port).toBe(0);
    expect(errors(lenient.problems)).toHaveLength(1);
  });

  it('reports and skips unknown kinds, and a document that is not a resource', () => {
    const text = `apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n---\n- a list\n---\n${gateway}`;
    const { resources, problems } = loadResourcesFromText(text, 'in.yaml');
    expect(resources.gateways).toHaveLength(1);
    expect(errors(problems).map((p) => [p.document, p.message])).toEqual([
      [1, 'unknown kind example.com/v1 Widget: skipped'],
      [2, 'a resource must be a mapping'],
    ]);
  });

  it('reports an unknown field as an error and reads the resource without it', () => {
    const text = gateway.replace(
      '  gatewayClassName: eg',
      '  gatewayClassName: eg\n  colour: blue',
    );
    const { resources, problems } = loadResourcesFromText(text, 'in.yaml');
    expect(errors(problems)).toEqual([
      expect.objectContaining({
        path: ['spec', 'colour'],
        message: 'unknown field "spec.colour"',
        pruned: true,
      }),
    ]);
    expect(resources.gateways[0]!.spec).not.toHaveProperty('colour');
    expect(resources.gateways[0]!.spec.gatewayClassName).toBe('eg');
  });

  it('reads a field spelled with the wrong case as Envoy Gateway does, with a warning', () => {
    const text = gateway.replace('  gatewayClassName: eg', '  GatewayClassName: eg');
    const { resources, problems } = loadResourcesFromText(text, 'in.yaml');
    expect(errors(problems)).toEqual([]);
    expect(warnings(problems)[0]!.message).toContain('read as "gatewayClassName"');
    expect(resources.gateways[0]!.spec.gatewayClassName).toBe('eg');
  });

  it('treats null fields as absent, as the API server prunes them', () => {
    const text = gateway.replace('  gatewayClassName: eg', '  gatewayClassName: eg\n  addresses:');
    const { resources, problems } = loadResourcesFromText(text, 'in.yaml');
    expect(problems).toEqual([]);
    expect(resources.gateways[0]!.spec.addresses).toBeUndefined();
  });

  it('keeps a resource whose status breaks the schema, with the status as given and a warning', () => {
    const text = `${gateway}status:
  conditions:
  - type: Accepted
    status: "True"
    reason: Accepted
`;
    const { resources, problems } = loadResourcesFromText(text, 'gw.yaml');
    expect(errors(problems)).toEqual([]);
    expect(warnings(problems).map((p) => p.path)).toEqual([['status']]);
    expect(resources.gateways[0]?.spec.listeners[0]?.name).toBe('http');
    expect(resources.gateways[0]?.status?.conditions?.[0]).toEqual({
      type: 'Accepted',
      status: 'True',
      reason: 'Accepted',
    });
  });

  it('reads versions the CRDs no longer serve as the storage version, with a warning', () => {
    const text = `apiVersion: gateway.networking.k8s.io/v1alpha2
kind: GRPCRoute
metadata: {name: g, namespace: ns}
spec:
  rules:
  - backendRefs: [{name: s, port: 9000}]
`;
    const { resources, problems } = loadResourcesFromText(text, 'in.yaml');
    expect(resources.grpcRoutes[0]!.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(warnings(problems)[0]!.message).toContain('not served');
  });

  it('reads the items of a List, naming the item in problems', () => {
    const text = JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } },
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 's' },
          spec: { ports: [{ port: 0 }] },
        },
      ],
    });
    const { resources, problems } = loadResourcesFromText(text, 'list.json');
    expect(resources.namespaces).toHaveLength(1);
    expect(errors(problems)[0]).toMatchObject({
      kind: 'Service',
      path: ['spec', 'ports', 0, 'port'],
    });
  });

  it('reports a duplicate object and keeps the first', () => {
    const { resources, problems } = loadResourcesFromText(`${gateway}---\n${gateway}`, 'in.yaml');
    expect(resources.gateways).toHaveLength(1);
    expect(errors(problems)[0]).toMatchObject({
      document: 2,
      message: expect.stringContaining('duplicate'),
    });
  });
});

describe('loadResourcesFromPath', () => {
  it('reads every YAML and JSON file under a directory, in a stable order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'egts-api-'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'b.yaml'), gateway);
    writeFileSync(
      join(dir, 'sub', 'a.json'),
      JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'infra' } }),
    );
    writeFileSync(join(dir, 'notes.txt'), 'not a resource');
    const { resources, problems } = await loadResourcesFromPath(dir);
    expect(problems).toEqual([]);
    expect(resources.gateways).toHaveLength(1);
    expect(resources.namespaces).toHaveLength(1);
  });

  it('reports a path that cannot be read', async () => {
    const { problems } = await loadResourcesFromPath('/nonexistent/egts');
    expect(problems[0]).toMatchObject({ severity: 'error', file: '/nonexistent/egts' });
  });
});

describe('lenient reading of core kinds', () => {
  it('keeps a ServiceImport without its type and an EndpointSlice with an odd addressType', () => {
    const text = `apiVersion: multicluster.x-k8s.io/v1alpha1
kind: ServiceImport
metadata: {name: imp, namespace: default}
spec:
  ips: [7.7.7.7]
  ports: [{port: 8080}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: s-1, namespace: default}
addressType: UDS
endpoints: []
`;
    expect(loadResourcesFromText(text, 'in.yaml').resources.serviceImports).toHaveLength(0);
    const lenient = loadResourcesFromText(text, 'in.yaml', { lenient: true });
    expect(lenient.resources.serviceImports).toHaveLength(1);
    expect(lenient.resources.endpointSlices[0]!.addressType).toBe('UDS');
    expect(errors(lenient.problems).map((p) => p.kind)).toEqual(['ServiceImport', 'EndpointSlice']);
  });
});

describe('integer enums', () => {
  it('are value rules: a redirect status outside the enum is kept when lenient', () => {
    const text = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: default}
spec:
  rules:
  - filters: [{type: RequestRedirect, requestRedirect: {statusCode: 666}}]
`;
    const strict = loadResourcesFromText(text, 'in.yaml');
    expect(strict.resources.httpRoutes).toHaveLength(0);
    expect(errors(strict.problems)[0]!.path).toEqual([
      'spec',
      'rules',
      0,
      'filters',
      0,
      'requestRedirect',
      'statusCode',
    ]);
    const lenient = loadResourcesFromText(text, 'in.yaml', { lenient: true });
    expect(
      lenient.resources.httpRoutes[0]!.spec.rules[0]!.filters?.[0]?.requestRedirect?.statusCode,
    ).toBe(666);
  });
});

describe('extension objects', () => {
  const object = (apiVersion: string, kind: string, namespace: string, name: string) =>
    `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {namespace: ${namespace}, name: ${name}}\n`;
  const extensionKinds = new Set([
    'b.example.io/Filter',
    'a.example.io/Policy',
    'a.example.io/Backend',
  ]);
  const objects = [
    object('b.example.io/v1', 'Filter', 'default', 'f'),
    object('a.example.io/v1', 'Policy', 'ns2', 'p'),
    object('a.example.io/v1', 'Policy', 'default', 'q'),
    object('a.example.io/v1', 'Backend', 'default', 'z'),
    object('a.example.io/v1', 'Policy', 'default', 'p'),
  ];
  const order = (list: readonly string[]) => {
    const loaded = loadResourcesFromText(list.join('---\n'), 'f.yaml', { extensionKinds });
    expect(loaded.problems).toEqual([]);
    return (loaded.resources.extensionResources ?? []).map(
      (o) => `${o.apiVersion}/${o.kind}/${o.metadata.namespace}/${o.metadata.name}`,
    );
  };

  it('come in one order (group, kind, namespace, name) whatever order they were read in', () => {
    const expected = [
      'a.example.io/v1/Backend/default/z',
      'a.example.io/v1/Policy/default/p',
      'a.example.io/v1/Policy/default/q',
      'a.example.io/v1/Policy/ns2/p',
      'b.example.io/v1/Filter/default/f',
    ];
    expect(order(objects)).toEqual(expected);
    expect(order([...objects].reverse())).toEqual(expected);
  });
});
