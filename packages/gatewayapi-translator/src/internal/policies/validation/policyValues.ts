// Parsers for the value formats Envoy Gateway's policies use and validates at translation time:
// Go durations (`time.ParseDuration`, e.g. "1.5s", "300ms") and Kubernetes resource quantities
// (`resource.ParseQuantity`, e.g. "32Ki", "1M"), which Envoy Gateway reads as integers.
import { parseQuantity } from '@egts/api';

const GO_DURATION = /^[+-]?((\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/;
const SIMPLE_GO_DURATION = /^(\d+)(ms|s|m|h)$/;
const GO_PART = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;
const GO_UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

/** A Go duration in milliseconds, or undefined when `time.ParseDuration` would reject it. */
export function parseGoDuration(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  if (value === '0') return 0;
  // Most durations are one whole number and unit ("5s", "300ms"): one exec, no matchAll (policies
  // are validated, then built, each reading several durations).
  const simple = SIMPLE_GO_DURATION.exec(value);
  if (simple !== null) return Number(simple[1]) * (GO_UNIT_MS[simple[2] as string] as number);
  if (!GO_DURATION.test(value)) return undefined;
  let total = 0;
  for (const [, amount, unit] of value.matchAll(GO_PART)) {
    total += Number(amount) * (GO_UNIT_MS[unit ?? ''] ?? 0);
  }
  return value.startsWith('-') ? -total : total;
}

// Kubernetes quantities: @egts/api's parser (the infra-manager reads them too).
export { parseQuantity };

export const MAX_UINT32 = 4_294_967_295;

/**
 * Why a quantity is not a whole number of bytes in [min, max] (Envoy Gateway rejects "100m", which
 * is 0.1, and sizes Envoy's uint32 fields cannot hold), or undefined when it is fine.
 */
export function byteSizeProblem(
  field: string,
  value: unknown,
  min = 0,
  max = MAX_UINT32,
): string | undefined {
  const n = parseQuantity(value);
  if (n === undefined || !Number.isInteger(n)) return `${field}: invalid quantity ${String(value)}`;
  if (n < min || n > max) return `${field}: ${String(value)} is out of range [${min}, ${max}]`;
  return undefined;
}

/** Why a Go duration field is invalid, or undefined when absent or fine. */
export function durationProblem(field: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return parseGoDuration(value) === undefined
    ? `${field}: invalid duration ${String(value)}`
    : undefined;
}

export type Obj = Record<string, unknown>;

/** A nested object field, or undefined: policy specs are read defensively since the loader is lenient. */
export const obj = (value: unknown): Obj | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : undefined;

export const list = (value: unknown): Obj[] =>
  Array.isArray(value) ? value.map((v) => obj(v) ?? {}) : [];

/** A Warning condition a policy earns while still accepted (deprecated or ignored settings). */
export interface PolicyWarning {
  reason: string;
  message: string;
}
