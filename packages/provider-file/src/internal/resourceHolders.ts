// First come, first served across files: when a file starts declaring an object (kind,
// namespace, name) another file already declares, the file that had it keeps it and the newcomer
// is reported, whatever their names. Ordering by file name alone let a new "a.yaml" take a route
// over from an older "routes.yaml" (the older one was then the one reported as the duplicate).
import type { Problem, Resource, SourcedResource } from '@egts/api';

export class ResourceHolders {
  /** The entry kept for each object in the last snapshot (its file holds the object). */
  #winners = new Map<string, SourcedResource>();
  /**
   * Each object's key, by decoded resource: an edited file gives new entry objects for the
   * documents that moved (their positions shift), but the unchanged documents' resources are the
   * objects decoded before, so a one-route edit in a file of 1,000 builds one key, not 1,000.
   */
  readonly #keys = new WeakMap<Resource, string>();

  #keyOf(entry: SourcedResource): string {
    let key = this.#keys.get(entry.resource);
    if (key === undefined) {
      const { kind, metadata } = entry.resource;
      key = `${kind}/${metadata.namespace ?? ''}/${metadata.name}`;
      this.#keys.set(entry.resource, key);
    }
    return key;
  }

  /**
   * Keeps one entry per object, the first from the file that held it before (else the first),
   * and reports the others; remembers the holders for the next call.
   */
  resolve(entries: readonly SourcedResource[]): {
    resources: SourcedResource[];
    problems: Problem[];
  } {
    const winners = new Map<string, SourcedResource>();
    for (const entry of entries) {
      const key = this.#keyOf(entry);
      const current = winners.get(key);
      const holder = this.#winners.get(key)?.file;
      if (current === undefined || (current.file !== holder && entry.file === holder))
        winners.set(key, entry);
    }
    this.#winners = winners;
    // No object declared twice (the usual case): every entry is kept, and a second pass over
    // 1,000 routes on every scan would find nothing to report.
    if (winners.size === entries.length) return { resources: [...entries], problems: [] };
    const resources: SourcedResource[] = [];
    const problems: Problem[] = [];
    for (const entry of entries) {
      const winner = winners.get(this.#keyOf(entry));
      if (winner === entry) {
        resources.push(entry);
        continue;
      }
      const { apiVersion, kind, metadata } = entry.resource;
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
        message: `duplicate of the ${kind} in ${winner?.file} (document ${winner?.document}), which had it first; this one is ignored`,
      });
    }
    return { resources, problems };
  }
}
