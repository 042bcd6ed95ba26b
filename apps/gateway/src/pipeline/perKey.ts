// Splits a stream of keyed lists into per-key changes: a key's item is passed on only when it
// differs from the one before (deep equality unless told otherwise), and a key that disappears is reported once.
// This is DESIGN.md's "keyed by Gateway, distinctUntilChanged": an unchanged Gateway costs nothing.
import { isDeepStrictEqual } from 'node:util';
import { from, mergeMap, type Observable, type OperatorFunction } from 'rxjs';

export type KeyedChange<T> = { key: string; item: T } | { key: string; removed: true };

export function perKey<T>(
  keyOf: (item: T) => string,
  equal: (before: T, after: T) => boolean = isDeepStrictEqual,
): OperatorFunction<readonly T[], KeyedChange<T>> {
  return (source: Observable<readonly T[]>) => {
    let previous = new Map<string, T>();
    return source.pipe(
      mergeMap((items) => {
        const next = new Map(items.map((item) => [keyOf(item), item]));
        const changes: KeyedChange<T>[] = [];
        for (const [key, item] of next) {
          const before = previous.get(key);
          if (before === undefined || !equal(before, item)) changes.push({ key, item });
        }
        for (const key of previous.keys()) {
          if (!next.has(key)) changes.push({ key, removed: true });
        }
        previous = next;
        return from(changes);
      }),
    );
  };
}
