// Deep equality of plain data (input resources as providers decode them, statuses, IR: literal
// objects and arrays, primitives; no symbol keys, array holes or extra array properties), for
// the comparisons the incremental paths make on every change. node's isDeepStrictEqual also
// compares prototypes, symbol keys and property descriptors: profiled on the large shape, that
// bookkeeping cost more than the values compared (~0.25 ms of a 1.2 ms one-route change). Any
// other object (a Date, a Map) is left to isDeepStrictEqual.
import { isDeepStrictEqual } from 'node:util';

const omit = (x: object, except: ReadonlySet<string> | undefined) =>
  except === undefined
    ? x
    : Object.fromEntries(Object.entries(x).filter(([key]) => !except.has(key)));

/**
 * Whether `a` and `b` hold the same data, leaving out the keys in `except` of `a` and `b`
 * themselves (not of what they hold).
 */
export function sameJson(a: unknown, b: unknown, except?: ReadonlySet<string>): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return Object.is(a, b);
  }
  const proto = Object.getPrototypeOf(a);
  if (proto !== Object.getPrototypeOf(b)) return false;
  if (proto === Array.prototype && except === undefined) {
    const x = a as unknown[];
    const y = b as unknown[];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!sameJson(x[i], y[i])) return false;
    return true;
  }
  if (proto !== Object.prototype) return isDeepStrictEqual(omit(a, except), omit(b, except));
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  let count = keys.length;
  for (const key of keys) {
    if (except?.has(key) === true) {
      count--;
      continue;
    }
    if (!Object.hasOwn(y, key) || !sameJson(x[key], y[key])) return false;
  }
  const other = Object.keys(y);
  if (except === undefined) return count === other.length;
  for (const key of other) if (except.has(key)) count++;
  return count === other.length;
}
