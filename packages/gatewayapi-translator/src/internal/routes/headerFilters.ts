// Request/ResponseHeaderModifier filters: header names must be RFC 7230 tokens, values single
// line, pseudo-headers and Host untouched (Envoy refuses to modify them).
import type { HeaderValue } from '@egts/ir';
import { invalidRule, type RouteStatusError } from '../status/statusError.js';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const PROTECTED = new Set(['host', ':authority']);

interface HeaderModifierSpec {
  add?: readonly { name: string; value: string }[] | null | undefined;
  set?: readonly { name: string; value: string }[] | null | undefined;
  remove?: readonly string[] | null | undefined;
}

export interface HeaderChanges {
  add: HeaderValue[];
  remove: string[];
}

function checkName(name: string): string | undefined {
  if (name === '') return 'header name must not be empty';
  if (!TOKEN.test(name)) return `header name ${JSON.stringify(name)} is not a valid HTTP token`;
  if (PROTECTED.has(name.toLowerCase())) return `header ${name} cannot be modified`;
  return undefined;
}

function checkValue(name: string, value: string): string | undefined {
  if (value === '') return `header ${name} must have a value`;
  if (/[\r\n\0]/.test(value)) return `header ${name} value must be a single line`;
  return undefined;
}

/** Apply one header modifier to `into`; returns an error when it is invalid. */
export function applyHeaderModifier(
  spec: HeaderModifierSpec | undefined,
  into: HeaderChanges,
): RouteStatusError | undefined {
  if (!spec) return invalidRule('UnsupportedValue', 'Header modifier filter has no configuration.');
  const entries: [{ name: string; value: string }, boolean][] = [
    ...(spec.add ?? []).map((h) => [h, true] as [{ name: string; value: string }, boolean]),
    ...(spec.set ?? []).map((h) => [h, false] as [{ name: string; value: string }, boolean]),
  ];
  const added = new Set<string>();
  for (const [h, append] of entries) {
    const problem = checkName(h.name) ?? checkValue(h.name, h.value ?? '');
    if (problem) return invalidRule('UnsupportedValue', `Invalid header modifier: ${problem}.`);
    const name = h.name.toLowerCase();
    // A header both added and set is added only, as Envoy Gateway has it (one entry per name).
    if (!append && added.has(name)) continue;
    if (append) added.add(name);
    into.add.push({ name, value: h.value, append });
  }
  for (const name of spec.remove ?? []) {
    const problem = checkName(name);
    if (problem) return invalidRule('UnsupportedValue', `Invalid header modifier: ${problem}.`);
    if (!into.remove.includes(name.toLowerCase())) into.remove.push(name.toLowerCase());
  }
  return undefined;
}
