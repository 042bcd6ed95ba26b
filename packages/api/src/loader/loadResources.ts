// Loads resources from text, a file, or a directory of files: multi-document YAML or JSON, and
// `List` objects. Returns every resource that is valid and every problem found, all at once.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { emptyResources, type Resource, type Resources } from '../resources.js';
import { type DecodeOptions, decodeResource } from './decodeResource.js';
import { isRecord } from './isRecord.js';
import type { Problem } from './problem.js';
import { isList, readDocuments } from './readDocuments.js';

export interface LoadResult {
  resources: Resources;
  problems: Problem[];
}

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

/** Parses one file's text: every document, and every item of a `List`. Never throws. */
export function parseResourceFile(
  text: string,
  file: string,
  options: DecodeOptions = {},
  cache?: DocumentCache,
): ParsedFile {
  const out: ParsedFile = { resources: [], problems: [] };
  const next = new Map<string, ParsedSegment>();
  let documents = 0;
  for (const { text: segment, firstLine } of splitDocuments(text)) {
    const parsed =
      next.get(segment) ?? cache?.segments.get(segment) ?? parseDocuments(segment, file, options);
    if (cache) next.set(segment, parsed);
    // Positions in the segment are relative to its first line and first document.
    const at = <T extends { document?: number | undefined; line?: number | undefined }>(x: T): T =>
      documents === 0 && firstLine === 1
        ? x
        : {
            ...x,
            document: x.document === undefined ? undefined : x.document + documents,
            line: x.line === undefined ? undefined : x.line + firstLine - 1,
          };
    for (const resource of parsed.resources) out.resources.push(at(resource));
    for (const problem of parsed.problems) out.problems.push(at(problem));
    documents += parsed.documents;
  }
  if (cache) cache.segments = next;
  return out;
}

/** A parsed stretch of documents, with how many documents (empty ones too) it holds. */
interface ParsedSegment extends ParsedFile {
  documents: number;
}

/**
 * The text cut before every document start marker (`---` at the start of a line), with the line
 * each piece starts on. YAML 1.2 forbids that marker inside a document's content (c-forbidden),
 * block scalars included, so each piece parses as it would in the whole. The whole text, for text
 * with directives (`%YAML`, `%TAG`): they belong to the document after them.
 */
export function splitDocuments(text: string): Array<{ text: string; firstLine: number }> {
  if (/^%/m.test(text)) return [{ text, firstLine: 1 }];
  const pieces: Array<{ text: string; firstLine: number }> = [];
  const marker = /^---(?=[ \t\r\n]|$)/gm;
  let start = 0;
  let firstLine = 1;
  for (let match = marker.exec(text); match !== null; match = marker.exec(text)) {
    if (match.index === start) continue;
    const piece = text.slice(start, match.index);
    pieces.push({ text: piece, firstLine });
    firstLine += countLines(piece);
    start = match.index;
  }
  pieces.push({ text: text.slice(start), firstLine });
  return pieces;
}

const countLines = (text: string): number => {
  let lines = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++;
  return lines;
};

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

/**
 * Puts parsed resources into one bundle. The same object (kind, namespace, name) twice is an
 * error: the first one read is kept and the duplicate is reported. Extension objects are sorted
 * (extensionResourceOrder): the extension server sees the same input for the same objects,
 * whatever order a provider read them in (a Kubernetes provider gets its kinds in the order API
 * discovery answers).
 */
export function bundleResources(parsed: readonly SourcedResource[]): LoadResult {
  const resources = emptyResources();
  const problems: Problem[] = [];
  const seen = new Map<string, SourcedResource>();
  for (const entry of parsed) {
    const { metadata, kind, apiVersion } = entry.resource;
    const key = `${kind}/${metadata.namespace ?? ''}/${metadata.name}`;
    const first = seen.get(key);
    if (first) {
      problems.push({
        severity: 'error',
        file: entry.file,
        document: entry.document,
        line: entry.line,
        apiVersion,
        kind,
        namespace: metadata.namespace,
        name: metadata.name,
        path: ['metadata', 'name'],
        message: `duplicate of the ${kind} in ${first.file} (document ${first.document}); this one is ignored`,
      });
      continue;
    }
    seen.set(key, entry);
    // extensionResources exists only once an extension's object is read.
    resources[entry.collection] ??= [];
    (resources[entry.collection] as Resource[]).push(entry.resource);
  }
  resources.extensionResources?.sort(extensionResourceOrder);
  return { resources, problems };
}

const groupOf = (apiVersion: string) =>
  apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
const extensionResourceKey = (r: Resource) => [
  groupOf(r.apiVersion),
  r.kind,
  r.metadata.namespace ?? '',
  r.metadata.name,
  r.apiVersion,
];

/**
 * The order of extension objects: by group, kind, namespace, name (then version), compared as
 * code units, so it does not depend on the locale.
 */
export function extensionResourceOrder(a: Resource, b: Resource): number {
  const ka = extensionResourceKey(a);
  const kb = extensionResourceKey(b);
  for (let i = 0; i < ka.length; i++) {
    const x = ka[i] ?? '';
    const y = kb[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Loads resources from text (a file's content, or stdin). */
export function loadResourcesFromText(
  text: string,
  file = '<stdin>',
  options: DecodeOptions = {},
): LoadResult {
  const parsed = parseResourceFile(text, file, options);
  const bundled = bundleResources(parsed.resources);
  return { resources: bundled.resources, problems: [...parsed.problems, ...bundled.problems] };
}

const resourceFile = /\.(ya?ml|json)$/i;

/** The files a path names: itself, or every YAML/JSON file under a directory, in a stable order. */
export async function resourceFiles(path: string): Promise<string[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.startsWith('.')) continue;
    const child = join(path, entry.name);
    if (entry.isDirectory()) files.push(...(await resourceFiles(child)));
    else if (resourceFile.test(entry.name)) files.push(child);
  }
  return files;
}

/** Loads resources from a file or a directory (recursively). A path that cannot be read is a problem. */
export async function loadResourcesFromPath(
  path: string,
  options: DecodeOptions = {},
): Promise<LoadResult> {
  const parsed: SourcedResource[] = [];
  const problems: Problem[] = [];
  let files: string[];
  try {
    files = await resourceFiles(path);
  } catch (error) {
    return { resources: emptyResources(), problems: [readProblem(path, error)] };
  }
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      problems.push(readProblem(file, error));
      continue;
    }
    const result = parseResourceFile(text, file, options);
    parsed.push(...result.resources);
    problems.push(...result.problems);
  }
  const bundled = bundleResources(parsed);
  return { resources: bundled.resources, problems: [...problems, ...bundled.problems] };
}

function readProblem(file: string, error: unknown): Problem {
  const message = error instanceof Error ? error.message : String(error);
  return { severity: 'error', file, path: [], message: `cannot read: ${message}` };
}
