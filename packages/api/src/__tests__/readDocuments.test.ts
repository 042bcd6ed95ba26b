// The fast readers (JSON.parse, js-yaml) read every document as the YAML library does: the same
// values, the same errors, and problems placed on the same lines.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { splitDocuments } from '../loader/documentSplitter.js';
import { type ReadDocument, readDocuments, readWithYaml } from '../loader/readDocuments.js';

/** Paths to every value down to `depth` levels, for comparing lines. */
function pathsOf(value: unknown, depth = 3, prefix: Array<string | number> = []) {
  const out: Array<Array<string | number>> = [prefix];
  if (depth === 0 || typeof value !== 'object' || value === null) return out;
  const entries = Array.isArray(value)
    ? value.map((v, i) => [i, v] as const)
    : Object.entries(value);
  for (const [key, child] of entries) out.push(...pathsOf(child, depth - 1, [...prefix, key]));
  return out;
}

function expectSameReading(text: string, label: string) {
  const fast = readDocuments(text);
  const reference = readWithYaml(text);
  const values = (docs: ReadDocument[]) => docs.map((d) => d.value);
  expect(values(fast), label).toEqual(values(reference));
  expect(
    fast.map((d) => d.errors === undefined),
    label,
  ).toEqual(reference.map((d) => d.errors === undefined));
  fast.forEach((doc, i) => {
    for (const path of pathsOf(doc.value)) {
      expect(doc.lineOf(path), `${label} ${path.join('.')}`).toBe(reference[i]!.lineOf(path));
    }
  });
}

const texts: Record<string, string> = {
  block: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n',
  markerAndComments: '---\n# a comment\n\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n',
  markerWithContent: '--- {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}}\n',
  json: '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a","labels":{"x":null}}}',
  jsonDuplicateKey: '{"kind":"Namespace","kind":"Service"}',
  jsonColonInString: '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a:b\\":c"}}',
  scalars: 'a: 0o17\nb: 0x1F\nc: 1e3\nd: ~\ne: yes\nf: "012"\ng: 2024-01-01\nh: .nan\ni: -.inf\n',
  blockScalars: 'a: |\n  line one\n  line two\nb: >-\n  folded\n  text\n',
  anchors: 'a: &x {b: 1}\nc: *x\n',
  mergeKey: 'a: &x {b: 1}\nc:\n  <<: *x\n  d: 2\n',
  bom: '\uFEFF{"apiVersion": "v1", "kind": "Namespace"}',
  protoKey: '{"__proto__": {"x": 1}, "kind": "Namespace"}',
  tagged: 'a: !!str 123\nb: !!int "7"\n',
  list: 'apiVersion: v1\nkind: List\nitems:\n- {kind: Namespace, metadata: {name: a}}\n- kind: Namespace\n  metadata: {name: b}\n',
  empty: '# only a comment\n',
  twoDocuments: '---\na: 1\n...\nb: 2\n',
  crlf: 'apiVersion: v1\r\nkind: Namespace\r\nmetadata:\r\n  name: a\r\n',
  tabs: 'a:\t1\nb: "x\ty"\n',
  topLevelKeys: '# c\napiVersion:   v1\nkind:\n  Namespace\nmetadata: {name: a}\nspec:\n  x: 1\n',
  oneLineThenComment: '---\n{"kind": "Namespace", "metadata": {"name": "a"}} # c\n# more\n',
};

describe('readDocuments', () => {
  for (const [name, text] of Object.entries(texts)) {
    it(`reads as the YAML library does: ${name}`, () => expectSameReading(text, name));
  }

  it('refuses a duplicate key in JSON, as YAML does', () => {
    expect(readDocuments(texts.jsonDuplicateKey!)[0]!.errors).toHaveLength(1);
  });
});

const cases = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../../shared/conformance/gatewayapi-status/cases',
);

describe.runIf(existsSync(cases))('readDocuments, corpus', () => {
  it('reads every corpus document, as YAML and as JSON, as the YAML library does', () => {
    let compared = 0;
    for (const name of readdirSync(cases)) {
      const text = readFileSync(join(cases, name, 'input.yaml'), 'utf8');
      for (const piece of splitDocuments(text)) {
        expectSameReading(piece.text, `${name}:${piece.firstLine}`);
        const [doc] = readWithYaml(piece.text);
        // As JSON too: laid out on many lines, or on one as tools write it.
        const json = JSON.stringify(doc?.value, null, compared % 2 === 0 ? 1 : undefined);
        if (doc?.value) expectSameReading(json, `${name} as JSON`);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(1000);
  }, 300_000);
});
if (!existsSync(cases)) {
  describe('readDocuments, corpus', () => {
    it('cannot be checked: ../shared is absent', () => {
      console.warn(`skipped: ${cases} is absent`);
    });
  });
}
