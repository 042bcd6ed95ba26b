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

/** Oldest first; ties keep their input order (Envoy Gateway sorts policies this way, stably). */
export function compareByAge(a: Meta, b: Meta): number {
  const ta = a.metadata.creationTimestamp ? Date.parse(a.metadata.creationTimestamp) : Number.NaN;
  const tb = b.metadata.creationTimestamp ? Date.parse(b.metadata.creationTimestamp) : Number.NaN;
  if (Number.isNaN(ta) || Number.isNaN(tb))
    return Number.isNaN(ta) === Number.isNaN(tb) ? 0 : Number.isNaN(ta) ? 1 : -1;
  return ta - tb;
}
