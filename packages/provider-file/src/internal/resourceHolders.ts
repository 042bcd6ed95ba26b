// First come, first served across files: when a file starts declaring an object (kind,
// namespace, name) another file already declares, the file that had it keeps it and the newcomer
// is reported, whatever their names. Ordering by file name alone let a new "a.yaml" take a route
// over from an older "routes.yaml" (the older one was then the one reported as the duplicate).
import type { Problem, SourcedResource } from '@egts/api';

const keyOf = (entry: SourcedResource): string => {
  const { kind, metadata } = entry.resource;
  return `${kind}/${metadata.namespace ?? ''}/${metadata.name}`;
};

export class ResourceHolders {
  /** The file each object came from in the last snapshot. */
  #holders = new Map<string, string>();

  /**
   * Keeps one entry per object, the one from the file that held it before (else the first), and
   * reports the others; remembers the holders for the next call.
   */
  resolve(entries: readonly SourcedResource[]): {
    resources: SourcedResource[];
    problems: Problem[];
  } {
    const byKey = new Map<string, SourcedResource[]>();
    for (const entry of entries) {
      const key = keyOf(entry);
      const list = byKey.get(key);
      if (list === undefined) byKey.set(key, [entry]);
      else list.push(entry);
    }
    const winners = new Map<string, SourcedResource>();
    const holders = new Map<string, string>();
    for (const [key, list] of byKey) {
      const holder = this.#holders.get(key);
      const winner = list.find((entry) => entry.file === holder) ?? (list[0] as SourcedResource);
      winners.set(key, winner);
      holders.set(key, winner.file);
    }
    this.#holders = holders;
    const resources: SourcedResource[] = [];
    const problems: Problem[] = [];
    for (const entry of entries) {
      const winner = winners.get(keyOf(entry));
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
