// Loads resources from text, a file, or a directory of files: multi-document YAML or JSON, and
// `List` objects. Returns every resource that is valid and every problem found, all at once.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import pMap from 'p-map';
import { emptyResources, type Resource, type Resources } from '../resources.js';
import type { DecodeOptions } from './decodeResource.js';
import { type ParsedFile, parseResourceFile, type SourcedResource } from './parseResourceFile.js';
import type { Problem } from './problem.js';
import { readResourceFile } from './streamResourceFile.js';

export interface LoadResult {
  resources: Resources;
  problems: Problem[];
}

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

/**
 * Files read at once from a directory: enough to keep the disk (libuv's four file-system threads)
 * busy while the main thread decodes what came in, few enough that file descriptors and buffers
 * stay bounded whatever the directory holds.
 */
export const READ_CONCURRENCY = 8;

/**
 * Loads resources from a file or a directory (recursively), each file streamed from disk and
 * decoded as it arrives. A path that cannot be read is a problem.
 */
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
  // Files read side by side, each decoded as it streams in, their results kept in file order.
  const results = await pMap(
    files,
    (file): Promise<ParsedFile> =>
      readResourceFile(file, options).catch((error: unknown) => ({
        resources: [],
        problems: [readProblem(file, error)],
      })),
    { concurrency: READ_CONCURRENCY },
  );
  for (const result of results) {
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
