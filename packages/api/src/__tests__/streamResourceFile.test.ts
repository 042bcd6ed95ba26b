// A file decoded as it streams gives exactly what the whole text gives (resources, problems,
// documents, lines), wherever the chunks are cut: inside a marker, a line end, a UTF-8 character.
// The same check over the status-conformance corpus is streamCorpus.heavy.test.ts.
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createDocumentCache,
  loadResourcesFromPath,
  parseResourceFile,
  READ_CONCURRENCY,
  readResourceFile,
  streamResourceFile,
} from '../index.js';
import { DocumentSplitter, splitDocuments } from '../loader/documentSplitter.js';

const route = (name: string, extra = '') => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: ${name}
  namespace: default
spec:
  parentRefs: [{name: eg}]${extra}
`;

const texts: Record<string, string> = {
  documents: `${route('a')}---\n${route('b')}---\n${route('c')}`,
  leadingMarker: `---\n${route('a')}---\n\n---\n${route('b')}`,
  brokenMiddle: `${route('a')}---\nkind: [unclosed\n---\n${route('c', '\n  hostnames: [Bad_Host]')}`,
  blockScalar: `${route('a')}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: m, namespace: default}\ndata:\n  x: |\n    ----\n    --- not a marker\n`,
  markerWithContent: `--- ${JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } })}\n--- \n${route('b')}`,
  directive: `${route('a')}---\n${route('b')}...\n%YAML 1.2\n---\n${route('c')}`,
  crlf: `${route('a')}---\r\n${route('b')}`.replaceAll('\n', '\r\n').replaceAll('\r\r', '\r'),
  utf8: `${route('a', '\n  hostnames: [héllo.example]  # ünïcødé ✓')}---\n${route('b', ' # 日本語')}`,
  endsWithMarker: `${route('a')}---`,
  empty: '',
};

/** The text's bytes in chunks of `size`, cut anywhere (inside a UTF-8 character too). */
const chunksOf = (text: string, size: number) =>
  async function* () {
    const bytes = Buffer.from(text, 'utf8');
    for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
  };

describe('streamResourceFile', () => {
  for (const [name, text] of Object.entries(texts)) {
    it(`equals a whole-text parse, any chunk size: ${name}`, async () => {
      const whole = parseResourceFile(text, 'f.yaml', { lenient: true });
      for (const size of [1, 2, 3, 5, 64, 1 << 20]) {
        const streamed = await streamResourceFile(chunksOf(text, size), 'f.yaml', {
          lenient: true,
        });
        expect(streamed, `chunks of ${size}`).toEqual(whole);
      }
    });
  }

  it('keeps the cache as it was when the read fails part way', async () => {
    const cache = createDocumentCache();
    const text = texts.documents!;
    const first = parseResourceFile(text, 'f.yaml', {}, cache);
    const failing = async function* () {
      yield Buffer.from(`${route('x')}---\n${route('y')}---\n`);
      throw new Error('EIO');
    };
    await expect(streamResourceFile(failing, 'f.yaml', {}, cache)).rejects.toThrow('EIO');
    const again = await streamResourceFile(chunksOf(text, 7), 'f.yaml', {}, cache);
    expect(again).toEqual(first);
    // Served from the cache: the same objects.
    expect(again.resources[0]!.resource).toBe(first.resources[0]!.resource);
  });
});

describe('DocumentSplitter', () => {
  it('cuts as splitDocuments cuts the whole text, wherever the chunks end', () => {
    const text = `a: 1\n---\nb: 2\r\n--- x\n----\n  --- no\n---\u2028c: 3\n---`;
    const whole = splitDocuments(text);
    // `a`, `b`, `x` (`----` and an indented `---` are content), `c` (after U+2028), the last marker.
    expect(whole.map((p) => p.text.slice(0, 5))).toEqual([
      'a: 1\n',
      '---\nb',
      '--- x',
      '---\u2028c',
      '---',
    ]);
    for (let size = 1; size <= 8; size++) {
      const splitter = new DocumentSplitter();
      const pieces = [];
      for (let at = 0; at < text.length; at += size)
        pieces.push(...splitter.push(text.slice(at, at + size)));
      pieces.push(...splitter.end());
      expect(pieces, `chunks of ${size}`).toEqual(whole);
    }
  });

  it('gives no piece once a directive is seen: the text must be read whole', () => {
    const splitter = new DocumentSplitter();
    expect(splitter.push('a: 1\n---\nb: 2\n')).toHaveLength(1);
    expect(splitter.push('...\n%')).toEqual([]);
    expect(splitter.directives).toBe(true);
    expect(splitter.end()).toEqual([]);
  });
});

describe('loadResourcesFromPath, a directory read side by side', () => {
  const dir = mkdtempSync(join(tmpdir(), 'egts-stream-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps file order, and a file that cannot be read is a problem in its place', async () => {
    const count = READ_CONCURRENCY * 3;
    for (let i = 0; i < count; i++) {
      const name = `r${String(i).padStart(3, '0')}.yaml`;
      // Every fifth file has a problem, so problems must come in file order too.
      writeFileSync(
        join(dir, name),
        route(`r${i}`, i % 5 === 0 ? '\n  hostnames: [Bad_Host]' : ''),
      );
    }
    symlinkSync(join(dir, 'missing'), join(dir, 'r010x.yaml'));
    const { resources, problems } = await loadResourcesFromPath(dir, { lenient: true });
    expect(resources.httpRoutes.map((r) => r.metadata.name)).toEqual(
      Array.from({ length: count }, (_, i) => `r${i}`),
    );
    const files = problems.map((p) => p.file.slice(dir.length + 1));
    expect(files).toEqual([...files].sort());
    expect(files).toContain('r010x.yaml');
    expect(problems.find((p) => p.file.endsWith('r010x.yaml'))?.message).toMatch(/^cannot read: /);
    expect(problems.filter((p) => p.path.join('.') === 'spec.hostnames.0')).toHaveLength(
      Math.ceil(count / 5),
    );
  });

  it('reads a file as its whole text reads', async () => {
    const file = join(dir, 'all.yaml');
    for (const text of Object.values(texts)) {
      writeFileSync(file, text);
      expect(await readResourceFile(file, { lenient: true })).toEqual(
        parseResourceFile(text, file, { lenient: true }),
      );
    }
  });
});
