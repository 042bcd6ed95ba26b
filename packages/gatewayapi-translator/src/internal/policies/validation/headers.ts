// Header names and values a policy's header mutation may set: names are HTTP tokens (RFC 9110
// section 5.1), values carry no line breaks and no surrounding whitespace (RFC 9110 section 5.5);
// Envoy Gateway rejects the policy otherwise.
import { list, type Obj } from './policyValues.js';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function headerProblem(field: string, name: unknown, value?: unknown): string | undefined {
  if (typeof name !== 'string' || !TOKEN.test(name))
    return `${field}: invalid header name "${String(name)}"`;
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || /[\r\n\0]/.test(value) || value.trim() !== value)
    return `${field}: invalid value for header ${name}`;
  return undefined;
}

/** Why a header mutation (`add`, `set`, `addIfAbsent`, `remove`) is invalid, or undefined. */
export function headerMutationProblem(
  field: string,
  mutation: Obj | undefined,
): string | undefined {
  if (!mutation) return undefined;
  for (const op of ['add', 'set', 'addIfAbsent'] as const) {
    for (const h of list(mutation[op])) {
      const problem = headerProblem(`${field}.${op}`, h.name, h.value ?? '');
      if (problem) return problem;
    }
  }
  const remove = Array.isArray(mutation.remove) ? mutation.remove : [];
  for (const name of remove) {
    const problem = headerProblem(`${field}.remove`, name);
    if (problem) return problem;
  }
  return undefined;
}
