// A field of a patched document the message does not have. Envoy Gateway's protojson refuses
// unknown fields; ts-proto's fromJSON drops them silently, so a misspelt field would patch nothing
// and still be reported Programmed. Found by the round trip: a key with a value in the patched
// document (both sides' keys in lowerCamelCase) that the re-encoded message lacks. Scalars equal
// to a proto3 default (0, false, "", an enum's first value written in capitals) are not encoded
// and not reported.
import { isRecord } from '@egts/api';

const camel = (key: string): string =>
  key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

const mayBeDefault = (value: unknown): boolean =>
  value === null ||
  value === 0 ||
  value === false ||
  value === '' ||
  (Array.isArray(value) && value.length === 0) ||
  (typeof value === 'string' && /^[A-Z][A-Z0-9_]*$/.test(value));

const byCamelKey = (value: Record<string, unknown>): Map<string, unknown> =>
  new Map(Object.entries(value).map(([k, v]) => [camel(k), v]));

/** The path of the first field of `patched` missing from `encoded`, or undefined. */
export function unknownField(patched: unknown, encoded: unknown, path = ''): string | undefined {
  if (Array.isArray(patched)) {
    if (!Array.isArray(encoded)) return undefined;
    for (const [i, item] of patched.entries()) {
      const found = unknownField(item, encoded[i], `${path}/${i}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (!isRecord(patched) || !isRecord(encoded)) return undefined;
  const have = byCamelKey(encoded);
  for (const [key, value] of Object.entries(patched)) {
    const other = have.get(camel(key));
    if (other === undefined) {
      if (!mayBeDefault(value)) return `${path}/${key}`;
      continue;
    }
    const found = unknownField(value, other, `${path}/${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}
