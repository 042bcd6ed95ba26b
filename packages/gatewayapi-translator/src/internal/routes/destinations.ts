// Builds a rule's weighted destination from its backendRefs. Unresolvable backends keep their
// weight as the destination's invalid weight, so their share of traffic gets a 500 as Gateway
// API requires, while valid backends keep serving (and one without endpoints answers 503).

import type { DestinationSetting, ExtensionObject, RouteDestination } from '@egts/ir';
import { appended } from '../appended.js';
import type { AnyRouteContext } from '../context/routeContext.js';
import type { TranslatorContext } from '../context/translatorContext.js';
import { findExtensionObject } from '../extensionServer/extensionObjects.js';
import { type RouteStatusError, unresolvedRef } from '../status/statusError.js';
import { type BackendRefLike, ENVOY_GATEWAY_GROUP, nsName } from '../types.js';
import { resolveBackendRef } from './backendRefs.js';
import type { RuleOutcome } from './ruleOutcome.js';

/**
 * A DynamicResolver Backend forwards to whatever host the request names (Envoy Gateway's dynamic
 * forward proxy), so Envoy Gateway allows it only alone in a rule (InvalidBackendRef), not
 * behind a PathRegex hostname rewrite (a Header one is how it picks the host), and on TLS only
 * in Passthrough mode (UnsupportedValue), where it forwards by SNI.
 */
function dynamicResolverError(
  ctx: TranslatorContext,
  route: AnyRouteContext,
  refs: readonly BackendRefLike[],
  ref: BackendRefLike,
  hostnameRewrite: string | undefined,
): RouteStatusError | undefined {
  if (ref.kind !== 'Backend' || (ref.group ?? '') !== ENVOY_GATEWAY_GROUP) return undefined;
  const backend = ctx.backends.get(nsName(ref.namespace || route.namespace, ref.name));
  if (backend?.spec.type !== 'DynamicResolver') return undefined;
  if (refs.length > 1)
    return unresolvedRef(
      'InvalidBackendRef',
      'A DynamicResolver Backend must be the only backendRef of its rule.',
    );
  if (hostnameRewrite === 'PathRegex')
    return unresolvedRef(
      'UnsupportedValue',
      'A PathRegex hostname rewrite cannot be used with a DynamicResolver Backend.',
    );
  const terminates = route.parents.some((p) =>
    p.attachments.some(
      (a) =>
        a.listener.protocol === 'TLS' && (a.listener.spec.tls?.mode ?? 'Terminate') === 'Terminate',
    ),
  );
  if (route.kind === 'TLSRoute' && terminates)
    return unresolvedRef(
      'UnsupportedValue',
      'A DynamicResolver Backend needs a TLS listener in Passthrough mode.',
    );
  // A Passthrough TLSRoute forwards by SNI (sni_dynamic_forward_proxy); a TCP or UDP stream
  // names no host to forward to.
  if (route.kind !== 'HTTPRoute' && route.kind !== 'GRPCRoute' && route.kind !== 'TLSRoute')
    return unresolvedRef(
      'UnsupportedValue',
      `egts serves DynamicResolver Backends on HTTP, gRPC and TLS routes only, not on a ${route.kind}.`,
    );
  return undefined;
}

/** Whether a backendRef names a Backend served over Unix domain sockets only. */
function isUnixSocketBackend(ctx: TranslatorContext, route: AnyRouteContext, ref: BackendRefLike) {
  if (ref.kind !== 'Backend' || (ref.group ?? '') !== ENVOY_GATEWAY_GROUP) return false;
  const endpoints = ctx.backends.get(nsName(ref.namespace || route.namespace, ref.name))?.spec
    .endpoints;
  return !!endpoints && endpoints.length > 0 && endpoints.every((ep) => ep.unix);
}

/**
 * A backendRef to a kind of the extension server's (`extensionManager.backendResources`), as
 * Envoy Gateway's processDestination treats it: not validated as a Service or Backend (no port,
 * no ReferenceGrant), a weight of 0 takes no traffic, otherwise the object must exist
 * (ResolvedRefs=False/BackendNotFound) and becomes a setting without endpoints that the
 * extension's PostClusterModify fills in. Undefined: not such a ref.
 */
function customBackend(
  ctx: TranslatorContext,
  route: AnyRouteContext,
  ref: BackendRefLike,
  settingName: string,
  protocol: DestinationSetting['protocol'],
): { setting?: DestinationSetting; error?: RouteStatusError } | undefined {
  const kind = ref.kind ?? 'Service';
  const groupKind = `${ref.group ?? ''}/${kind}`;
  if (!ctx.options.extensionKinds.backends.has(groupKind)) return undefined;
  const weight = ref.weight ?? 1;
  const setting: DestinationSetting = {
    name: settingName,
    weight,
    protocol,
    addressType: 'IP',
    endpoints: [],
  };
  if (weight === 0) return { setting };
  const namespace = ref.namespace || route.namespace;
  const object: ExtensionObject | undefined = findExtensionObject(
    ctx.resources,
    groupKind,
    namespace,
    ref.name,
  );
  if (object === undefined)
    return {
      error: unresolvedRef(
        'BackendNotFound',
        `custom backend ${kind} ${namespace}/${ref.name} not found`,
      ),
    };
  return { setting: { ...setting, customBackend: object } };
}

/** The objects of the custom backends a destination names (for the route's extensionRefs). */
export const customBackendObjects = (destination: RouteDestination | undefined) =>
  (destination?.settings ?? []).flatMap((s) => (s.customBackend ? [s.customBackend] : []));

export function buildDestination(
  ctx: TranslatorContext,
  route: AnyRouteContext,
  refs: readonly BackendRefLike[],
  name: string,
  protocol: DestinationSetting['protocol'],
  outcome: RuleOutcome,
  /**
   * Extra per-backend validation (backendRef filters), run before resolution: a function of the
   * module, not a closure made per rule.
   */
  precheck?: (
    ctx: TranslatorContext,
    route: AnyRouteContext,
    ref: BackendRefLike,
  ) => RuleOutcome['refErrors'][number] | undefined,
  /** The type of the rule's Envoy Gateway hostname rewrite, if any. */
  hostnameRewrite?: string,
): { destination: RouteDestination; resolved: number } {
  // Kept in the IR: of the exact size (most rules have one backend).
  let settings: DestinationSetting[] = [];
  let resolvedCount = 0;
  let invalidWeight = 0;
  for (let i = 0; i < refs.length; i++) {
    const ref = refs[i]!;
    const settingName = `${name}/backend/${i}`;
    const custom = customBackend(ctx, route, ref, settingName, protocol);
    const early = custom
      ? undefined
      : (precheck?.(ctx, route, ref) ??
        dynamicResolverError(ctx, route, refs, ref, hostnameRewrite));
    const resolved =
      custom ??
      (early ? { error: early } : resolveBackendRef(ctx, route, ref, settingName, protocol));
    if (resolved.error) outcome.refErrors.push(resolved.error);
    if ('noEndpoints' in resolved && resolved.noEndpoints) outcome.noEndpoints = true;
    if ('setting' in resolved && resolved.setting && !resolved.error) {
      settings = appended(settings, resolved.setting);
      if (!custom && ctx.mergesBackends) {
        ctx.settingBackends.set(settingName, {
          kind: ref.kind ?? 'Service',
          namespace: ref.namespace || route.namespace,
          name: ref.name,
          port: ref.port ?? undefined,
        });
      }
      resolvedCount += 1;
    } else invalidWeight += ref.weight ?? 1;
  }
  // Envoy Gateway splits a rule's IP and FQDN backends into separate clusters, but cannot mix
  // Unix domain socket backends with either.
  let unix = 0;
  for (let i = 0; i < refs.length; i++) if (isUnixSocketBackend(ctx, route, refs[i]!)) unix += 1;
  if (unix > 0 && unix < refs.length)
    outcome.refErrors.push(
      unresolvedRef(
        'UnsupportedAddressType',
        'Unix domain socket backends cannot be mixed with IP or FQDN backends in one rule.',
      ),
    );
  const destination: RouteDestination = { name, settings };
  if (invalidWeight > 0) destination.invalidWeight = invalidWeight;
  return { destination, resolved: resolvedCount };
}
