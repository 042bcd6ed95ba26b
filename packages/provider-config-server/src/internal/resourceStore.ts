// The config server's state: every accepted resource with its resourceVersion, the validation and
// optimistic-concurrency rules of a write, and its persistence to one file, written atomically.
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import {
  bundleResources,
  decodeResource,
  type Problem,
  parseResourceFile,
  type Resource,
  type Resources,
  refuses,
  type SourcedResource,
} from '@egts/api';
import { loadState, saveState } from './stateFile.js';

/** Names one resource: kind, namespace (absent for cluster-scoped kinds), name. */
export interface ResourceKey {
  kind: string;
  namespace?: string | undefined;
  name: string;
}

interface Entry {
  collection: keyof Resources;
  resource: Resource;
}

export type WriteResult =
  | { ok: true; revision: string; items: Resource[] }
  | {
      ok: false;
      reason: 'Invalid' | 'Conflict' | 'NotFound';
      message: string;
      problems: Problem[];
    };

const keyOf = (key: ResourceKey): string => `${key.kind}/${key.namespace ?? ''}/${key.name}`;
const keyOfResource = (resource: Resource): string =>
  keyOf({
    kind: resource.kind,
    namespace: resource.metadata.namespace,
    name: resource.metadata.name,
  });
// An unknown field is reported but refuses nothing: its resource is stored pruned, as the API
// server stores it.
const hasError = (problems: ReadonlyArray<Pick<Problem, 'severity' | 'pruned'>>): boolean =>
  problems.some(refuses);

/** The content of a resource without the fields the store owns, to tell a no-op write. */
const content = (resource: Resource): unknown => {
  const { resourceVersion: _v, generation: _g, uid: _u, ...metadata } = resource.metadata;
  return { ...resource, metadata };
};

export class ResourceStore {
  readonly #file: string;
  readonly #onCommit: () => void;
  #entries: ReadonlyMap<string, Entry>;
  #revision: number;
  /** Writes run one at a time, each on the state the previous one left. */
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(
    file: string,
    entries: Map<string, Entry>,
    revision: number,
    onCommit: () => void,
  ) {
    this.#file = file;
    this.#onCommit = onCommit;
    this.#entries = entries;
    this.#revision = revision;
  }

  /**
   * Reads the state file (none yet = empty). Stored objects that no longer decode are problems.
   * `onCommit` runs after every write that changed the stored set.
   */
  static async open(
    file: string,
    onCommit: () => void = () => {},
  ): Promise<{ store: ResourceStore; problems: Problem[] }> {
    const state = await loadState(file);
    const entries = new Map<string, Entry>();
    const problems: Problem[] = [];
    state.items.forEach((item, index) => {
      const result = decodeResource(item);
      for (const problem of result.problems) {
        problems.push({ ...problem, file, document: index + 1 });
      }
      if (result.decoded && !hasError(result.problems)) {
        entries.set(keyOfResource(result.decoded.resource), result.decoded);
      }
    });
    return { store: new ResourceStore(file, entries, state.revision, onCommit), problems };
  }

  get revision(): string {
    return String(this.#revision);
  }

  get(key: ResourceKey): Resource | undefined {
    return this.#entries.get(keyOf(key))?.resource;
  }

  /** Stored resources, in a stable order (kind, namespace, name); filters are exact matches. */
  list(filter: { kind?: string | undefined; namespace?: string | undefined } = {}): Resource[] {
    return [...this.#entries.entries()]
      .filter(
        ([, { resource }]) =>
          (!filter.kind || resource.kind === filter.kind) &&
          (!filter.namespace || resource.metadata.namespace === filter.namespace),
      )
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, entry]) => entry.resource);
  }

  /** Everything stored, as one Resources bundle. */
  resources(): Resources {
    return bundleResources(
      [...this.#entries.values()].map((entry) => ({ ...entry, file: this.#file, document: 0 })),
    ).resources;
  }

  /**
   * Creates or replaces every resource in `text` (YAML documents, a List, or JSON), or, with
   * `replaceAll`, makes them the whole stored set. All or nothing: any error problem, or any
   * resource whose `metadata.resourceVersion` is set and is not the stored one, rejects the write.
   * `expect` narrows a single-resource write to the key its URL names.
   */
  apply(
    text: string,
    options: {
      source: string;
      replaceAll?: boolean;
      revision?: string | undefined;
      expect?: ResourceKey;
    },
  ): Promise<WriteResult> {
    return this.#serialized(async () => {
      const parsed = parseResourceFile(text, options.source);
      const bundled = bundleResources(parsed.resources);
      const problems = [...parsed.problems, ...bundled.problems];
      if (parsed.resources.length === 0 && !hasError(problems) && !options.replaceAll) {
        problems.push({
          severity: 'error',
          file: options.source,
          path: [],
          message: 'no resources in the request',
        });
      }
      if (options.expect) {
        const expected = keyOf(options.expect);
        for (const entry of parsed.resources) {
          if (keyOfResource(entry.resource) !== expected) problems.push(mismatch(entry, expected));
        }
        if (parsed.resources.length > 1) {
          problems.push({
            severity: 'error',
            file: options.source,
            path: [],
            message: 'a request for one resource must hold exactly one',
          });
        }
      }
      if (hasError(problems)) {
        return invalid(problems);
      }
      if (options.revision !== undefined && options.revision !== this.revision) {
        return conflict(
          `the store is at revision ${this.revision}, not ${options.revision}: read it again`,
          [],
        );
      }
      const conflicts = parsed.resources.flatMap((entry) => this.#staleVersion(entry));
      if (conflicts.length > 0) {
        return conflict('a resource changed since it was read: read it again', conflicts);
      }

      const next = options.replaceAll ? new Map<string, Entry>() : new Map(this.#entries);
      const revision = this.#revision + 1;
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      let changed = options.replaceAll === true && this.#entries.size !== parsed.resources.length;
      const items: Resource[] = [];
      for (const entry of parsed.resources) {
        const key = keyOfResource(entry.resource);
        const stored = this.#entries.get(key)?.resource;
        const resource = stamp(entry.resource, stored, String(revision), now);
        if (stored !== undefined && isDeepStrictEqual(content(stored), content(resource))) {
          next.set(key, { collection: entry.collection, resource: stored });
          items.push(stored);
          continue;
        }
        changed = true;
        next.set(key, { collection: entry.collection, resource });
        items.push(resource);
      }
      if (!changed && options.replaceAll) {
        for (const key of this.#entries.keys()) if (!next.has(key)) changed = true;
      }
      if (changed) await this.#commit(next, revision);
      return { ok: true, revision: this.revision, items };
    });
  }

  /** Deletes one resource; with `resourceVersion`, only if it is still that version. */
  delete(key: ResourceKey, resourceVersion?: string): Promise<WriteResult> {
    return this.#serialized(async () => {
      const id = keyOf(key);
      const stored = this.#entries.get(id)?.resource;
      if (stored === undefined) {
        return { ok: false, reason: 'NotFound', message: `${id} not found`, problems: [] };
      }
      if (resourceVersion !== undefined && resourceVersion !== stored.metadata.resourceVersion) {
        return conflict(
          `${id} is at resourceVersion ${stored.metadata.resourceVersion}, not ${resourceVersion}`,
          [],
        );
      }
      const next = new Map(this.#entries);
      next.delete(id);
      await this.#commit(next, this.#revision + 1);
      return { ok: true, revision: this.revision, items: [stored] };
    });
  }

  /** A stale-version problem when the incoming resource names a version that is not stored. */
  #staleVersion(entry: SourcedResource): Problem[] {
    const wanted = entry.resource.metadata.resourceVersion;
    if (wanted === undefined || wanted === '') return [];
    const stored = this.#entries.get(keyOfResource(entry.resource))?.resource;
    const actual = stored?.metadata.resourceVersion;
    if (actual === wanted) return [];
    return [
      {
        severity: 'error',
        file: entry.file,
        document: entry.document,
        line: entry.line,
        apiVersion: entry.resource.apiVersion,
        kind: entry.resource.kind,
        namespace: entry.resource.metadata.namespace,
        name: entry.resource.metadata.name,
        path: ['metadata', 'resourceVersion'],
        message:
          actual === undefined
            ? `resourceVersion ${wanted} given, but the resource does not exist`
            : `resourceVersion ${wanted} is stale: the stored one is ${actual}`,
      },
    ];
  }

  /** Persists the next state, then makes it current: a failed write changes nothing. */
  async #commit(next: Map<string, Entry>, revision: number): Promise<void> {
    const items = [...next.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, entry]) => entry.resource);
    await saveState(this.#file, { revision, items });
    this.#entries = next;
    this.#revision = revision;
    this.#onCommit();
  }

  #serialized<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

/** The resource as stored: its resourceVersion, a uid and creationTimestamp kept from creation. */
function stamp(
  resource: Resource,
  stored: Resource | undefined,
  resourceVersion: string,
  now: string,
): Resource {
  const specChanged =
    stored === undefined ||
    !isDeepStrictEqual((stored as { spec?: unknown }).spec, (resource as { spec?: unknown }).spec);
  const generation = (stored?.metadata.generation ?? 0) + (specChanged ? 1 : 0);
  return {
    ...resource,
    metadata: {
      ...resource.metadata,
      uid: stored?.metadata.uid ?? randomUUID(),
      creationTimestamp:
        stored?.metadata.creationTimestamp ?? resource.metadata.creationTimestamp ?? now,
      generation,
      resourceVersion,
    },
  } as Resource;
}

const invalid = (problems: Problem[]): WriteResult => ({
  ok: false,
  reason: 'Invalid',
  message: `the request has ${problems.filter((p) => p.severity === 'error').length} error(s); nothing was applied`,
  problems,
});

const conflict = (message: string, problems: Problem[]): WriteResult => ({
  ok: false,
  reason: 'Conflict',
  message,
  problems,
});

const mismatch = (entry: SourcedResource, expected: string): Problem => ({
  severity: 'error',
  file: entry.file,
  document: entry.document,
  line: entry.line,
  kind: entry.resource.kind,
  namespace: entry.resource.metadata.namespace,
  name: entry.resource.metadata.name,
  path: ['metadata', 'name'],
  message: `the request names ${expected}, the body ${keyOfResource(entry.resource)}`,
});
