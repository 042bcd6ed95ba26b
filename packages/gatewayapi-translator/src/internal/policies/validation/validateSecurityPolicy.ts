// Settings of a SecurityPolicy that Envoy Gateway rejects while translating it (its
// securitypolicy.go): the policy then gets Accepted False, reason Invalid, on every ancestor.
import type { TranslatorContext } from '../../context/translatorContext.js';
import { nsName } from '../../types.js';
import type { PolicyScope } from '../policyScope.js';
import { geoIPProblem, usesGeoIP } from './geoIP.js';
import { localRefProblem } from './localRefs.js';
import { originRegexProblem } from './originRegexes.js';
import { backendRefsProblem, type PolicyRef, serviceBackendRefs } from './policyBackendRefs.js';
import { list, type Obj, obj } from './policyValues.js';

/**
 * API keys must exist and be unique: two clients with one key could not be told apart. A client
 * ID already given by an earlier Secret is ignored, with its key (Envoy Gateway's e2e
 * api-key-auth.yaml: "duplicate client id should be ignored").
 */
function apiKeyAuthProblem(
  ctx: TranslatorContext,
  policy: PolicyRef,
  apiKeyAuth: Obj,
): string | undefined {
  const keys = new Set<string>();
  const clients = new Set<string>();
  for (const [i, ref] of list(apiKeyAuth.credentialRefs).entries()) {
    const field = `apiKeyAuth.credentialRefs[${i}]`;
    const problem = localRefProblem(ctx, policy, field, ref);
    if (problem) return problem;
    const namespace =
      typeof ref.namespace === 'string' && ref.namespace ? ref.namespace : policy.namespace;
    const secret = ctx.secrets.get(nsName(namespace, String(ref.name)));
    for (const [client, value] of Object.entries(secret?.data ?? {})) {
      if (clients.has(client)) continue;
      clients.add(client);
      if (keys.has(String(value))) return `${field}: duplicated API key`;
      keys.add(String(value));
    }
  }
  return undefined;
}

function jwtProblem(ctx: TranslatorContext, policy: PolicyRef, jwt: Obj): string | undefined {
  for (const [i, provider] of list(jwt.providers).entries()) {
    const field = `jwt.providers[${i}]`;
    const remote = obj(provider.remoteJWKS);
    const local = obj(provider.localJWKS);
    const problem =
      backendRefsProblem(ctx, policy, `${field}.remoteJWKS`, serviceBackendRefs(remote)) ??
      (local?.type === 'ValueRef'
        ? localRefProblem(
            ctx,
            policy,
            `${field}.localJWKS.valueRef`,
            obj(local.valueRef),
            'ConfigMap',
          )
        : undefined);
    if (problem) return problem;
  }
  return undefined;
}

export function validateSecurityPolicy(
  spec: Obj,
  scope: PolicyScope,
  ctx: TranslatorContext,
  policy: PolicyRef,
): string | undefined {
  const extAuth = obj(spec.extAuth);
  const oidc = obj(spec.oidc);
  const apiKeyAuth = obj(spec.apiKeyAuth);
  const jwt = obj(spec.jwt);
  return (
    (extAuth &&
      (backendRefsProblem(ctx, policy, 'extAuth.http', serviceBackendRefs(obj(extAuth.http))) ??
        backendRefsProblem(ctx, policy, 'extAuth.grpc', serviceBackendRefs(obj(extAuth.grpc))))) ??
    (oidc &&
      (localRefProblem(ctx, policy, 'oidc.clientSecret', obj(oidc.clientSecret)) ??
        backendRefsProblem(
          ctx,
          policy,
          'oidc.provider',
          serviceBackendRefs(obj(oidc.provider)),
        ))) ??
    localRefProblem(ctx, policy, 'basicAuth.users', obj(obj(spec.basicAuth)?.users)) ??
    (apiKeyAuth && apiKeyAuthProblem(ctx, policy, apiKeyAuth)) ??
    (jwt && jwtProblem(ctx, policy, jwt)) ??
    (usesGeoIP(spec) ? geoIPProblem(ctx, scope, spec) : undefined) ??
    originRegexProblem(spec) ??
    undefined
  );
}
