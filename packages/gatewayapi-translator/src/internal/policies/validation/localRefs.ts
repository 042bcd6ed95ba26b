// Secrets and ConfigMaps a policy names (OIDC client secrets, API keys, basic auth users, JWKS,
// Wasm pull secrets): they must exist, and one in another namespace needs a ReferenceGrant from
// the policy's kind (Gateway API ReferenceGrant, GEP-709, as Envoy Gateway applies it to policies).
import type { TranslatorContext } from '../../context/translatorContext.js';
import { isReferenceAllowed } from '../../referenceGrants.js';
import { ENVOY_GATEWAY_GROUP, nsName } from '../../types.js';
import type { PolicyRef } from './policyBackendRefs.js';
import type { Obj } from './policyValues.js';

/** Why a Secret (or ConfigMap) reference does not resolve, or undefined. */
export function localRefProblem(
  ctx: TranslatorContext,
  policy: PolicyRef,
  field: string,
  ref: Obj | undefined,
  defaultKind: 'Secret' | 'ConfigMap' = 'Secret',
): string | undefined {
  if (!ref) return undefined;
  const kind = typeof ref.kind === 'string' && ref.kind ? ref.kind : defaultKind;
  const name = typeof ref.name === 'string' ? ref.name : '';
  const namespace =
    typeof ref.namespace === 'string' && ref.namespace ? ref.namespace : policy.namespace;
  if (
    (typeof ref.group === 'string' && ref.group !== '') ||
    (kind !== 'Secret' && kind !== 'ConfigMap')
  )
    return `${field}: kind ${kind} is not supported`;
  const allowed = isReferenceAllowed(
    ctx,
    { group: ENVOY_GATEWAY_GROUP, kind: policy.kind, namespace: policy.namespace },
    { group: '', kind, namespace, name },
  );
  if (!allowed)
    return `${field}: reference to ${kind} ${namespace}/${name} not permitted by any ReferenceGrant`;
  const found = (kind === 'Secret' ? ctx.secrets : ctx.configMaps).get(nsName(namespace, name));
  return found ? undefined : `${field}: ${kind} ${namespace}/${name} not found`;
}

/**
 * Why a custom response body (an HTTPRouteFilter direct response, a BackendTrafficPolicy response
 * override) cannot be served, or undefined: the ConfigMap a valueRef names (in the referrer's
 * namespace) must exist and hold data (`response.body`, else its first key, binaryData too).
 * Envoy Gateway does not refuse an inline body over Envoy's 4 KiB direct response limit here.
 */
export function responseBodyProblem(
  ctx: TranslatorContext,
  field: string,
  body: Obj | undefined,
  namespace: string,
): string | undefined {
  if (body?.type !== 'ValueRef') return undefined;
  const name = String((body.valueRef as Obj | undefined)?.name ?? '');
  const configMap = ctx.configMaps.get(nsName(namespace, name)) as
    | { data?: Record<string, string> | null; binaryData?: Record<string, string> | null }
    | undefined;
  if (!configMap) return `${field}.valueRef: ConfigMap ${namespace}/${name} not found`;
  const keys = [...Object.keys(configMap.data ?? {}), ...Object.keys(configMap.binaryData ?? {})];
  return keys.length === 0
    ? `${field}.valueRef: ConfigMap ${namespace}/${name} has no response.body`
    : undefined;
}

/**
 * The custom response body a direct response (or response override) serves: inline, or the
 * ConfigMap's `response.body` (else its first key; binaryData decoded). Undefined when there is
 * none; responseBodyProblem says why a ValueRef does not resolve.
 */
export function responseBody(
  ctx: TranslatorContext,
  body: Obj | undefined,
  namespace: string,
): string | undefined {
  if (body === undefined) return undefined;
  if (body.type !== 'ValueRef') return typeof body.inline === 'string' ? body.inline : undefined;
  const name = String((body.valueRef as Obj | undefined)?.name ?? '');
  const configMap = ctx.configMaps.get(nsName(namespace, name)) as
    | { data?: Record<string, string> | null; binaryData?: Record<string, string> | null }
    | undefined;
  const data = configMap?.data ?? {};
  const binary = configMap?.binaryData ?? {};
  const key = Object.hasOwn(data, 'response.body') ? 'response.body' : Object.keys(data).sort()[0];
  if (key !== undefined) return data[key];
  const binaryKey = Object.hasOwn(binary, 'response.body')
    ? 'response.body'
    : Object.keys(binary).sort()[0];
  return binaryKey === undefined
    ? undefined
    : Buffer.from(binary[binaryKey] ?? '', 'base64').toString('utf8');
}
