// SecurityPolicy oidc -> the IR of Envoy's OAuth2 filter (@egts/ir OIDC). The provider's
// endpoints come from the policy (Envoy Gateway fetches `/.well-known/openid-configuration` when
// they are absent; egts's translator is pure and does not, so it says so and fails closed). The
// client secret comes from its Secret; the cookies' HMAC key is derived from it and the policy's
// identity, so it stays the same across restarts and control-plane replicas without a stored
// Secret, and changes when the client secret is rotated.
import { createHash, createHmac } from 'node:crypto';
import type { OIDC } from '@egts/ir';
import type { TranslatorContext } from '../context/translatorContext.js';
import { secretValue } from '../listeners/certificates.js';
import { nsName } from '../types.js';
import {
  Problem,
  refTarget,
  serviceDestination,
  str,
  strings,
  uriDestination,
} from './securityPolicyRefs.js';
import type { PolicyRef } from './validation/policyBackendRefs.js';
import { list, type Obj, obj, parseGoDuration } from './validation/policyValues.js';

/** Envoy Gateway's default scopes; `openid` is always asked for. */
const DEFAULT_SCOPES = ['openid', 'email', 'profile'];

const HEADER_MATCH_TYPES = new Set(['Exact', 'Prefix', 'Suffix', 'RegularExpression']);

function clientSecret(ctx: TranslatorContext, policy: PolicyRef, spec: Obj): string {
  const field = 'oidc.clientSecret';
  const { namespace, name } = refTarget(policy, obj(spec.clientSecret) ?? {});
  const secret = ctx.secrets.get(nsName(namespace, name));
  if (!secret) throw new Problem(`${field}: Secret ${namespace}/${name} not found`);
  const value = secretValue(secret, 'client-secret');
  if (!value) throw new Problem(`${field}: Secret ${namespace}/${name} has no client-secret key`);
  return value;
}

function clientID(ctx: TranslatorContext, policy: PolicyRef, spec: Obj): string {
  const id = str(spec.clientID);
  if (id) return id;
  const ref = obj(spec.clientIDRef);
  if (!ref) throw new Problem('oidc: one of clientID and clientIDRef is required');
  const { namespace, name } = refTarget(policy, ref);
  const secret = ctx.secrets.get(nsName(namespace, name));
  if (!secret) throw new Problem(`oidc.clientIDRef: Secret ${namespace}/${name} not found`);
  const value = secretValue(secret, 'client-id');
  if (!value)
    throw new Problem(`oidc.clientIDRef: Secret ${namespace}/${name} has no client-id key`);
  return value;
}

const pathOf = (url: string, field: string): string => {
  try {
    return new URL(url).pathname;
  } catch {
    throw new Problem(`${field}: ${url} is not a URL`);
  }
};

export function oidc(ctx: TranslatorContext, policy: PolicyRef, spec: Obj): OIDC | undefined {
  const provider = obj(spec.provider) ?? {};
  const authorizationEndpoint = str(provider.authorizationEndpoint);
  const tokenEndpoint = str(provider.tokenEndpoint);
  // Without both endpoints the registry reports the issuer not applied (discovery): the policy
  // is not accepted and its routes fail closed, so this IR is never used.
  if (!authorizationEndpoint || !tokenEndpoint) return undefined;
  const name = `securitypolicy/${policy.namespace}/${policy.name}/oidc`;
  const tokenDestination =
    serviceDestination(ctx, policy, 'oidc.provider.backendRefs', provider, name) ??
    uriDestination(ctx, policy, tokenEndpoint, 'oidc.provider.tokenEndpoint', name);
  const secret = clientSecret(ctx, policy, spec);
  const id = clientID(ctx, policy, spec);
  const identity = `${policy.namespace}/${policy.name}`;
  const redirectURL =
    str(spec.redirectURL) ?? '%REQ(x-forwarded-proto)%://%REQ(:authority)%/oauth2/callback';
  const scopes = strings(spec.scopes);
  const out: OIDC = {
    authorizationEndpoint,
    tokenEndpoint,
    tokenDestination,
    clientID: id,
    clientSecret: secret,
    hmacSecret: createHmac('sha256', secret).update(`egts/oidc-hmac/${identity}`).digest('base64'),
    redirectURL,
    redirectPath: str(spec.redirectURL)
      ? pathOf(redirectURL, 'oidc.redirectURL')
      : '/oauth2/callback',
    logoutPath: str(spec.logoutPath) ?? '/logout',
    scopes: [
      ...new Set([
        ...DEFAULT_SCOPES.filter((s) => s === 'openid' || scopes.length === 0),
        ...scopes,
      ]),
    ],
    resources: strings(spec.resources),
    // Envoy Gateway's suffix: a hash of the policy's identity, so two policies' cookies differ.
    cookieSuffix: createHash('sha256').update(identity).digest('hex').slice(0, 8),
    forwardAccessToken: spec.forwardAccessToken === true,
    passThroughAuthHeader: spec.passThroughAuthHeader === true,
    refreshToken: spec.refreshToken !== false,
    disableTokenEncryption: spec.disableTokenEncryption === true,
    denyRedirect: list(obj(spec.denyRedirect)?.headers).map((h, i) => {
      const type = str(h.type) ?? 'Exact';
      if (!HEADER_MATCH_TYPES.has(type))
        throw new Problem(
          `oidc.denyRedirect.headers[${i}].type: ${type} is not a header match type`,
        );
      return {
        name: str(h.name) ?? '',
        type: type as OIDC['denyRedirect'][number]['type'],
        value: str(h.value) ?? '',
      };
    }),
  };
  const endSession = str(provider.endSessionEndpoint);
  if (endSession) out.endSessionEndpoint = endSession;
  const names = obj(spec.cookieNames);
  const accessCookie = str(names?.accessToken);
  if (accessCookie) out.accessTokenCookie = accessCookie;
  const idCookie = str(names?.idToken);
  if (idCookie) out.idTokenCookie = idCookie;
  const domain = str(spec.cookieDomain);
  if (domain) out.cookieDomain = domain;
  const sameSite = str(obj(spec.cookieConfig)?.sameSite);
  if (sameSite === 'Lax' || sameSite === 'Strict' || sameSite === 'None') out.sameSite = sameSite;
  const header = str(obj(spec.forwardIDToken)?.header);
  if (header) out.forwardIDTokenHeader = header;
  const ttl = parseGoDuration(spec.defaultTokenTTL);
  if (ttl !== undefined) out.defaultTokenTTLMs = ttl;
  const refreshTTL = parseGoDuration(spec.defaultRefreshTokenTTL);
  if (refreshTTL !== undefined) out.defaultRefreshTokenTTLMs = refreshTTL;
  const csrfTTL = parseGoDuration(spec.csrfTokenTTL);
  if (csrfTTL !== undefined) out.csrfTokenTTLMs = csrfTTL;
  return out;
}
