// Settings of a BackendTrafficPolicy that Envoy Gateway rejects while translating it (its
// backendtrafficpolicy.go): the policy then gets Accepted False, reason Invalid, on every ancestor.
import type { TranslatorContext } from '../../context/translatorContext.js';
import { re2Error } from '../../routes/re2.js';
import type { PolicyScope } from '../policyScope.js';
import { responseBodyProblem } from './localRefs.js';
import type { PolicyRef } from './policyBackendRefs.js';
import {
  byteSizeProblem,
  durationProblem,
  list,
  MAX_UINT32,
  type Obj,
  obj,
  parseGoDuration,
  parseQuantity,
} from './policyValues.js';

const CIRCUIT_BREAKER_FIELDS = [
  'maxConnections',
  'maxPendingRequests',
  'maxParallelRequests',
  'maxParallelRetries',
  'maxRequestsPerConnection',
] as const;

/** Envoy's circuit breaker thresholds are uint32. */
function circuitBreakerProblem(cb: Obj | undefined): string | undefined {
  if (!cb) return undefined;
  const fields = [
    ...CIRCUIT_BREAKER_FIELDS.map((f) => [f, cb[f]] as const),
    ['perEndpoint.maxConnections', obj(cb.perEndpoint)?.maxConnections] as const,
  ];
  for (const [field, value] of fields) {
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_UINT32)
      return `circuitBreaker.${field}: ${String(value)} is not a uint32`;
  }
  return undefined;
}

/** Envoy requires a positive backoff base interval and a max interval no smaller than it. */
function retryProblem(retry: Obj | undefined): string | undefined {
  const perRetry = obj(retry?.perRetry);
  const backoff = obj(perRetry?.backOff);
  const problem =
    durationProblem('retry.perRetry.timeout', perRetry?.timeout) ??
    durationProblem('retry.perRetry.backOff.baseInterval', backoff?.baseInterval) ??
    durationProblem('retry.perRetry.backOff.maxInterval', backoff?.maxInterval);
  if (problem) return problem;
  const base = parseGoDuration(backoff?.baseInterval);
  const max = parseGoDuration(backoff?.maxInterval);
  if (base !== undefined && base <= 0) return 'retry.perRetry.backOff.baseInterval must be > 0';
  if (base !== undefined && max !== undefined && max < base)
    return 'retry.perRetry.backOff.maxInterval must not be less than baseInterval';
  return undefined;
}

function timeoutProblem(timeout: Obj | undefined): string | undefined {
  const tcp = obj(timeout?.tcp);
  const http = obj(timeout?.http);
  return (
    durationProblem('timeout.tcp.connectTimeout', tcp?.connectTimeout) ??
    durationProblem('timeout.http.connectionIdleTimeout', http?.connectionIdleTimeout) ??
    durationProblem('timeout.http.maxConnectionDuration', http?.maxConnectionDuration) ??
    durationProblem('timeout.http.requestTimeout', http?.requestTimeout) ??
    durationProblem('timeout.http.maxStreamDuration', http?.maxStreamDuration)
  );
}

/**
 * Rate limit client selectors: header and path regexes must be RE2 (within Envoy's size limit), a Distinct header match cannot be
 * inverted, and local rate limiting allows one rule without selectors (the route-wide limit).
 */
function rateLimitProblem(rateLimit: Obj | undefined): string | undefined {
  if (!rateLimit) return undefined;
  for (const type of ['global', 'local'] as const) {
    const rules = list(obj(rateLimit[type])?.rules);
    for (const rule of rules) {
      for (const selector of list(rule.clientSelectors)) {
        const path = obj(selector.path);
        if (path?.type === 'RegularExpression') {
          const error = typeof path.value === 'string' ? re2Error(path.value) : 'value is required';
          if (error) return `rateLimit: path ${String(path.value)} is an invalid regex: ${error}`;
        }
        for (const header of list(selector.headers)) {
          if (header.type === 'Distinct' && header.invert === true)
            return `rateLimit: header ${String(header.name)} cannot be both Distinct and inverted`;
          if (header.type === 'RegularExpression') {
            const error =
              typeof header.value === 'string' ? re2Error(header.value) : 'value is required';
            if (error)
              return `rateLimit: header ${String(header.name)} has an invalid regex: ${error}`;
          }
        }
      }
    }
    if (type === 'local' && rules.filter((r) => list(r.clientSelectors).length === 0).length > 1)
      return 'rateLimit.local: only one rule may omit clientSelectors';
  }
  return undefined;
}

/**
 * Envoy's bandwidth limit filter counts KiB per time unit: less than 1Ki would be no limit. The
 * value is a Kubernetes quantity (`1024`, `"1024"`, `"1Ki"`), parsed as the API server does.
 */
function bandwidthProblem(bandwidth: Obj | undefined): string | undefined {
  for (const direction of ['request', 'response'] as const) {
    const value = obj(obj(bandwidth?.[direction])?.limit)?.value;
    if (value === undefined) continue;
    const bytes = parseQuantity(value);
    if (bytes === undefined)
      return `bandwidthLimit.${direction}.limit.value: invalid quantity ${String(value)}`;
    if (bytes < 1024) return `bandwidthLimit.${direction}.limit.value must be at least 1024 bytes`;
  }
  return undefined;
}

/** Response override bodies must be servable (valueRef ConfigMaps exist, 4 KiB at most). */
function responseOverrideProblem(
  ctx: TranslatorContext,
  overrides: unknown,
  namespace: string,
): string | undefined {
  for (const [i, override] of list(overrides).entries()) {
    const body = obj(obj(override.response)?.body);
    const problem = responseBodyProblem(
      ctx,
      `responseOverride[${i}].response.body`,
      body,
      namespace,
    );
    if (problem) return problem;
  }
  return undefined;
}

const isPrime = (n: number): boolean => {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
};

/** Envoy's Maglev table size must be a prime (and at most 5000011). */
function loadBalancerProblem(lb: Obj | undefined): string | undefined {
  const size = obj(lb?.consistentHash)?.tableSize;
  if (size === undefined || size === null) return undefined;
  if (typeof size !== 'number' || !Number.isInteger(size) || size > 5_000_011 || !isPrime(size))
    return `loadBalancer.consistentHash.tableSize: ${String(size)} is not a prime up to 5000011`;
  return undefined;
}

export function validateBackendTrafficPolicy(
  spec: Obj,
  _scope?: PolicyScope,
  ctx?: TranslatorContext,
  policy?: PolicyRef,
): string | undefined {
  const bufferLimit = obj(spec.connection)?.bufferLimit;
  return (
    (ctx && policy
      ? responseOverrideProblem(ctx, spec.responseOverride, policy.namespace)
      : undefined) ??
    (bufferLimit === undefined
      ? undefined
      : byteSizeProblem('connection.bufferLimit', bufferLimit)) ??
    circuitBreakerProblem(obj(spec.circuitBreaker)) ??
    retryProblem(obj(spec.retry)) ??
    timeoutProblem(obj(spec.timeout)) ??
    rateLimitProblem(obj(spec.rateLimit)) ??
    bandwidthProblem(obj(spec.bandwidthLimit)) ??
    loadBalancerProblem(obj(spec.loadBalancer))
  );
}
