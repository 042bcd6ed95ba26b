// Hostile input is reported as a problem with its file and line, never thrown, and costs little:
// YAML aliases (#16 item 9), documents past the bounds of documentBounds.ts (#16 item 11).
import { describe, expect, it } from 'vitest';
import {
  decodeResource,
  loadResourcesFromText,
  type Problem,
  parseResourceFile,
} from '../index.js';
import { MAX_DOCUMENT_BYTES } from '../loader/documentBounds.js';

const namespace = (name: string) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`;

/** The stream `text` between two good Namespaces: the bad document must not hide them. */
function load(bad: string) {
  const text = `${namespace('before')}---\n${bad}\n---\n${namespace('after')}`;
  const { resources, problems } = loadResourcesFromText(text, 'bad.yaml');
  expect(resources.namespaces.map((n) => n.metadata.name)).toEqual(['before', 'after']);
  const errors = problems.filter((p) => p.severity === 'error');
  expect(errors).toHaveLength(1);
  return errors[0] as Problem;
}

/** Ten times as many uses of the anchor above at each level: 10^levels lists when expanded. */
const aliasBomb = (levels: number) => {
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i <= levels; i++) {
    lines.push(
      `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  }
  return `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n  ${lines.join('\n  ')}`;
};

describe('YAML aliases', () => {
  it('an alias to no anchor is a problem on its line', () => {
    const problem = load('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: *nowhere');
    expect(problem).toMatchObject({ file: 'bad.yaml', document: 2, line: 9 });
    expect(problem.message).toMatch(/alias/);
  });

  it('aliases expanding past the bound are a problem, not a crash (a billion laughs)', () => {
    const problem = load(aliasBomb(9));
    expect(problem).toMatchObject({ file: 'bad.yaml', document: 2 });
    expect(problem.line).toBeGreaterThan(5);
    expect(problem.message).toMatch(/alias/);
  });

  it('aliases in a List are bounded too', () => {
    const bomb = aliasBomb(9).replaceAll('\n', '\n    ');
    const problem = load(`apiVersion: v1\nkind: List\nitems:\n  - ${bomb}`);
    expect(problem.message).toMatch(/alias/);
    expect(problem.line).toBeGreaterThan(5);
  });

  it('a few aliases read as their anchors', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: &n m}\ndata: {x: *n}\n';
    const { resources, problems } = loadResourcesFromText(text);
    expect(problems).toEqual([]);
    expect(resources.configMaps[0]!.data).toEqual({ x: 'm' });
  });
});

describe('bounded documents', () => {
  it('a document nested 100,000 deep is refused on its line, before any work', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const problem = load(
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n  x: ${deep}`,
    );
    expect(problem).toMatchObject({ file: 'bad.yaml', document: 2, line: 10 });
    expect(problem.message).toMatch(/nest/);
  });

  it('so is deep JSON', () => {
    const deep = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"d"},"data":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(load(deep).message).toMatch(/nest/);
  });

  it('a document over the API server limit is refused unread', () => {
    const big = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  x: "${'y'.repeat(MAX_DOCUMENT_BYTES)}"`;
    const problem = load(big);
    expect(problem).toMatchObject({ document: 2, line: 6 });
    expect(problem.message).toMatch(/bytes/);
  });

  it('an HTTPRoute with 20,000 hostnames is refused, naming the field and the CRD bound', () => {
    const hostnames = Array.from({ length: 20_000 }, (_, i) => `h${i}.example.com`);
    const route = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'r' },
      spec: { hostnames },
    };
    const parsed = parseResourceFile(JSON.stringify(route), 'r.json');
    expect(parsed.resources).toEqual([]);
    expect(parsed.problems[0]).toMatchObject({ path: ['spec', 'hostnames'], line: 1 });
    expect(parsed.problems[0]!.message).toMatch(/16/);
  });

  it('decodeResource bounds objects from any source (the config server, Kubernetes)', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 1000; i++) deep = [deep];
    const result = decodeResource({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'd' },
      data: { x: deep },
    });
    expect(result.decoded).toBeUndefined();
    expect(result.problems[0]!.message).toMatch(/nest/);
  });

  it('names the field where the walk (depth first, in key order) first breaks a bound', () => {
    const nested = (levels: number): unknown => (levels === 0 ? 'leaf' : { n: nested(levels - 1) });
    const meta = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'd' } };
    // The first field past the depth bound is reported, not a later or a shallower one.
    const deep = decodeResource({ ...meta, data: { a: 'x', b: [0, nested(200)], c: nested(200) } });
    expect(deep.problems).toHaveLength(1);
    expect(deep.problems[0]!.path).toEqual(['data', 'b', 1, ...Array(97).fill('n')]);
    // The value past the count bound: root, 6 fields and maps, then the list's items in order.
    const many = decodeResource({ ...meta, data: { list: Array(200_000).fill(0), z: 1 } });
    expect(many.problems[0]!.path).toEqual(['data', 'list', 199_993]);
    expect(many.problems[0]!.message).toMatch(/200000 values/);
  });
});
