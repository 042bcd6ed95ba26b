// Backends an Envoy Gateway policy calls itself (SecurityPolicy extAuth, JWKS and OIDC providers;
// EnvoyExtensionPolicy extProc) resolve like route backendRefs, with the policy as the referrer:
// a Service needs a port that exists, a cross-namespace ref a ReferenceGrant from the policy's
// kind, and all of one service's backends one address type. Envoy Gateway rejects the policy
// (Accepted False, Invalid) otherwise; a BackendTLSPolicy of such a backend lists the policy as
// its ancestor.
import type { TranslatorContext } from '../../context/translatorContext.js';
import { resolveBackendRef } from '../../routes/backendRefs.js';
import { type BackendRefLike, ENVOY_GATEWAY_GROUP } from '../../types.js';
import { list, type Obj, obj } from './policyValues.js';

export interface PolicyRef {
  kind: string;
  namespace: string;
  name: string;
}

/** A service a policy calls: `backendRefs`, or the deprecated singular `backendRef`. */
export function serviceBackendRefs(service: Obj | undefined): Obj[] {
  if (!service) return [];
  const refs = list(service.backendRefs);
  const single = obj(service.backendRef);
  return refs.length > 0 ? refs : single ? [single] : [];
}

/** A backendRef read from a policy's loosely typed spec: fields of the wrong type count as unset. */
export function backendRefOf(ref: Obj, name: string): BackendRefLike {
  return {
    group: typeof ref.group === 'string' ? ref.group : undefined,
    kind: typeof ref.kind === 'string' ? ref.kind : undefined,
    name,
    namespace: typeof ref.namespace === 'string' ? ref.namespace : undefined,
    port: typeof ref.port === 'number' ? ref.port : undefined,
  };
}

/** Why one service's backendRefs do not resolve, or undefined. */
export function backendRefsProblem(
  ctx: TranslatorContext,
  policy: PolicyRef,
  field: string,
  refs: readonly Obj[],
): string | undefined {
  const referrer = {
    group: ENVOY_GATEWAY_GROUP,
    ...policy,
    parents: [{ ref: { group: ENVOY_GATEWAY_GROUP, ...policy } }],
  };
  const addressTypes = new Set<string>();
  for (const [i, ref] of refs.entries()) {
    if (typeof ref.name !== 'string') return `${field}[${i}]: a backendRef needs a name`;
    const resolved = resolveBackendRef(
      ctx,
      referrer,
      backendRefOf(ref, ref.name),
      `${policy.namespace}/${policy.name}/${field}/${i}`,
      'HTTP',
    );
    if (resolved.error) return `${field}[${i}]: ${resolved.error.message}`;
    if (resolved.setting) addressTypes.add(resolved.setting.addressType);
  }
  if (addressTypes.size > 1) return `${field}: mixed FQDN and IP addresses are not supported`;
  return undefined;
}
