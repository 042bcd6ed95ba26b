// Kubernetes label selectors (matchLabels and matchExpressions) against a label map.
import type { LabelSelector } from './types.js';

export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[k] !== v) return false;
  }
  for (const expr of selector.matchExpressions ?? []) {
    const value = labels[expr.key];
    const values = expr.values ?? [];
    switch (expr.operator) {
      case 'In':
        if (value === undefined || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (value !== undefined && values.includes(value)) return false;
        break;
      case 'Exists':
        if (value === undefined) return false;
        break;
      case 'DoesNotExist':
        if (value !== undefined) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

// Kubernetes label syntax (apimachinery validation: IsQualifiedName, IsValidLabelValue).
const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function keyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))
    return `key ${JSON.stringify(key)}: prefix must be a DNS subdomain`;
  if (name.length > 63 || !NAME.test(name))
    return `key ${JSON.stringify(key)}: name must be 63 characters or less, alphanumeric, '-', '_' or '.', starting and ending alphanumeric`;
  return undefined;
}

function valueProblem(value: string): string | undefined {
  if (value === '' || (value.length <= 63 && NAME.test(value))) return undefined;
  return `value ${JSON.stringify(value)} must be 63 characters or less, alphanumeric, '-', '_' or '.', starting and ending alphanumeric`;
}

/**
 * Why a selector cannot be parsed, as Kubernetes' LabelSelectorAsSelector refuses it (a bad key or
 * value, an unknown operator, In/NotIn without values, Exists/DoesNotExist with values), or
 * undefined when it is valid.
 */
export function labelSelectorProblem(selector: LabelSelector): string | undefined {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    const problem = keyProblem(key) ?? valueProblem(value);
    if (problem) return `matchLabels ${problem}`;
  }
  for (const expr of selector.matchExpressions ?? []) {
    const values = expr.values ?? [];
    const problem =
      keyProblem(expr.key) ??
      ((expr.operator as string) === 'In' || (expr.operator as string) === 'NotIn'
        ? values.length === 0
          ? `operator ${expr.operator} needs at least one value`
          : values.map(valueProblem).find((p) => p !== undefined)
        : (expr.operator as string) === 'Exists' || (expr.operator as string) === 'DoesNotExist'
          ? values.length > 0
            ? `operator ${expr.operator} takes no values`
            : undefined
          : `${JSON.stringify(expr.operator)} is not a valid label selector operator`);
    if (problem) return `matchExpressions ${problem}`;
  }
  return undefined;
}
