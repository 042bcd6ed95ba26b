// A document written in pieces: JSON (as `JSON.stringify(value, null, 2)` lays it out) or YAML
// (as `stringifyYaml` writes it), byte for byte, but with its big parts (each Envoy resource) made
// and serialized one at a time, when the writer reaches them. The text of the whole document,
// and its whole proto3 JSON tree, are never held at once: only the shell and one resource.
import { stringifyYaml } from '@egts/api/yaml';

/** A map whose values may be streamed in turn; undefined values are left out, as JSON does. */
export class StreamedObject {
  constructor(readonly entries: readonly (readonly [string, unknown])[]) {}
}

/** A list of `length` elements, each made by `element(i)` only when it is written. */
export class StreamedArray {
  constructor(
    readonly length: number,
    readonly element: (i: number) => unknown,
  ) {}
}

const isStreamed = (value: unknown): value is StreamedObject | StreamedArray =>
  value instanceof StreamedObject || value instanceof StreamedArray;

/** Pieces smaller than this are joined before they are handed out (fewer, larger writes). */
const PIECE = 64 * 1024;

/** Joins small pieces; a large one (a resource) goes out on its own, after what was pending. */
function* coalesced(pieces: Iterable<string>): Generator<string> {
  let pending: string[] = [];
  let size = 0;
  for (const piece of pieces) {
    if (piece.length >= PIECE) {
      if (size > 0) yield pending.join('');
      pending = [];
      size = 0;
      yield piece;
      continue;
    }
    pending.push(piece);
    size += piece.length;
    if (size >= PIECE) {
      yield pending.join('');
      pending = [];
      size = 0;
    }
  }
  if (size > 0) yield pending.join('');
}

const indented = (text: string, indent: string) =>
  indent === '' ? text : text.replaceAll('\n', `\n${indent}`);

function* jsonPieces(value: unknown, indent: string): Generator<string> {
  if (value instanceof StreamedObject) {
    const entries = value.entries.filter(([, item]) => item !== undefined);
    if (entries.length === 0) {
      yield '{}';
      return;
    }
    const inner = `${indent}  `;
    for (const [i, [key, item]] of entries.entries()) {
      yield `${i === 0 ? '{\n' : ',\n'}${inner}${JSON.stringify(key)}: `;
      yield* jsonPieces(item, inner);
    }
    yield `\n${indent}}`;
    return;
  }
  if (value instanceof StreamedArray) {
    if (value.length === 0) {
      yield '[]';
      return;
    }
    const inner = `${indent}  `;
    for (let i = 0; i < value.length; i++) {
      yield i === 0 ? `[\n${inner}` : `,\n${inner}`;
      // JSON.stringify writes an undefined element as null.
      yield* jsonPieces(value.element(i) ?? null, inner);
    }
    yield `\n${indent}]`;
    return;
  }
  yield indented(JSON.stringify(value, null, 2), indent);
}

/** `value` as `JSON.stringify(value, null, 2)` and a newline write it, in pieces. */
export function* jsonChunks(value: unknown): Generator<string> {
  yield* coalesced(
    (function* () {
      yield* jsonPieces(value, '');
      yield '\n';
    })(),
  );
}

/** A YAML text of `stringifyYaml`, every line but empty ones (in block scalars) indented. */
const indentLines = (text: string, indent: string) =>
  indent === '' ? text : text.replace(/^(?=.)/gm, indent);

type YamlOptions = { version: '1.1' | '1.2' };

/** The `key:` of a map entry as the writer quotes it. */
const yamlKey = (key: string, options: YamlOptions) => {
  const line = stringifyYaml({ [key]: null }, { ...options, aliasDuplicateObjects: false });
  return line.slice(0, line.length - ' null\n'.length);
};

function* yamlPieces(
  value: StreamedObject | StreamedArray,
  indent: string,
  options: YamlOptions,
): Generator<string> {
  const plain = { ...options, aliasDuplicateObjects: false };
  if (value instanceof StreamedObject) {
    for (const [key, item] of value.entries) {
      if (item === undefined) continue;
      if (!isStreamed(item) || (item instanceof StreamedArray && item.length === 0)) {
        // One entry as the writer writes it in a map of its own (its lines do not depend on the others).
        yield indentLines(stringifyYaml({ [key]: isStreamed(item) ? [] : item }, plain), indent);
        continue;
      }
      if (item instanceof StreamedObject && item.entries.every(([, v]) => v === undefined)) {
        yield indentLines(stringifyYaml({ [key]: {} }, plain), indent);
        continue;
      }
      // A list or map under a key: indented by two on the lines below.
      yield `${indent}${yamlKey(key, options)}\n`;
      yield* yamlPieces(item, `${indent}  `, options);
    }
    return;
  }
  for (let i = 0; i < value.length; i++) {
    const item = value.element(i);
    // An element as the writer writes a one-element list: `- ` and its block.
    yield indentLines(stringifyYaml([materialized(item)], plain), indent);
  }
}

/** A streamed value made whole (for what the YAML writer must see at once: a list element's map). */
function materialized(value: unknown): unknown {
  if (value instanceof StreamedObject) {
    const object: Record<string, unknown> = {};
    for (const [key, item] of value.entries) object[key] = materialized(item);
    return object;
  }
  if (value instanceof StreamedArray) {
    return Array.from({ length: value.length }, (_, i) => materialized(value.element(i)));
  }
  return value;
}

/**
 * `value` as `stringifyYaml(value, { version, aliasDuplicateObjects: false })` writes it, in
 * pieces: a map's entries one by one, a list's elements one by one.
 */
export function* yamlChunks(
  value: unknown,
  options: YamlOptions = { version: '1.2' },
): Generator<string> {
  if (!isStreamed(value) || materializedIsEmpty(value)) {
    yield stringifyYaml(materialized(value), { ...options, aliasDuplicateObjects: false });
    return;
  }
  yield* coalesced(yamlPieces(value, '', options));
}

const materializedIsEmpty = (value: StreamedObject | StreamedArray) =>
  value instanceof StreamedArray
    ? value.length === 0
    : value.entries.every(([, item]) => item === undefined);
