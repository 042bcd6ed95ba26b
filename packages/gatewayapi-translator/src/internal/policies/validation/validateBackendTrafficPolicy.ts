// Settings of a BackendTrafficPolicy that Envoy Gateway rejects while translating it (its
// backendtrafficpolicy.go): the policy then gets Accepted False, reason Invalid, on every ancestor.
import type { TranslatorContext } from '../../context/translatorContext.js';
import { re2Error } from '../../routes/re2.js';
import { registeredModule } from '../dynamicModules.js';
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
  // Envoy's budget is a percentage of active requests: at most 100%.
  const percent = obj(obj(cb.retryBudget)?.percent);
  if (percent) {
    const numerator = Number(percent.numerator ?? 0);
    const denominator = Number(percent.denominator ?? 100);
    if (!(denominator > 0) || !(numerator >= 0) || numerator > denominator)
      return `circuitBreaker.retryBudget.percent: ${numerator}/${denominator} is not within 0% to 100%`;
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
    durationProblem('timeout.http.maxStreamDuration', http?.maxStreamDuration) ??
    durationProblem('timeout.http.streamIdleTimeout', http?.streamIdleTimeout)
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
  return queryParamsProblem('local', obj(rateLimit.local));
}

/**
 * Global rules need the Rate Limit Service, which the EnvoyGateway `rateLimit` block enables;
 * Envoy Gateway refuses them without it, in these words.
 */
function globalRateLimitProblem(ctx: TranslatorContext, rateLimit: Obj | undefined) {
  const global = obj(rateLimit?.global);
  if (global === undefined) return undefined;
  if (ctx.options.rateLimitService === undefined)
    return 'Enable Ratelimit in the EnvoyGateway config to configure global rateLimit.';
  return queryParamsProblem('global', global);
}

/** Query parameter selectors (global, or local rules): matched by value, never Distinct. */
function queryParamsProblem(type: 'global' | 'local', limits: Obj | undefined) {
  for (const rule of list(limits?.rules)) {
    for (const selector of list(rule.clientSelectors)) {
      for (const query of list(selector.queryParams)) {
        // Envoy's rate limit actions match a query parameter; none takes its value as an entry.
        if (query.type === 'Distinct')
          return `rateLimit.${type}: query parameter ${String(query.name)}: type Distinct is not supported`;
        if (query.type === 'RegularExpression') {
          const error =
            typeof query.value === 'string' ? re2Error(query.value) : 'value is required';
          if (error)
            return `rateLimit.${type}: query parameter ${String(query.name)} has an invalid regex: ${error}`;
        }
      }
    }
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

/** Envoy's fault percentages are fractions of a million: a percentage must be within [0, 100]. */
function faultProblem(fault: Obj | undefined): string | undefined {
  for (const kind of ['delay', 'abort'] as const) {
    const percentage = obj(fault?.[kind])?.percentage;
    if (percentage === undefined || percentage === null) continue;
    if (typeof percentage !== 'number' || percentage < 0 || percentage > 100)
      return `faultInjection.${kind}.percentage: ${String(percentage)} is not within [0, 100]`;
  }
  return durationProblem('faultInjection.delay.fixedDelay', obj(fault?.delay)?.fixedDelay);
}

/** Sizes Envoy holds in uint32 fields: compression's minimum length, the request buffer. */
function sizeProblem(spec: Obj): string | undefined {
  for (const field of ['compressor', 'compression'] as const) {
    for (const [i, entry] of list(spec[field]).entries()) {
      if (entry.minContentLength === undefined) continue;
      const problem = byteSizeProblem(`${field}[${i}].minContentLength`, entry.minContentLength, 1);
      if (problem) return problem;
    }
  }
  const limit = obj(spec.requestBuffer)?.limit;
  return limit === undefined ? undefined : byteSizeProblem('requestBuffer.limit', limit, 1);
}

/** Envoy sends a health check body only with a method that has one (POST, PUT, PATCH, OPTIONS). */
function healthCheckProblem(hc: Obj | undefined): string | undefined {
  const http = obj(obj(hc?.active)?.http);
  if (!http?.requestBody) return undefined;
  const method = String(http.method ?? 'GET').toUpperCase();
  return ['POST', 'PUT', 'PATCH', 'OPTIONS'].includes(method)
    ? undefined
    : `healthCheck.active.http.requestBody: method ${method} cannot carry a body (use POST, PUT, PATCH or OPTIONS)`;
}

/** Response override bodies must be servable (valueRef ConfigMaps exist, 4 KiB at most). */
function responseOverrideProblem(
  ctx: TranslatorContext,
  overrides: unknown,
  namespace: string,
): string | undefined {
  for (const [i, override] of list(overrides).entries()) {
    for (const header of list(obj(override.match)?.responseHeaders)) {
      const value = obj(header.value);
      const error =
        value?.type === 'RegularExpression' ? re2Error(String(value.value ?? '')) : undefined;
      if (error)
        return `responseOverride[${i}].match.responseHeaders: ${String(header.name)} has an invalid regex: ${error}`;
    }
    const redirectPath = obj(obj(override.redirect)?.path);
    if (redirectPath && redirectPath.type !== 'ReplaceFullPath')
      return `responseOverride[${i}].redirect.path.type: ${String(redirectPath.type)} is not supported, only ReplaceFullPath (Envoy's redirect policy has no matched prefix to replace)`;
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

/** A dynamic module load balancer must be registered in the EnvoyProxy of the Gateway. */
function dynamicModuleProblem(lb: Obj | undefined, scope: PolicyScope | undefined) {
  const module = obj(lb?.dynamicModule);
  if (lb?.type !== 'DynamicModule') return undefined;
  if (!module) return 'loadBalancer.dynamicModule is required when type is DynamicModule';
  if (!scope) return undefined;
  const source = registeredModule(scope.gateway.envoyProxy, String(module.name));
  return typeof source === 'string' ? `loadBalancer.dynamicModule: ${source}` : undefined;
}

export function validateBackendTrafficPolicy(
  spec: Obj,
  scope?: PolicyScope,
  ctx?: TranslatorContext,
  policy?: PolicyRef,
): string | undefined {
  const bufferLimit = obj(spec.connection)?.bufferLimit;
  return (
    (ctx && policy
      ? responseOverrideProblem(ctx, spec.responseOverride, policy.namespace)
      : undefined) ??
    (ctx ? globalRateLimitProblem(ctx, obj(spec.rateLimit)) : undefined) ??
    (bufferLimit === undefined
      ? undefined
      : byteSizeProblem('connection.bufferLimit', bufferLimit)) ??
    circuitBreakerProblem(obj(spec.circuitBreaker)) ??
    retryProblem(obj(spec.retry)) ??
    timeoutProblem(obj(spec.timeout)) ??
    rateLimitProblem(obj(spec.rateLimit)) ??
    bandwidthProblem(obj(spec.bandwidthLimit)) ??
    faultProblem(obj(spec.faultInjection)) ??
    healthCheckProblem(obj(spec.healthCheck)) ??
    sizeProblem(spec) ??
    loadBalancerProblem(obj(spec.loadBalancer)) ??
    dynamicModuleProblem(obj(spec.loadBalancer), scope)
  );
}
