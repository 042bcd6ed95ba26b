// One file's resources and problems, decoded a piece of documents at a time: from its whole text
// (parseResourceFile), or as it is read (ResourceFileParser, for streamResourceFile.ts).
import type { Resource, Resources } from '../resources.js';
import { type DecodeOptions, decodeMeasured } from './decodeResource.js';
import type { ValueMeasure } from './documentBounds.js';
import { splitDocuments, type TextPiece } from './documentSplitter.js';
import { isRecord } from './isRecord.js';
import type { Problem } from './problem.js';
import { isList, type ReadDocument, readDocuments } from './readDocuments.js';

/** One resource as read from a file, with where it came from. */
export interface SourcedResource {
  collection: keyof Resources;
  resource: Resource;
  file: string;
  document: number;
  line?: number | undefined;
}

export interface ParsedFile {
  resources: SourcedResource[];
  problems: Problem[];
}

/**
 * The decoded documents of a file's last reading, for `parseResourceFile` to decode again only the
 * documents that changed: one route edited in a file of 1,000 otherwise decodes all 1,000 (about
 * 170 ms). Holds the pieces of the last text given only.
 */
export interface DocumentCache {
  /** @internal The pieces of the last text, in order. */
  pieces: ParsedPiece[];
}

export const createDocumentCache = (): DocumentCache => ({ pieces: [] });

/**
 * A decoded piece of text (one `---` to the next), its resources and problems placed in the file:
 * after `documentsBefore` documents, starting on line `firstLine`.
 */
interface ParsedPiece extends ParsedFile {
  text: string;
  documentsBefore: number;
  firstLine: number;
  /** How many documents (empty ones too) it holds. */
  documents: number;
}

/** Parses one file's text: every document, and every item of a `List`. Never throws. */
export function parseResourceFile(
  text: string,
  file: string,
  options: DecodeOptions = {},
  cache?: DocumentCache,
): ParsedFile {
  const parser = new ResourceFileParser(file, options, cache);
  for (const piece of splitDocuments(text)) parser.add(piece);
  return parser.finish();
}

/**
 * A file's pieces of documents (DocumentSplitter), decoded as each is given, in order. `finish`
 * gives what `parseResourceFile` gives for the whole text, and only then replaces what the cache
 * holds: a parser left unfinished (a read that failed) leaves the cache as it was.
 *
 * A piece is looked for in the cache where the last text had it (after the last piece found, or
 * one further): an edit changes a few pieces in place, so the others are found by comparing two
 * strings, not by hashing every piece's text (a 1 MB file is 1 MB to hash), and a piece found at
 * the same place keeps its entries, objects and all. Only when two pieces in a row are not where
 * they were (documents added or moved) are the last pieces looked up by text, for the rest of
 * the file; a document moved before that is decoded again.
 */
export class ResourceFileParser {
  readonly #out: ParsedFile = { resources: [], problems: [] };
  readonly #next: ParsedPiece[] = [];
  #documents = 0;
  readonly #file: string;
  readonly #options: DecodeOptions;
  readonly #cache: DocumentCache | undefined;
  /** Index in the cache of the piece expected next. */
  #cursor = 0;
  /** Pieces in a row not found in the cache. */
  #misses = 0;
  /** The cache's pieces by text, built at the second miss in a row. */
  #byText: Map<string, number> | undefined;

  constructor(file: string, options: DecodeOptions = {}, cache?: DocumentCache) {
    this.#file = file;
    this.#options = options;
    this.#cache = cache;
  }

  add({ text, firstLine }: TextPiece): void {
    const documentsBefore = this.#documents;
    const cached = this.#cached(text);
    const piece =
      cached === undefined
        ? parsePiece(text, this.#file, this.#options, documentsBefore, firstLine)
        : placed(cached, text, documentsBefore, firstLine);
    if (this.#cache) this.#next.push(piece);
    for (const resource of piece.resources) this.#out.resources.push(resource);
    for (const problem of piece.problems) this.#out.problems.push(problem);
    this.#documents += piece.documents;
  }

  finish(): ParsedFile {
    if (this.#cache) this.#cache.pieces = this.#next;
    return this.#out;
  }

  /** The last text's piece with this text, if any. */
  #cached(text: string): ParsedPiece | undefined {
    const pieces = this.#cache?.pieces;
    if (pieces === undefined || pieces.length === 0) return undefined;
    // Where the last text had the piece, or one further (a piece removed, or edited, before it).
    let at = this.#cursor;
    if (pieces[at]?.text !== text) at++;
    if (pieces[at]?.text !== text) {
      this.#misses++;
      // Two pieces in a row not where they were: documents added or moved, looked up by text.
      if (this.#misses < 2 && this.#byText === undefined) return undefined;
      this.#byText ??= new Map(pieces.map((piece, i) => [piece.text, i]));
      const found = this.#byText.get(text);
      if (found === undefined) return undefined;
      at = found;
    }
    this.#misses = 0;
    this.#cursor = at + 1;
    return pieces[at];
  }
}

/**
 * A cached piece at its place in the new text: the same entries when it has not moved, else
 * copies moved by as many documents and lines as the piece did.
 */
function placed(
  piece: ParsedPiece,
  text: string,
  documentsBefore: number,
  firstLine: number,
): ParsedPiece {
  const documents = documentsBefore - piece.documentsBefore;
  const lines = firstLine - piece.firstLine;
  if (documents === 0 && lines === 0) {
    // The same text, the new string: the old one may hold a whole older chunk of the file in
    // memory. The cache means the same either way (an unfinished parser leaves it as it was).
    piece.text = text;
    return piece;
  }
  const move = <T extends { document?: number | undefined; line?: number | undefined }>(
    x: T,
  ): T => ({
    ...x,
    document: x.document === undefined ? undefined : x.document + documents,
    line: x.line === undefined ? undefined : x.line + lines,
  });
  return {
    resources: piece.resources.map(move),
    problems: piece.problems.map(move),
    text,
    documentsBefore,
    firstLine,
    documents: piece.documents,
  };
}

/** Decodes a piece that starts after `documentsBefore` documents, on line `firstLine`. */
function parsePiece(
  text: string,
  file: string,
  options: DecodeOptions,
  documentsBefore: number,
  firstLine: number,
): ParsedPiece {
  const out: ParsedPiece = {
    resources: [],
    problems: [],
    text,
    documentsBefore,
    firstLine,
    documents: 0,
  };
  const lineIn = (line: number | undefined) =>
    line === undefined ? undefined : line + firstLine - 1;
  let index = 0;
  for (const doc of readDocuments(text)) {
    index++;
    const document = documentsBefore + index;
    for (const error of doc.errors ?? []) {
      out.problems.push({
        severity: 'error',
        file,
        document,
        line: lineIn(error.line),
        path: [],
        message: error.message,
      });
    }
    const { value } = doc;
    if (value === null || value === undefined) continue; // an empty or unreadable document
    if (isList(value)) {
      value.items.forEach((item, i) => {
        decodeItem(out, doc, item, ['items', i], options, file, document, lineIn);
      });
    } else decodeItem(out, doc, value, [], options, file, document, lineIn, doc.measure);
  }
  out.documents = index;
  return out;
}

/** Decodes one object of a document (the document, or an item of its `List`) into `out`. */
function decodeItem(
  out: ParsedFile,
  doc: ReadDocument,
  item: unknown,
  prefix: Array<string | number>,
  options: DecodeOptions,
  file: string,
  document: number,
  lineIn: (line: number | undefined) => number | undefined,
  measure?: ValueMeasure,
): void {
  const result = decodeMeasured(item, measure, options);
  const line = lineIn(doc.lineOf(prefix));
  if (result.problems.length > 0) {
    const meta = isRecord(item) && isRecord(item.metadata) ? item.metadata : {};
    for (const problem of result.problems) {
      out.problems.push({
        severity: problem.severity,
        file,
        document,
        line: lineIn(doc.lineOf([...prefix, ...problem.path])) ?? line,
        apiVersion: isRecord(item) ? stringOr(item.apiVersion) : undefined,
        kind: isRecord(item) ? stringOr(item.kind) : undefined,
        namespace: stringOr(meta.namespace),
        name: stringOr(meta.name),
        path: problem.path,
        message: problem.message,
        ...(problem.pruned ? { pruned: problem.pruned } : {}),
      });
    }
  }
  const { decoded } = result;
  if (decoded) {
    out.resources.push({
      collection: decoded.collection,
      resource: decoded.resource,
      file,
      document,
      line,
    });
  }
}

const stringOr = (value: unknown) => (typeof value === 'string' ? value : undefined);
