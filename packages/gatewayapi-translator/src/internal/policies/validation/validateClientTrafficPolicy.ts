// Settings of a ClientTrafficPolicy that Envoy Gateway rejects while translating it (its
// clienttrafficpolicy.go): the policy then gets Accepted False, reason Invalid, on that ancestor.
import type { ListenerContext } from '../../context/listenerContext.js';
import type { TranslatorContext } from '../../context/translatorContext.js';
import { mergedGatewayGroups } from '../../processListeners.js';
import { type PolicyScope, scopeListeners } from '../policyScope.js';
import { isKnownCipher } from './ciphers.js';
import { clientValidationProblem } from './clientValidation.js';
import { headerMutationProblem } from './headers.js';
import type { PolicyRef } from './policyBackendRefs.js';
import {
  byteSizeProblem,
  durationProblem,
  type Obj,
  obj,
  type PolicyWarning,
} from './policyValues.js';

/** Envoy's max_request_headers_kb is a whole number of KiB in [1, 8192]. */
const MIN_HEADER_LIMIT = 1024;
const MAX_HEADER_LIMIT = 8192 * 1024;

function timeoutProblem(timeout: Obj | undefined): string | undefined {
  const http = obj(timeout?.http);
  return (
    durationProblem('timeout.http.requestReceivedTimeout', http?.requestReceivedTimeout) ??
    durationProblem('timeout.http.idleTimeout', http?.idleTimeout) ??
    durationProblem('timeout.http.streamIdleTimeout', http?.streamIdleTimeout) ??
    durationProblem('timeout.tcp.idleTimeout', obj(timeout?.tcp)?.idleTimeout)
  );
}

/**
 * HTTP/1.0 `useDefaultHost` answers host-less requests with the listener's one hostname: the
 * listener's own, or else the single hostname of the routes attached to it (Envoy Gateway).
 */
function defaultHostProblem(ctx: TranslatorContext, scope: PolicyScope): string | undefined {
  for (const listener of scopeListeners(scope)) {
    if (listener.hostname) continue;
    const hostnames = new Set<string>();
    for (const route of ctx.routes) {
      for (const parent of route.parents)
        for (const a of parent.attachments)
          if (a.listener === listener) for (const h of a.hostnames) hostnames.add(h);
    }
    if (hostnames.size !== 1)
      return `http1.http10.useDefaultHost: listener ${listener.name} has ${hostnames.size} hostnames, need exactly one`;
  }
  return undefined;
}

/**
 * Plain HTTP listeners on one port share one Envoy listener and its HTTP connection manager (and
 * with mergeGateways, across the Gateways of a class): a ClientTrafficPolicy there would also
 * configure the listeners it does not target, so Envoy Gateway rejects it unless it targets them
 * all.
 */
function sharedPortProblem(
  ctx: TranslatorContext,
  scope: PolicyScope,
  targeted: ReadonlySet<ListenerContext>,
): string | undefined {
  const merged = mergedGatewayGroups(ctx).find((g) => g.includes(scope.gateway));
  const peers = (merged ?? [scope.gateway]).flatMap((gw) => gw.allListeners);
  for (const listener of scopeListeners(scope)) {
    if (listener.protocol !== 'HTTP') continue;
    const others = peers.filter(
      (l) =>
        l !== listener &&
        l.protocol === 'HTTP' &&
        l.port === listener.port &&
        !l.conditions.isFalse('Accepted') &&
        !targeted.has(l),
    );
    if (others.length > 0)
      return `listener ${listener.name} shares port ${listener.port} with ${others.map((l) => l.name).join(', ')}, which this policy does not target`;
  }
  return undefined;
}

export function validateClientTrafficPolicy(
  spec: Obj,
  scope: PolicyScope,
  ctx: TranslatorContext,
  policy: PolicyRef,
  scopes: readonly PolicyScope[],
): string | undefined {
  const shared = sharedPortProblem(ctx, scope, new Set(scopes.flatMap(scopeListeners)));
  if (shared) return shared;
  const headers = obj(spec.headers);
  const bufferLimit = obj(spec.connection)?.bufferLimit;
  const socketBufferLimit = obj(spec.connection)?.socketBufferLimit;
  const headerLimit = headers?.maxRequestHeaderLimit;
  const ip = obj(spec.clientIPDetection);
  const problem =
    (bufferLimit === undefined
      ? undefined
      : byteSizeProblem('connection.bufferLimit', bufferLimit)) ??
    (socketBufferLimit === undefined
      ? undefined
      : // setsockopt takes a C int.
        byteSizeProblem('connection.socketBufferLimit', socketBufferLimit, 1, 2 ** 31 - 1)) ??
    // The CRD says so too; a file provider has no API server to check it.
    (obj(ip?.directSourceIP) && (ip?.xForwardedFor || ip?.customHeader)
      ? 'clientIPDetection.directSourceIP: cannot be combined with xForwardedFor or customHeader'
      : undefined) ??
    (headerLimit === undefined
      ? undefined
      : byteSizeProblem(
          'headers.maxRequestHeaderLimit',
          headerLimit,
          MIN_HEADER_LIMIT,
          MAX_HEADER_LIMIT,
        )) ??
    timeoutProblem(obj(spec.timeout)) ??
    headerMutationProblem('headers.earlyRequestHeaders', obj(headers?.earlyRequestHeaders)) ??
    headerMutationProblem('headers.lateResponseHeaders', obj(headers?.lateResponseHeaders));
  if (problem) return problem;
  const clientValidation = obj(obj(spec.tls)?.clientValidation);
  if (clientValidation) {
    const invalid = clientValidationProblem(ctx, policy, clientValidation);
    if (invalid) return invalid;
  }
  const ciphers = obj(spec.tls)?.ciphers;
  if (Array.isArray(ciphers)) {
    const unknown = ciphers.find((c) => typeof c !== 'string' || !isKnownCipher(c));
    if (unknown !== undefined) return `tls.ciphers: unsupported cipher ${String(unknown)}`;
  }
  if (obj(obj(obj(spec.http1)?.http10))?.useDefaultHost === true)
    return defaultHostProblem(ctx, scope);
  return undefined;
}

/** Settings Envoy Gateway accepts with a Warning. */
export function clientTrafficPolicyWarnings(spec: Obj): PolicyWarning[] {
  const validation = obj(obj(spec.tls)?.clientValidation);
  const out: PolicyWarning[] = [];
  if (validation?.optional !== undefined && validation.optional !== null)
    out.push({
      reason: 'DeprecatedField',
      message: 'tls.clientValidation.optional is deprecated, use tls.clientValidation.mode.',
    });
  // HTTP/3 (QUIC) listeners cannot ask clients for certificates.
  if (validation && obj(spec.http3))
    out.push({
      reason: 'NotSupported',
      message: 'tls.clientValidation does not apply to HTTP/3 connections.',
    });
  return out;
}
