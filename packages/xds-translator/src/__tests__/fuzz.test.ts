// Property-based fuzzing of the whole cold path (issue #16): the golden inputs of the translators,
// mutated structurally (dropped fields, wrong types, huge numbers, unicode, nulls, duplicates) and
// as YAML text (cut, spliced, anchors and aliases, tags, indentation), go through the loader
// (lenient and strict), translate() and translateXds(). No input may throw, and none may take
// more than its share of time. CI runs FUZZ_RUNS (default 300, about a minute on a busy machine);
// `pnpm fuzz` runs 10,000 from a random seed. A failure prints the seed and the shrunk input
// (replay with FUZZ_SEED=<seed>).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadResourcesFromText } from '@egts/api';
import { translate } from '@egts/gatewayapi-translator';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { translateXds } from '../index.js';

const testdata = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../gatewayapi-translator/testdata',
);
const corpus: string[] = readdirSync(testdata)
  .filter((file) => file.endsWith('.in.yaml'))
  .sort()
  .map((file) => readFileSync(join(testdata, file), 'utf8'));
const documents: unknown[][] = corpus.map((text) =>
  parseAllDocuments(text).map((doc) => doc.toJS() as unknown),
);

const runs = Number(process.env.FUZZ_RUNS ?? 300);
/** CI replays one fixed sequence, so its verdict is reproducible; `pnpm fuzz` explores (random). */
const seed = process.env.FUZZ_SEED === 'random' ? undefined : Number(process.env.FUZZ_SEED ?? 16);
const fuzzOptions = (numRuns: number) => (seed === undefined ? { numRuns } : { numRuns, seed });
/** One input's budget: generous for a loaded 2-core machine, far below a hang. */
const PER_INPUT_MS = Number(process.env.FUZZ_INPUT_MS ?? 5000);
const now = new Date('2030-01-01T00:00:00Z');

// --- structured mutations -------------------------------------------------------------------

const weird: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.constant(''),
  fc.constant(0),
  fc.constant(-1),
  fc.constant(2 ** 31),
  fc.constant(Number.MAX_SAFE_INTEGER + 2),
  fc.constant(1e308),
  fc.constant(0.5),
  fc.constant(true),
  fc.constant([]),
  fc.constant({}),
  fc.constant('\u0000'),
  fc.constant('é/ü/🚀'),
  fc.constant('\u202e/rtl'),
  fc.constant('x'.repeat(5000)),
  fc.constant('*'),
  fc.constant('/('),
  fc.constant('[a-z]{1000}'),
  fc.constant('../../etc/passwd'),
  fc.constant('a.b.c.d.e.f.g.h.example.com'),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.integer(),
  fc.double(),
);

type Mutation =
  | { op: 'delete' | 'duplicate'; at: number }
  | { op: 'replace'; at: number; value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('replace' as const), at: fc.nat(), value: weird }),
);

/** Every (container, key) in a value, depth first: the places a mutation can hit. */
const places = (
  value: unknown,
  out: [Record<string, unknown> | unknown[], string | number][] = [],
) => {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push([value, i]);
      places(item, out);
    });
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      out.push([value as Record<string, unknown>, key]);
      places(item, out);
    }
  }
  return out;
};

const applyMutation = (docs: unknown[], m: Mutation): void => {
  const all = places(docs);
  const place = all[m.at % Math.max(all.length, 1)];
  if (place === undefined) return;
  const [container, key] = place;
  if (Array.isArray(container)) {
    const i = key as number;
    if (m.op === 'delete') container.splice(i, 1);
    else if (m.op === 'duplicate') container.splice(i, 0, structuredClone(container[i]));
    else if (m.op === 'replace') container[i] = m.value;
  } else {
    const k = key as string;
    if (m.op === 'delete') delete container[k];
    else if (m.op === 'duplicate') container[`${k}x`] = structuredClone(container[k]);
    else if (m.op === 'replace') container[k] = m.value;
  }
};

const structured: fc.Arbitrary<string> = fc
  .tuple(fc.nat({ max: documents.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 6 }))
  .map(([index, mutations]) => {
    const docs = structuredClone(documents[index] ?? []);
    for (const m of mutations) applyMutation(docs, m);
    return docs.map((doc) => stringify(doc)).join('---\n');
  });

// --- text mutations -------------------------------------------------------------------------

const fragments = [
  ':',
  '- ',
  '&a ',
  '*a',
  '*nope',
  '<<: *a\n',
  '!!binary ',
  '!!str ',
  '!custom ',
  '{',
  '}',
  '[',
  ']',
  '\t',
  '\n',
  '  ',
  '---\n',
  '...\n',
  '"',
  "'",
  '#',
  '%YAML 1.1\n',
  '? ',
  '|\n',
  '>-\n',
  '\u0000',
  '\ufeff',
  '9'.repeat(400),
  'null',
  '~',
];

const textual: fc.Arbitrary<string> = fc
  .tuple(
    fc.nat({ max: corpus.length - 1 }),
    fc.array(
      fc.record({
        at: fc.nat(),
        cut: fc.nat({ max: 40 }),
        insert: fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 8 })),
      }),
      { minLength: 1, maxLength: 5 },
    ),
  )
  .map(([index, edits]) => {
    let text = corpus[index] ?? '';
    for (const edit of edits) {
      const at = edit.at % (text.length + 1);
      text = text.slice(0, at) + edit.insert + text.slice(at + edit.cut);
    }
    return text;
  });

// --- the property ---------------------------------------------------------------------------

/** Runs the cold path on one input; throws on a crash or an input over its time budget. */
const coldPath = (text: string): void => {
  const started = performance.now();
  for (const lenient of [true, false]) {
    const { resources } = loadResourcesFromText(text, 'fuzz.yaml', { lenient });
    const result = translate(resources, { now });
    for (const ir of result.xdsIR) translateXds(ir);
  }
  const ms = performance.now() - started;
  if (ms > PER_INPUT_MS) throw new Error(`took ${Math.round(ms)} ms (budget ${PER_INPUT_MS} ms)`);
};

describe('fuzzing the loader and the translators', () => {
  it('every golden input goes through unharmed (the fuzzer starts from working inputs)', () => {
    expect(corpus.length).toBeGreaterThan(3);
    for (const text of corpus) coldPath(text);
  });

  it(`survives ${runs} structurally mutated inputs`, {
    timeout: Math.max(60_000, runs * 60),
  }, () => {
    fc.assert(fc.property(structured, coldPath), fuzzOptions(runs));
  });

  it(`survives ${runs} textually mangled inputs`, { timeout: Math.max(60_000, runs * 60) }, () => {
    fc.assert(fc.property(textual, coldPath), fuzzOptions(runs));
  });
});
