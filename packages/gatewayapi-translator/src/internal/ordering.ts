// Gateway API's tie-breaking order for conflicts: oldest creationTimestamp first, then
// namespace/name alphabetically.

interface Meta {
  metadata: {
    name: string;
    namespace?: string | undefined;
    creationTimestamp?: string | undefined | null;
  };
}

export function compareByAgeThenName(a: Meta, b: Meta): number {
  const ta = a.metadata.creationTimestamp ? Date.parse(a.metadata.creationTimestamp) : Number.NaN;
  const tb = b.metadata.creationTimestamp ? Date.parse(b.metadata.creationTimestamp) : Number.NaN;
  if (!Number.isNaN(ta) && !Number.isNaN(tb) && ta !== tb) return ta - tb;
  if (!Number.isNaN(ta) && Number.isNaN(tb)) return -1;
  if (Number.isNaN(ta) && !Number.isNaN(tb)) return 1;
  const ka = `${a.metadata.namespace ?? ''}/${a.metadata.name}`;
  const kb = `${b.metadata.namespace ?? ''}/${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * `items` sorted by compareByAgeThenName of their metadata (stably), with each timestamp parsed
 * and each key built once instead of in every comparison.
 */
export function sortByAgeThenName<T>(items: readonly T[], meta: (item: T) => Meta): T[] {
  const keyed = items.map((item) => {
    const { metadata } = meta(item);
    return {
      item,
      time: metadata.creationTimestamp ? Date.parse(metadata.creationTimestamp) : Number.NaN,
      key: `${metadata.namespace ?? ''}/${metadata.name}`,
    };
  });
  keyed.sort((a, b) => {
    const ta = a.time;
    const tb = b.time;
    if (!Number.isNaN(ta) && !Number.isNaN(tb) && ta !== tb) return ta - tb;
    if (!Number.isNaN(ta) && Number.isNaN(tb)) return -1;
    if (Number.isNaN(ta) && !Number.isNaN(tb)) return 1;
    return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  });
  return keyed.map((k) => k.item);
}

/** Oldest first; ties keep their input order (Envoy Gateway sorts policies this way, stably). */
export function compareByAge(a: Meta, b: Meta): number {
  const ta = a.metadata.creationTimestamp ? Date.parse(a.metadata.creationTimestamp) : Number.NaN;
  const tb = b.metadata.creationTimestamp ? Date.parse(b.metadata.creationTimestamp) : Number.NaN;
  if (Number.isNaN(ta) || Number.isNaN(tb))
    return Number.isNaN(ta) === Number.isNaN(tb) ? 0 : Number.isNaN(ta) ? 1 : -1;
  return ta - tb;
}

/**
 * `items` sorted by compareByAge, as `[...items].sort(compareByAge)` sorts them, with each
 * timestamp parsed once instead of twice per comparison (thousands of policies in a cluster,
 * where every object has a creationTimestamp).
 */
export function sortByAge<T extends Meta>(items: readonly T[]): T[] {
  const keyed = items.map((item) => {
    const stamp = item.metadata.creationTimestamp;
    return { item, time: stamp ? Date.parse(stamp) : Number.NaN };
  });
  keyed.sort((a, b) => {
    const ta = a.time;
    const tb = b.time;
    if (Number.isNaN(ta) || Number.isNaN(tb))
      return Number.isNaN(ta) === Number.isNaN(tb) ? 0 : Number.isNaN(ta) ? 1 : -1;
    return ta - tb;
  });
  return keyed.map((k) => k.item);
}

/**
 * `items` sorted in place by `compare`, as Array#sort sorts them (stably). Array#sort allocates
 * its work arrays, close to 1 KiB, even for a list of two; the translator sorts small lists per
 * route (its conditions, a backend's endpoints) that are nearly always in order already, so a
 * list in order is left as it is.
 */
export function sortInPlace<T>(items: T[], compare: (a: T, b: T) => number): T[] {
  for (let i = 1; i < items.length; i++)
    if (compare(items[i - 1] as T, items[i] as T) > 0) return items.sort(compare);
  return items;
}
