// Structural sharing between two translations: every part of `next` deep-equal to the matching
// part of `previous` (array elements matched by `name` when they have one, else by position) is
// replaced by the previous object. An unchanged IR comes back as the previous object itself, and
// a changed one keeps the objects of its unchanged routes, which the xds-translator memoizes on.
export function shareUnchanged<T>(previous: unknown, next: T): T {
  if (previous === next || previous === undefined) return next;
  if (
    next === null ||
    typeof next !== 'object' ||
    previous === null ||
    typeof previous !== 'object'
  ) {
    return (Object.is(previous, next) ? previous : next) as T;
  }
  if (Array.isArray(next)) {
    if (!Array.isArray(previous)) return next;
    const named = new Map<string, unknown>();
    for (const p of previous) {
      const name = (p as { name?: unknown } | null)?.name;
      if (typeof name === 'string') named.set(name, p);
    }
    let same = previous.length === next.length;
    const out = next.map((n: unknown, i) => {
      const name = (n as { name?: unknown } | null)?.name;
      const shared = shareUnchanged(typeof name === 'string' ? named.get(name) : previous[i], n);
      if (shared !== previous[i]) same = false;
      return shared;
    });
    return (same ? previous : out) as T;
  }
  if (Array.isArray(previous)) return next;
  const before = previous as Record<string, unknown>;
  const keys = Object.keys(next);
  let same = keys.length === Object.keys(before).length;
  const values = keys.map((key) => {
    const shared = shareUnchanged(before[key], (next as Record<string, unknown>)[key]);
    if (shared !== before[key] || !(key in before)) same = false;
    return shared;
  });
  if (same) return previous as T;
  const out: Record<string, unknown> = {};
  keys.forEach((key, i) => {
    out[key] = values[i];
  });
  return out as T;
}
