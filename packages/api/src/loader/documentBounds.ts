// What one document may cost, checked before any work is done on it: its size, how deep it nests
// and how many values it holds, so that no input can hold the event loop for long (a document
// nested 100,000 deep, a YAML alias bomb). Each list's own bound (16 hostnames, 64 listeners...)
// is the CRD's, checked by the kind's schema: within these bounds that check is cheap.

/** The API server refuses a request body over 3 MiB (its MaxRequestBodyBytes), so does the loader. */
export const MAX_DOCUMENT_BYTES = 3 * 1024 * 1024;

/**
 * Nesting of lists and maps. No field of the kinds egts reads nests near it (the deepest CRD paths
 * are about 20); it leaves room for free-form values such as patches. js-yaml's default, too.
 */
export const MAX_DEPTH = 100;

/** Values (maps, lists and scalars) in one document, YAML aliases counted as many times as used. */
export const MAX_VALUES = 200_000;

/** Lists and maps reached again through a YAML alias: the YAML library's maxAliasCount. */
export const MAX_ALIAS_EXPANSIONS = 100;

/** A document's cost problem: where (a field path) and what. */
export interface BoundProblem {
  path: Array<string | number>;
  message: string;
}

export interface ValueMeasure {
  problem?: BoundProblem | undefined;
  /** Keys of every map, counted once per map: a JSON text's key count must match it. */
  keys: number;
  /** Whether any field or item is null. */
  nulls: boolean;
}

/**
 * Walks a parsed value once, depth first, and stops at the first bound broken. Recursion is
 * bounded: no map or list is entered past MAX_DEPTH. The path of a problem is built only when
 * there is one, on the way back up.
 */
export function measureValue(value: unknown): ValueMeasure {
  const out: ValueMeasure = { keys: 0, nulls: false };
  const seen = new Set<object>();
  let values = 0;
  let aliases = 0;
  /** A broken bound's message, its path in `out.problem.path` (built on the way back up). */
  const visit = (current: unknown, depth: number): string | undefined => {
    if (++values > MAX_VALUES) return `more than ${MAX_VALUES} values in one document`;
    if (current === null) out.nulls = true;
    if (typeof current !== 'object' || current === null) return undefined;
    if (depth >= MAX_DEPTH) return `nested deeper than ${MAX_DEPTH} levels`;
    if (seen.has(current) && ++aliases > MAX_ALIAS_EXPANSIONS) {
      return `more than ${MAX_ALIAS_EXPANSIONS} YAML alias expansions`;
    }
    seen.add(current);
    if (Array.isArray(current)) {
      for (let i = 0; i < current.length; i++) {
        const failed = visit(current[i], depth + 1);
        if (failed !== undefined) return at(i, failed);
      }
      return undefined;
    }
    const keys = Object.keys(current);
    out.keys += keys.length;
    for (const key of keys) {
      const failed = visit((current as Record<string, unknown>)[key], depth + 1);
      if (failed !== undefined) return at(key, failed);
    }
    return undefined;
  };
  const path: Array<string | number> = [];
  const at = (key: string | number, message: string) => {
    path.unshift(key);
    return message;
  };
  const message = visit(value, 0);
  if (message !== undefined) out.problem = { path, message };
  return out;
}

export interface JsonShape {
  /** Deepest nesting of `[` and `{`. */
  depth: number;
  /** Keys: the colons outside strings. */
  keys: number;
}

/**
 * The nesting and key count of a JSON text, by one pass over its characters (exact for valid
 * JSON). Read before JSON.parse, which is slow on deep nesting and keeps the last of duplicate
 * keys where YAML refuses them.
 */
export function jsonShape(text: string): JsonShape {
  let depth = 0;
  let deepest = 0;
  let keys = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < length; i++) {
        const s = text.charCodeAt(i);
        if (s === 0x5c /* \ */) i++;
        else if (s === 0x22) break;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > deepest) deepest = depth;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
    else if (c === 0x3a /* : */) keys++;
  }
  return { depth: deepest, keys };
}
