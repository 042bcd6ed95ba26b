// YAML text -> plain values, by the cheapest reader that reads what the YAML library reads (the
// `yaml` package, YAML 1.2 core schema): JSON.parse for a JSON document, js-yaml's core schema for
// the rest, each about ten times faster than the YAML library, whose syntax tree is built only to
// place a problem on its line, to read a `List`'s items where they are, and for what the fast
// readers do not read alike (several documents in one piece, empty documents).
import jsyaml from 'js-yaml';
import type { Document } from 'yaml';
import { yamlLibrary } from '../yaml/yamlLibrary.js';
import {
  jsonShape,
  MAX_DEPTH,
  MAX_DOCUMENT_BYTES,
  measureValue,
  type ValueMeasure,
} from './documentBounds.js';
import { isRecord } from './isRecord.js';

/** One document of a piece of text, with lines counted from the piece's first line (1). */
export interface ReadDocument {
  /** Its value: undefined when empty or unreadable. */
  value?: unknown;
  /** What makes it unreadable (YAML syntax, aliases, size), each on its line. */
  errors?: Array<{ line: number | undefined; message: string }> | undefined;
  /** measureValue(value), when the reader took it (JSON: to count its keys), not to walk it again. */
  measure?: ValueMeasure | undefined;
  /** The line of the node at `path`, or of its deepest ancestor there. */
  lineOf(path: ReadonlyArray<string | number>): number | undefined;
}

/** Every document of a piece of text: a file, or the stretch of it from one `---` to the next. */
export function readDocuments(text: string): ReadDocument[] {
  // A UTF-16 code unit is at most 3 bytes of UTF-8: shorter text need not be counted.
  const bytes = text.length * 3 > MAX_DOCUMENT_BYTES ? Buffer.byteLength(text, 'utf8') : 0;
  if (bytes > MAX_DOCUMENT_BYTES) {
    const message = `document of ${bytes} bytes: the limit is ${MAX_DOCUMENT_BYTES} (the API server's)`;
    return [{ errors: [{ line: contentLine(text), message }], lineOf: () => contentLine(text) }];
  }
  let values: unknown[];
  let measure: ValueMeasure | undefined;
  try {
    ({ values, measure } = readFast(text));
  } catch (error) {
    // js-yaml's error; its nesting limit keeps the YAML library away from a deep document.
    const { reason, mark } = error as jsyaml.YAMLException;
    const line = mark ? mark.line + 1 : contentLine(text);
    return [{ errors: [{ line, message: `invalid YAML: ${reason}` }], lineOf: () => line }];
  }
  const [value] = values;
  if (values.length !== 1 || value === null || value === undefined || isList(value)) {
    return readWithYaml(text);
  }
  let tree: ((path: ReadonlyArray<string | number>) => number | undefined) | undefined;
  return [
    {
      value,
      measure,
      lineOf: (path) => {
        const line = cheapLineOf(text, path);
        if (line !== undefined) return line;
        tree ??= readWithYaml(text)[0]!.lineOf;
        return tree(path);
      },
    },
  ];
}

/**
 * A line found without the YAML library's tree, where the text alone says it: the document
 * itself, anything in a one-line document (JSON as tools write it), and a top-level field whose
 * value starts on its key's line. Undefined otherwise.
 */
function cheapLineOf(text: string, path: ReadonlyArray<string | number>): number | undefined {
  const first = contentLine(text);
  if (path.length === 0 || isOneLine(text, first)) return first;
  const [key] = path;
  if (path.length !== 1 || typeof key !== 'string' || !/^[\w.-]+$/.test(key)) return undefined;
  const at = new RegExp(`^${key.replaceAll('.', '\\.')}:[ \t]+[^s#]`, 'm').exec(text);
  return at ? countLinesBefore(text, at.index) + 1 : undefined;
}

/** Whether nothing but blanks and comments follows the document's first line. */
function isOneLine(text: string, first: number): boolean {
  let end = -1; // where line `first` ends
  for (let line = 0; line < first; line++) {
    end = text.indexOf('\n', end + 1);
    if (end === -1) return true; // the text ends on that line
  }
  return !/^[ \t]*[^\s#]/m.test(text.slice(end + 1));
}

const countLinesBefore = (text: string, end: number): number => {
  let lines = 0;
  for (let at = text.indexOf('\n'); at !== -1 && at < end; at = text.indexOf('\n', at + 1)) lines++;
  return lines;
};

const NOT_JSON = Symbol('not JSON');
const marker = /^---(?=[ \t\r\n]|$)/;

/**
 * JSON.parse when the document is JSON (no duplicate keys, not too deep), with its measure (the
 * walk that counts its keys); else js-yaml.
 */
function readFast(text: string): { values: unknown[]; measure?: ValueMeasure | undefined } {
  // A slice shares the text's characters; a replace would copy every document.
  const body = marker.test(text) ? text.slice(3) : text;
  const json = parseJson(body);
  if (json !== NOT_JSON) return { values: [json.value], measure: json.measure };
  const options: jsyaml.LoadOptions & { maxDepth: number } = {
    schema: jsyaml.CORE_SCHEMA,
    maxDepth: MAX_DEPTH,
  };
  return { values: jsyaml.loadAll(text, undefined, options) };
}

function parseJson(body: string): typeof NOT_JSON | { value: unknown; measure: ValueMeasure } {
  if (!/^\s*\{/.test(body)) return NOT_JSON;
  const shape = jsonShape(body);
  if (shape.depth > MAX_DEPTH) return NOT_JSON;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return NOT_JSON;
  }
  // Fewer keys than colons: a duplicate key, which JSON.parse keeps quietly and YAML refuses.
  // A measure stopped at a broken bound counted only some keys: they are counted alone then.
  const measure = measureValue(value);
  const keys = measure.problem ? countKeys(value) : measure.keys;
  return keys === shape.keys ? { value, measure } : NOT_JSON;
}

function countKeys(value: unknown): number {
  let keys = 0;
  const stack = [value];
  for (let at = stack.pop(); at !== undefined; at = stack.pop()) {
    if (Array.isArray(at)) stack.push(...at);
    else if (isRecord(at)) {
      for (const key in at) {
        keys++;
        stack.push(at[key]);
      }
    }
  }
  return keys;
}

/** `kind: List` (or `FooList`) with `items`, as kubectl prints several objects. */
export function isList(value: unknown): value is { items: unknown[] } {
  return (
    isRecord(value) &&
    typeof value.kind === 'string' &&
    value.kind.endsWith('List') &&
    Array.isArray(value.items)
  );
}

/**
 * The line the document's content starts on, as the YAML library places it: the first line that
 * is not blank, not a comment and not a bare `---` marker.
 */
function contentLine(text: string): number {
  let line = 1;
  for (let start = 0; start < text.length; line++) {
    const end = text.indexOf('\n', start);
    const content = text.slice(start, end === -1 ? text.length : end).replace(marker, '');
    const trimmed = content.trim();
    if (trimmed !== '' && !trimmed.startsWith('#')) return line;
    if (end === -1) break;
    start = end + 1;
  }
  return 1;
}

/** The YAML library's reading: slow, but every node keeps where it is. */
export function readWithYaml(text: string): ReadDocument[] {
  const { Composer, LineCounter, Parser } = yamlLibrary();
  const lineCounter = new LineCounter();
  const lineAt = (offset: number | undefined) =>
    offset === undefined ? undefined : lineCounter.linePos(offset).line;
  const documents = new Composer({ prettyErrors: false }).compose(
    new Parser(lineCounter.addNewLine).parse(text),
  );
  const out: ReadDocument[] = [];
  for (const doc of documents) {
    const lineOf = (path: ReadonlyArray<string | number>) => lineIn(doc, path, lineAt);
    if (doc.errors.length > 0) {
      const errors = doc.errors.map((error) => ({
        line: lineAt(error.pos[0]),
        message: `invalid YAML: ${error.message.split('\n')[0]}`,
      }));
      out.push({ errors, lineOf });
      continue;
    }
    try {
      out.push({ value: doc.toJS({ maxAliasCount: 100 }), lineOf });
    } catch (error) {
      // An alias to no anchor, or aliases expanding past maxAliasCount: the line of the first alias.
      let line: number | undefined;
      const aliasAt = /(?:^|[\s[{,:])\*/m.exec(text);
      if (aliasAt) line = lineAt(aliasAt.index + aliasAt[0].length - 1);
      out.push({
        errors: [{ line, message: `invalid YAML: ${(error as Error).message}` }],
        lineOf,
      });
    }
  }
  return out;
}

/** The line of the deepest node on `path` that exists in the document. */
function lineIn(
  doc: Document,
  path: ReadonlyArray<string | number>,
  lineAt: (offset: number | undefined) => number | undefined,
): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return lineAt(range[0]);
  }
  return undefined;
}
