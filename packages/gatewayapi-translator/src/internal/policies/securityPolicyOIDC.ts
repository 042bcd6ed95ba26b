// SecurityPolicy oidc -> the IR of Envoy's OAuth2 filter (@egts/ir OIDC). The provider's
// endpoints come from the policy, or, where it gives its issuer alone, from the issuer's
// discovery document, which the caller fetched (TranslateOptions.oidcDiscovery, as Envoy
// Gateway's control plane fetches it); a document that could not be had fails closed. The
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
import { serviceSettings } from './securityPolicyServices.js';
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

/** The provider's endpoints: as given, else from its issuer's discovery document. */
function endpoints(ctx: TranslatorContext, provider: Obj) {
  const given = {
    authorizationEndpoint: str(provider.authorizationEndpoint),
    tokenEndpoint: str(provider.tokenEndpoint),
    endSessionEndpoint: str(provider.endSessionEndpoint),
  };
  if (given.authorizationEndpoint && given.tokenEndpoint) return given;
  const issuer = str(provider.issuer);
  if (!issuer)
    throw new Problem('oidc.provider: an issuer, or authorizationEndpoint and tokenEndpoint');
  const found = ctx.options.oidcDiscovery.get(issuer);
  if (!found)
    throw new Problem(
      `oidc.provider.issuer: the discovery document of ${issuer} was not fetched, and the provider gives no endpoints`,
    );
  if ('error' in found)
    throw new Problem(`oidc.provider.issuer: discovery of ${issuer} failed: ${found.error}`);
  return {
    authorizationEndpoint: given.authorizationEndpoint ?? found.authorizationEndpoint,
    tokenEndpoint: given.tokenEndpoint ?? found.tokenEndpoint,
    endSessionEndpoint: given.endSessionEndpoint ?? found.endSessionEndpoint,
  };
}

export function oidc(ctx: TranslatorContext, policy: PolicyRef, spec: Obj): OIDC {
  const provider = obj(spec.provider) ?? {};
  const { authorizationEndpoint, tokenEndpoint, endSessionEndpoint } = endpoints(ctx, provider);
  if (!authorizationEndpoint || !tokenEndpoint) throw new Problem('oidc.provider: no endpoints');
  const name = `securitypolicy/${policy.namespace}/${policy.name}/oidc`;
  const settings = serviceSettings(provider);
  const tokenDestination = {
    ...(serviceDestination(ctx, policy, 'oidc.provider.backendRefs', provider, name) ??
      uriDestination(ctx, policy, tokenEndpoint, 'oidc.provider.tokenEndpoint', name)),
    ...settings.destination,
  };
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
  if (endSessionEndpoint) out.endSessionEndpoint = endSessionEndpoint;
  if (settings.route.retry) out.retry = settings.route.retry;
  // The token request's timeout, as a remote JWKS fetch's (egts; Envoy Gateway keeps 10 s).
  if (settings.route.requestTimeoutMs !== undefined)
    out.tokenTimeoutMs = settings.route.requestTimeoutMs;
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
