// One file's resources and problems, decoded a piece of documents at a time: from its whole text
// (parseResourceFile), or as it is read (ResourceFileParser, for streamResourceFile.ts).
import type { Resource, Resources } from '../resources.js';
import { type DecodeOptions, decodeResource } from './decodeResource.js';
import { splitDocuments, type TextPiece } from './documentSplitter.js';
import { isRecord } from './isRecord.js';
import type { Problem } from './problem.js';
import { isList, readDocuments } from './readDocuments.js';

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
 * The decoded documents of a file's last reading, by their text, for `parseResourceFile` to decode
 * again only the documents that changed: one route edited in a file of 1,000 otherwise decodes all
 * 1,000 (about 170 ms). Holds the documents of the last text given only.
 */
export interface DocumentCache {
  /** @internal */
  segments: Map<string, ParsedSegment>;
}

export const createDocumentCache = (): DocumentCache => ({ segments: new Map() });

/** A parsed stretch of documents, with how many documents (empty ones too) it holds. */
interface ParsedSegment extends ParsedFile {
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
 */
export class ResourceFileParser {
  readonly #out: ParsedFile = { resources: [], problems: [] };
  readonly #next = new Map<string, ParsedSegment>();
  #documents = 0;
  readonly #file: string;
  readonly #options: DecodeOptions;
  readonly #cache: DocumentCache | undefined;

  constructor(file: string, options: DecodeOptions = {}, cache?: DocumentCache) {
    this.#file = file;
    this.#options = options;
    this.#cache = cache;
  }

  add({ text: segment, firstLine }: TextPiece): void {
    const parsed =
      this.#next.get(segment) ??
      this.#cache?.segments.get(segment) ??
      parseDocuments(segment, this.#file, this.#options);
    if (this.#cache) this.#next.set(segment, parsed);
    const documents = this.#documents;
    // Positions in the segment are relative to its first line and first document.
    const at = <T extends { document?: number | undefined; line?: number | undefined }>(x: T): T =>
      documents === 0 && firstLine === 1
        ? x
        : {
            ...x,
            document: x.document === undefined ? undefined : x.document + documents,
            line: x.line === undefined ? undefined : x.line + firstLine - 1,
          };
    for (const resource of parsed.resources) this.#out.resources.push(at(resource));
    for (const problem of parsed.problems) this.#out.problems.push(at(problem));
    this.#documents += parsed.documents;
  }

  finish(): ParsedFile {
    if (this.#cache) this.#cache.segments = this.#next;
    return this.#out;
  }
}

function parseDocuments(text: string, file: string, options: DecodeOptions): ParsedSegment {
  const out: ParsedSegment = { resources: [], problems: [], documents: 0 };
  let document = 0;
  for (const doc of readDocuments(text)) {
    document++;
    for (const error of doc.errors ?? []) {
      out.problems.push({
        severity: 'error',
        file,
        document,
        line: error.line,
        path: [],
        message: error.message,
      });
    }
    const { value } = doc;
    if (value === null || value === undefined) continue; // an empty or unreadable document
    const items = isList(value)
      ? value.items.map((item, i) => ({ item, prefix: ['items', i] as Array<string | number> }))
      : [{ item: value, prefix: [] as Array<string | number> }];
    for (const { item, prefix } of items) {
      const result = decodeResource(item, options);
      const meta = isRecord(item) && isRecord(item.metadata) ? item.metadata : {};
      const itemLine = doc.lineOf(prefix);
      for (const problem of result.problems) {
        out.problems.push({
          severity: problem.severity,
          file,
          document,
          line: doc.lineOf([...prefix, ...problem.path]) ?? itemLine,
          apiVersion: isRecord(item) ? stringOr(item.apiVersion) : undefined,
          kind: isRecord(item) ? stringOr(item.kind) : undefined,
          namespace: stringOr(meta.namespace),
          name: stringOr(meta.name),
          path: problem.path,
          message: problem.message,
          ...(problem.pruned ? { pruned: problem.pruned } : {}),
        });
      }
      if (result.decoded) out.resources.push({ ...result.decoded, file, document, line: itemLine });
    }
  }
  out.documents = document;
  return out;
}

const stringOr = (value: unknown) => (typeof value === 'string' ? value : undefined);
