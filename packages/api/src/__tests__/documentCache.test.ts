// parseResourceFile with a DocumentCache gives exactly what a full parse gives (resources, problems,
// documents, lines), decodes only the documents whose text changed, and keeps their objects. The
// same check over the whole status-conformance corpus is documentCacheCorpus.heavy.test.ts.
import { describe, expect, it } from 'vitest';
import { createDocumentCache, parseResourceFile } from '../index.js';

const route = (name: string, extra = '') => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: ${name}
  namespace: default
spec:
  parentRefs: [{name: eg}]${extra}
`;

const texts = {
  documents: `${route('a')}---\n${route('b')}---\n${route('c')}`,
  leadingMarker: `---\n${route('a')}---\n\n---\n${route('b')}`,
  brokenMiddle: `${route('a')}---\nkind: [unclosed\n---\n${route('c', '\n  hostnames: [Bad_Host]')}`,
  list: `apiVersion: v1\nkind: List\nitems:\n- ${route('a').trimEnd().replaceAll('\n', '\n  ')}\n---\n${route('b')}`,
  blockScalar: `${route('a')}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: m, namespace: default}\ndata:\n  x: |\n    ----\n    --- not a marker inside a scalar line\n`,
  markerWithContent: `--- ${JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } })}\n--- \n${route('b')}`,
  directive: `%YAML 1.2\n---\n${route('a')}`,
  crlf: `${route('a')}---\r\n${route('b')}`.replaceAll('\n', '\r\n').replaceAll('\r\r', '\r'),
};

describe('parseResourceFile with a DocumentCache', () => {
  for (const [name, text] of Object.entries(texts)) {
    it(`equals a full parse: ${name}`, () => {
      const full = parseResourceFile(text, 'f.yaml', { lenient: true });
      expect(full.resources.length).toBeGreaterThan(0);
      const cache = createDocumentCache();
      expect(parseResourceFile(text, 'f.yaml', { lenient: true }, cache)).toEqual(full);
      expect(parseResourceFile(text, 'f.yaml', { lenient: true }, cache)).toEqual(full);
    });
  }

  it('decodes again only the document that changed; the others keep their objects', () => {
    const cache = createDocumentCache();
    const before = parseResourceFile(texts.documents, 'f.yaml', {}, cache);
    // b grows by two lines: c moves down, and its line and the problem of b follow.
    const edited = texts.documents.replace(
      route('b'),
      route('b', '\n  hostnames: [Bad_Host]\n  # x'),
    );
    const after = parseResourceFile(edited, 'f.yaml', {}, cache);
    expect(after).toEqual(parseResourceFile(edited, 'f.yaml', {}));
    const names = (r: typeof after) => r.resources.map((x) => x.resource.metadata.name);
    expect(names(before)).toEqual(['a', 'b', 'c']);
    expect(names(after)).toEqual(['a', 'c']); // the bad hostname fails b in strict mode
    expect(after.resources[0]!.resource).toBe(before.resources[0]!.resource);
    expect(after.resources[1]!.resource).toBe(before.resources[2]!.resource);
    expect(after.resources[1]!.line).toBe(before.resources[2]!.line! + 2);
    expect(after.problems.map((p) => [p.document, p.name])).toEqual([[2, 'b']]);
  });

  it('follows documents added, removed and moved: each step equals a full parse', () => {
    const doc = (name: string) => route(name).trimEnd();
    // Every document after a marker: a document's text is the same wherever it is.
    const file = (...names: string[]) => names.map((name) => `---\n${doc(name)}\n`).join('');
    // Each step, and whether every document read before keeps its decoded object: one that moved
    // past two or more removed documents, or repeats, may be decoded again.
    const steps: Array<[string[], string, boolean]> = [
      [['a', 'b', 'c', 'd'], 'first', true],
      [['x', 'a', 'b', 'c', 'd'], 'added first', true],
      [['x', 'a', 'c', 'd'], 'removed in the middle', true],
      [['x', 'a', 'e', 'd'], 'replaced in the middle', true],
      [['x', 'a', 'e', 'y', 'z', 'd'], 'two added in the middle', true],
      [['x', 'a', 'e', 'y', 'z', 'd', 'w'], 'added last', true],
      [['d', 'z', 'a', 'x', 'y'], 'reordered', false],
      [['d', 'd', 'z'], 'the same text twice', false],
      [['z'], 'most removed', false],
    ];
    const cache = createDocumentCache();
    let last = parseResourceFile(file(...steps[0]![0]), 'f.yaml', {}, cache);
    for (const [names, step, keeps] of steps.slice(1)) {
      const text = file(...names);
      const next = parseResourceFile(text, 'f.yaml', {}, cache);
      expect(next, step).toEqual(parseResourceFile(text, 'f.yaml', {}));
      for (const entry of keeps ? next.resources : []) {
        const name = entry.resource.metadata.name;
        const before = last.resources.find((r) => r.resource.metadata.name === name);
        if (before) expect(entry.resource, `${step}: ${name}`).toBe(before.resource);
      }
      last = next;
    }
  });

  it('keeps the entries of documents that did not move', () => {
    const cache = createDocumentCache();
    const before = parseResourceFile(texts.documents, 'f.yaml', {}, cache);
    // b changes on a line of its own: a keeps its place, and so does c (same lines, same index).
    const edited = texts.documents.replace('name: b', 'name: bb');
    const after = parseResourceFile(edited, 'f.yaml', {}, cache);
    expect(after).toEqual(parseResourceFile(edited, 'f.yaml', {}));
    expect(after.resources[0]).toBe(before.resources[0]);
    expect(after.resources[1]).not.toBe(before.resources[1]);
    expect(after.resources[2]).toBe(before.resources[2]);
  });
});
