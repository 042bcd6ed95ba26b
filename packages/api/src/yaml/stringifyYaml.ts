// Plain data (what JSON holds) as block YAML, byte for byte what the `yaml` library's stringify
// prints with `lineWidth: 0`, about ten times faster: no document of nodes is built, and each
// distinct string is judged once. What this writer does not handle itself (multi-line or
// non-ASCII strings, keys over 1,024 characters, top-level scalars, objects met twice where the
// library would write an alias, anything not plain data) goes to the library for that document.
import { yamlLibrary } from './yamlLibrary.js';

export interface StringifyYamlOptions {
  /** The YAML version the reader expects: '1.1' quotes yes/no/on/off (Envoy's yaml-cpp). Default '1.2'. */
  version?: '1.1' | '1.2';
  /**
   * Write an object met twice as an anchor and aliases (the library's default), or twice in full.
   * Only the library writes aliases: a document that would have one is handed to it. Default true.
   */
  aliasDuplicateObjects?: boolean;
}

/** Thrown inside the writer for what only the library writes; caught in stringifyYaml. */
class NotPlain extends Error {}

interface Writer {
  /** Strings as written in a value, and as a key (implicit key), by the string. */
  values: Map<string, string>;
  keys: Map<string, string>;
  /** Whether a plain scalar would read back as another type (a number, a boolean, null...). */
  readsAsOtherType: (text: string) => boolean;
}

const writers = new Map<string, Writer>();

function writerFor(version: '1.1' | '1.2'): Writer {
  let writer = writers.get(version);
  if (writer === undefined) {
    // The tags the library tests a plain scalar against before writing it unquoted.
    const { tags, compat } = new (yamlLibrary().Document)(null, { version }).schema as unknown as {
      tags: Array<{ default?: boolean | string; tag: string; test?: RegExp }>;
      compat?: Array<{ default?: boolean | string; tag: string; test?: RegExp }> | null;
    };
    const resolving = [...tags, ...(compat ?? [])].filter(
      (tag) => tag.default && tag.tag !== 'tag:yaml.org,2002:str' && tag.test !== undefined,
    );
    writer = {
      values: new Map(),
      keys: new Map(),
      readsAsOtherType: (text) => resolving.some((tag) => tag.test!.test(text)),
    };
    writers.set(version, writer);
  }
  return writer;
}

// The library's rule for a plain scalar that must be quoted: an indicator first, `: ` or ` #`
// inside, a space or colon last (stringifyString.ts, plainString).
const needsQuotes =
  /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
const printableAscii = /^[\x20-\x7e]*$/;
// A document marker starting the string: the library's rules for it depend on the indentation.
// (A leading `%` is quoted by needsQuotes.)
const documentMarker = /^(---|\.\.\.)/;

function stringText(writer: Writer, value: string, implicitKey: boolean): string {
  const cache = implicitKey ? writer.keys : writer.values;
  let text = cache.get(value);
  if (text !== undefined) return text;
  // `<<` is YAML 1.1's merge key, which the library writes by rules of its own.
  if (!printableAscii.test(value) || documentMarker.test(value) || value === '<<') {
    throw new NotPlain();
  }
  if (implicitKey && value.length > 1024) throw new NotPlain();
  if (value === '' || needsQuotes.test(value) || writer.readsAsOtherType(value)) {
    // Double quotes (printable ASCII: JSON's escaping is YAML's), single when that avoids escaping.
    text = value.includes('"') && !value.includes("'") ? `'${value}'` : JSON.stringify(value);
  } else text = value;
  cache.set(value, text);
  return text;
}

function scalarText(writer: Writer, value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return stringText(writer, value, false);
    case 'number':
      if (Number.isNaN(value)) return '.nan';
      if (!Number.isFinite(value)) return value < 0 ? '-.inf' : '.inf';
      return Object.is(value, -0) ? '-0' : JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return value === null ? 'null' : undefined;
    default:
      throw new NotPlain(); // undefined in a list, functions, symbols, bigints
  }
}

const isPlainObject = (value: object): value is Record<string, unknown> => {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

/**
 * The document's bytes as they are written: every line this writer makes is printable ASCII, so
 * one byte a character in a buffer that grows by doubling. A list of the lines joined at the end
 * held each line as a string of its own (at 5,000 routes, an Envoy config of 4.7 MB took about
 * four times that in the heap at the peak of `egts translate -o xds`).
 */
class Latin1Text {
  #buffer = Buffer.allocUnsafe(64 * 1024);
  #length = 0;

  line(text: string): void {
    const needed = this.#length + text.length + 1;
    if (needed > this.#buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.#buffer.length * 2));
      this.#buffer.copy(grown, 0, 0, this.#length);
      this.#buffer = grown;
    }
    this.#length += this.#buffer.write(text, this.#length, 'latin1');
    this.#buffer[this.#length++] = 0x0a;
  }

  toString(): string {
    return this.#buffer.toString('latin1', 0, this.#length);
  }
}

class BlockWriter {
  readonly text = new Latin1Text();
  readonly #seen = new Set<object>();

  constructor(
    readonly writer: Writer,
    readonly aliases: boolean,
  ) {}

  /** A collection's content, each line starting with `indent`; `first` replaces the first line's. */
  /** Every list and map, empty ones too, where the library would write an alias the second time. */
  visit(value: object): void {
    if (!this.aliases) return;
    if (this.#seen.has(value)) throw new NotPlain();
    this.#seen.add(value);
  }

  collection(value: object, indent: string, first = indent): void {
    let lead = first;
    if (Array.isArray(value)) {
      for (const item of value) {
        this.entry(`${lead}- `, item, `${indent}  `, true);
        lead = indent;
      }
      return;
    }
    if (!isPlainObject(value)) throw new NotPlain();
    for (const key of Object.keys(value)) {
      const item = value[key];
      if (item === undefined) continue; // the library leaves undefined fields out, as JSON does
      this.entry(`${lead}${stringText(this.writer, key, true)}:`, item, `${indent}  `, false);
      lead = indent;
    }
  }

  /** `head` (`key:` or `- `) then its value: inline when a scalar or empty, else the block below. */
  entry(head: string, value: unknown, inner: string, inSequence: boolean): void {
    const scalar = scalarText(this.writer, value);
    const separator = inSequence ? '' : ' ';
    if (scalar !== undefined) {
      this.text.line(`${head}${separator}${scalar}`);
      return;
    }
    const object = value as object;
    this.visit(object);
    const empty = Array.isArray(object) ? object.length === 0 : Object.keys(object).length === 0;
    if (empty && (Array.isArray(object) || isPlainObject(object))) {
      this.text.line(`${head}${separator}${Array.isArray(object) ? '[]' : '{}'}`);
      return;
    }
    if (inSequence) {
      // `- ` then the collection, its first line on the dash's line: `- a: 1` / `- - x`.
      this.collection(object, inner, head);
      return;
    }
    this.text.line(head);
    // A list under a key is indented like a map (the library's indentSeq).
    this.collection(object, inner);
  }
}

/** `value` as a YAML document (block style, newline-terminated), as `yaml`'s stringify writes it. */
export function stringifyYaml(value: unknown, options: StringifyYamlOptions = {}): string {
  const version = options.version ?? '1.2';
  const aliases = options.aliasDuplicateObjects ?? true;
  if (value !== null && typeof value === 'object') {
    const block = new BlockWriter(writerFor(version), aliases);
    try {
      const empty = Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
      if (!empty) {
        block.visit(value);
        block.collection(value, '');
        return block.text.toString();
      }
    } catch (error) {
      if (!(error instanceof NotPlain)) throw error;
    }
  }
  return yamlLibrary().stringify(value, { version, lineWidth: 0, aliasDuplicateObjects: aliases });
}
