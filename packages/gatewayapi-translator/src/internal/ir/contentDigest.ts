// Content comparison of IR parts built by different code paths: JSON with sorted keys (the order
// fields were set in does not count) and a short digest of it.
import { createHash } from 'node:crypto';

/** JSON with sorted keys: equal content, equal text, whatever order fields were set in. */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
};

/** A short digest of a text (the canonical JSON of an IR part). */
export const contentDigest = (text: string): string =>
  createHash('sha1').update(text).digest('base64');
