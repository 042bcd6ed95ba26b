// SecurityPolicy spec -> the xDS IR of what it enforces (@egts/ir SecurityIR), resolving what it
// names (htpasswd Secrets, JWKS ConfigMaps, backendRefs). A reference that resolves to something
// Envoy cannot use (a Secret without its key, an htpasswd hash Envoy does not verify) is a
// problem naming the field and the cause: the policy is then not accepted and its routes fail
// closed, while every other route is untouched.
import type {
  APIKeyAuth,
  Authorization,
  AuthorizationRule,
  BasicAuth,
  CORS,
  CSRF,
  ExtAuth,
  JWT,
  JWTProvider,
  SecurityIR,
} from '@egts/ir';
import type { TranslatorContext } from '../context/translatorContext.js';
import { secretValue } from '../listeners/certificates.js';
import { nsName } from '../types.js';
import { ruleGeoLocations } from './securityPolicyGeoIP.js';
import { oidc } from './securityPolicyOIDC.js';
import {
  Problem,
  refTarget,
  serviceDestination,
  str,
  strings,
  uriDestination,
} from './securityPolicyRefs.js';
import { serviceSettings } from './securityPolicyServices.js';
import { celProblem } from './validation/celExpression.js';
import type { PolicyRef } from './validation/policyBackendRefs.js';
import { list, type Obj, obj, parseGoDuration } from './validation/policyValues.js';

/** What a SecurityPolicy enforces, or why it cannot be enforced. */
export interface SecurityPolicyIR {
  security?: SecurityIR;
  cors?: CORS;
  problem?: string;
}

/**
 * htpasswd lines Envoy's basic_auth filter verifies: `user:{SHA}<base64 SHA-1>` only
 * (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/basic_auth_filter).
 */
function htpasswd(text: string, field: string): string {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length === 0) throw new Problem(`${field}: the .htpasswd is empty`);
  for (const line of lines) {
    const colon = line.indexOf(':');
    const user = colon < 0 ? line : line.slice(0, colon);
    if (colon < 1) throw new Problem(`${field}: .htpasswd line for "${user}" has no password`);
    if (!line.slice(colon + 1).startsWith('{SHA}'))
      throw new Problem(
        `${field}: user "${user}" uses an unsupported password hash; Envoy verifies {SHA} only`,
      );
  }
  return `${lines.join('\n')}\n`;
}

/** Keys from the credentialRefs Secrets (client ID -> key); a client ID seen before is ignored. */
function apiKeyAuth(ctx: TranslatorContext, policy: PolicyRef, spec: Obj): APIKeyAuth {
  const credentials: APIKeyAuth['credentials'] = [];
  const clients = new Set<string>();
  for (const [i, ref] of list(spec.credentialRefs).entries()) {
    const { namespace, name } = refTarget(policy, ref);
    const secret = ctx.secrets.get(nsName(namespace, name));
    if (!secret)
      throw new Problem(`apiKeyAuth.credentialRefs[${i}]: Secret ${namespace}/${name} not found`);
    for (const client of Object.keys(secret.data ?? {}).sort()) {
      const key = secretValue(secret, client);
      if (clients.has(client) || key === undefined) continue;
      clients.add(client);
      credentials.push({ key, client });
    }
  }
  const keySources = list(spec.extractFrom).flatMap((from) => [
    ...strings(from.headers).map((header) => ({ header })),
    ...strings(from.params).map((query) => ({ query })),
    ...strings(from.cookies).map((cookie) => ({ cookie })),
  ]);
  const out: APIKeyAuth = { credentials, keySources, sanitize: spec.sanitize === true };
  const header = str(spec.forwardClientIDHeader);
  if (header) out.forwardClientIDHeader = header;
  return out;
}

function basicAuth(ctx: TranslatorContext, policy: PolicyRef, spec: Obj): BasicAuth {
  const field = 'basicAuth.users';
  const { namespace, name } = refTarget(policy, obj(spec.users) ?? {});
  const secret = ctx.secrets.get(nsName(namespace, name));
  if (!secret) throw new Problem(`${field}: Secret ${namespace}/${name} not found`);
  const text = secretValue(secret, '.htpasswd');
  if (text === undefined)
    throw new Problem(`${field}: Secret ${namespace}/${name} has no .htpasswd key`);
  const out: BasicAuth = { users: htpasswd(text, field) };
  const header = str(spec.forwardUsernameHeader);
  if (header) out.forwardUsernameHeader = header;
  return out;
}

function jwtProvider(
  ctx: TranslatorContext,
  policy: PolicyRef,
  provider: Obj,
  i: number,
): JWTProvider {
  const field = `jwt.providers[${i}]`;
  const name = str(provider.name) ?? `provider-${i}`;
  const out: JWTProvider = {
    name,
    audiences: strings(provider.audiences),
    claimToHeaders: list(provider.claimToHeaders).flatMap((c) =>
      typeof c.header === 'string' && typeof c.claim === 'string'
        ? [{ header: c.header, claim: c.claim }]
        : [],
    ),
  };
  const issuer = str(provider.issuer);
  if (issuer) out.issuer = issuer;
  if (provider.recomputeRoute === true) out.recomputeRoute = true;
  const local = obj(provider.localJWKS);
  const remote = obj(provider.remoteJWKS);
  if (local) {
    if (local.type === 'ValueRef') {
      const { namespace, name: cm } = refTarget(policy, obj(local.valueRef) ?? {});
      const configMap = ctx.configMaps.get(nsName(namespace, cm));
      if (!configMap)
        throw new Problem(`${field}.localJWKS.valueRef: ConfigMap ${namespace}/${cm} not found`);
      // The `jwks` key, or the ConfigMap's only key (Envoy Gateway accepts either).
      const data = configMap.data ?? {};
      const values = Object.values(data);
      const jwks = data.jwks ?? (values.length === 1 ? values[0] : undefined);
      if (typeof jwks !== 'string')
        throw new Problem(
          `${field}.localJWKS.valueRef: ConfigMap ${namespace}/${cm} has no jwks key (nor a single key)`,
        );
      out.localJWKS = jwks;
    } else {
      const inline = str(local.inline);
      if (!inline) throw new Problem(`${field}.localJWKS.inline: no JWKS given`);
      out.localJWKS = inline;
    }
  } else if (remote) {
    const uri = str(remote.uri) ?? '';
    const clusterName = `securitypolicy/${policy.namespace}/${policy.name}/jwt/${i}`;
    const destination =
      serviceDestination(ctx, policy, `${field}.remoteJWKS.backendRefs`, remote, clusterName) ??
      uriDestination(ctx, policy, uri, `${field}.remoteJWKS.uri`, clusterName);
    const settings = serviceSettings(remote);
    out.remoteJWKS = { uri, destination: { ...destination, ...settings.destination } };
    const cache = parseGoDuration(remote.cacheDuration);
    if (cache !== undefined) out.remoteJWKS.cacheDurationMs = cache;
    const refetch = parseGoDuration(remote.failedRefetchDuration);
    if (refetch !== undefined) out.remoteJWKS.failedRefetchDurationMs = refetch;
    if (settings.route.requestTimeoutMs !== undefined)
      out.remoteJWKS.timeoutMs = settings.route.requestTimeoutMs;
    if (settings.route.retry) out.remoteJWKS.retry = settings.route.retry;
  } else {
    throw new Problem(`${field}: one of localJWKS and remoteJWKS is required`);
  }
  const extract = obj(provider.extractFrom);
  if (extract) {
    out.extractFrom = {
      headers: list(extract.headers).flatMap((h) =>
        typeof h.name === 'string'
          ? [
              {
                name: h.name,
                ...(typeof h.valuePrefix === 'string' ? { valuePrefix: h.valuePrefix } : {}),
              },
            ]
          : [],
      ),
      cookies: strings(extract.cookies),
      params: strings(extract.params),
    };
  }
  return out;
}

function jwt(ctx: TranslatorContext, policy: PolicyRef, spec: Obj): JWT {
  return {
    optional: spec.optional === true,
    failOpen: spec.failOpen === true,
    providers: list(spec.providers).map((p, i) => jwtProvider(ctx, policy, p, i)),
  };
}

/** A rule's `principal.jwt`: claims and scopes of the named provider's verified token. */
function ruleJWT(jwt: Obj | undefined): Pick<AuthorizationRule, 'jwt'> {
  if (!jwt) return {};
  return {
    jwt: {
      provider: str(jwt.provider) ?? '',
      claims: list(jwt.claims).map((claim) => ({
        name: str(claim.name) ?? '',
        valueType: claim.valueType === 'StringArray' ? 'StringArray' : 'String',
        values: strings(claim.values),
      })),
      scopes: strings(jwt.scopes),
    },
  };
}

const PATH_TYPES = new Set(['Exact', 'PathPrefix', 'RegularExpression']);

/** A rule's `operation.path` (the CRD's defaults: PathPrefix, not inverted). */
function rulePath(path: Obj | undefined): Pick<AuthorizationRule, 'path'> {
  if (!path) return {};
  const type = str(path.type) ?? 'PathPrefix';
  if (!PATH_TYPES.has(type))
    throw new Problem(`authorization.rules.operation.path.type: ${type} is not a path match type`);
  return {
    path: {
      type: type as NonNullable<AuthorizationRule['path']>['type'],
      value: str(path.value) ?? '/',
      invert: path.invert === true,
    },
  };
}

const action = (value: unknown): 'Allow' | 'Deny' => (value === 'Allow' ? 'Allow' : 'Deny');

/**
 * Deny rules with both a CEL expression and other conditions each double the RBAC policies that
 * express first-match-wins (xds-translator rbac.ts): past this many, the policy is refused.
 */
const MAX_MIXED_CEL_DENY_RULES = 6;

/** A rule's `cel`, which Envoy must be able to build (Envoy takes the parsed AST, never the text). */
function ruleCEL(rule: Obj, i: number): Pick<AuthorizationRule, 'cel'> {
  const text = str(rule.cel);
  if (text === undefined) return {};
  const problem = celProblem(text);
  if (problem) throw new Problem(`authorization.rules[${i}].cel: ${problem}`);
  return { cel: text };
}

/** Whether a rule sets conditions besides its CEL expression. */
const hasPrincipalOrOperation = (r: AuthorizationRule): boolean =>
  r.clientCIDRs.length + r.headers.length + r.methods.length > 0 ||
  !!r.path ||
  !!r.jwt ||
  !!r.geoLocations;

function authorization(spec: Obj): Authorization {
  const out: Authorization = {
    // Envoy Gateway denies what no rule allows unless told otherwise.
    defaultAction: action(spec.defaultAction),
    rules: list(spec.rules).map((rule, i): AuthorizationRule => {
      const principal = obj(rule.principal) ?? {};
      const operation = obj(rule.operation) ?? {};
      return {
        name: str(rule.name) ?? `rule-${i}`,
        action: action(rule.action),
        clientCIDRs: strings(principal.clientCIDRs),
        headers: list(principal.headers).flatMap((h) =>
          typeof h.name === 'string' ? [{ name: h.name, values: strings(h.values) }] : [],
        ),
        methods: strings(operation.methods),
        ...rulePath(obj(operation.path)),
        ...ruleJWT(obj(principal.jwt)),
        ...ruleGeoLocations(principal),
        ...ruleCEL(rule, i),
      };
    }),
  };
  const mixed = out.rules.filter((r) => r.action === 'Deny' && r.cel && hasPrincipalOrOperation(r));
  if (mixed.length > MAX_MIXED_CEL_DENY_RULES)
    throw new Problem(
      `authorization.rules: ${mixed.length} Deny rules combine cel with other conditions; at most ${MAX_MIXED_CEL_DENY_RULES} are supported`,
    );
  return out;
}

/** `contextExtensions`: inline values, or a key of a ConfigMap or Secret in the policy's namespace. */
function contextExtensions(
  ctx: TranslatorContext,
  policy: PolicyRef,
  spec: Obj,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [i, ext] of list(spec.contextExtensions).entries()) {
    const field = `extAuth.contextExtensions[${i}]`;
    const name = str(ext.name) ?? '';
    if (ext.type !== 'ValueRef') {
      out[name] = str(ext.value) ?? '';
      continue;
    }
    const ref = obj(ext.valueRef) ?? {};
    const key = str(ref.key) ?? '';
    const target = nsName(policy.namespace, str(ref.name) ?? '');
    const value =
      ref.kind === 'Secret'
        ? (() => {
            const secret = ctx.secrets.get(target);
            return secret && secretValue(secret, key);
          })()
        : ctx.configMaps.get(target)?.data?.[key];
    if (value === undefined)
      throw new Problem(`${field}.valueRef: ${String(ref.kind)} ${target} has no key ${key}`);
    out[name] = value;
  }
  return out;
}

function extAuth(ctx: TranslatorContext, policy: PolicyRef, spec: Obj): ExtAuth {
  const http = obj(spec.http);
  const grpc = obj(spec.grpc);
  const service = http ?? grpc;
  const field = http ? 'extAuth.http' : 'extAuth.grpc';
  const name = `securitypolicy/${policy.namespace}/${policy.name}/extauth`;
  const protocol = http ? 'HTTP' : 'GRPC';
  const refs = serviceDestination(ctx, policy, `${field}.backendRefs`, service, name, protocol);
  if (!refs) throw new Problem(`${field}: backendRefs are required`);
  const settings = serviceSettings(service);
  const destination = { ...refs, ...settings.destination };
  const out: ExtAuth = {
    protocol,
    destination,
    headersToExtAuth: strings(spec.headersToExtAuth),
    headersToBackend: strings(http?.headersToBackend),
    failOpen: spec.failOpen === true,
    includeRouteMetadata: spec.includeRouteMetadata === true,
    recomputeRoute: spec.recomputeRoute === true,
    contextExtensions: contextExtensions(ctx, policy, spec),
  };
  const path = str(http?.path);
  if (path) out.path = path;
  const pathOverride = str(http?.pathOverride);
  if (pathOverride) out.pathOverride = pathOverride;
  const timeout = parseGoDuration(spec.timeout);
  if (timeout !== undefined) out.timeoutMs = timeout;
  const body = obj(spec.bodyToExtAuth);
  if (body && typeof body.maxRequestBytes === 'number') out.maxRequestBytes = body.maxRequestBytes;
  if (typeof spec.statusOnError === 'number') out.statusOnError = spec.statusOnError;
  if (settings.route.retry) out.retry = settings.route.retry;
  return out;
}

/**
 * Envoy's CSRF filter compares the host (and port) of Origin only, so an origin's scheme is
 * dropped: `https://*.trusted.com` -> `*.trusted.com`.
 */
export const csrfOrigin = (origin: string): string =>
  origin.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/.*$/, '');

function csrf(spec: Obj): CSRF {
  const out: CSRF = {
    additionalOrigins: strings(spec.additionalOrigins).map(csrfOrigin),
  };
  const shadow = obj(spec.shadowFraction);
  if (shadow) {
    const numerator = typeof shadow.numerator === 'number' ? shadow.numerator : 0;
    const denominator = typeof shadow.denominator === 'number' ? shadow.denominator : 100;
    out.shadowFraction = denominator > 0 ? Math.min(1, numerator / denominator) : 0;
  }
  return out;
}

function cors(spec: Obj): CORS {
  const out: CORS = {
    allowOrigins: strings(spec.allowOrigins),
    allowMethods: strings(spec.allowMethods),
    allowHeaders: strings(spec.allowHeaders),
    exposeHeaders: strings(spec.exposeHeaders),
    allowCredentials: spec.allowCredentials === true,
  };
  const maxAge = parseGoDuration(spec.maxAge);
  if (maxAge !== undefined) out.maxAgeSeconds = Math.floor(maxAge / 1000);
  return out;
}

export function securityPolicyIR(
  ctx: TranslatorContext,
  policy: PolicyRef,
  spec: Obj,
): SecurityPolicyIR {
  try {
    const security: SecurityIR = { policy: `${policy.namespace}/${policy.name}` };
    const parts = {
      basicAuth: obj(spec.basicAuth),
      apiKeyAuth: obj(spec.apiKeyAuth),
      oidc: obj(spec.oidc),
      jwt: obj(spec.jwt),
      extAuth: obj(spec.extAuth),
      authorization: obj(spec.authorization),
      csrf: obj(spec.csrf),
    };
    if (parts.basicAuth) security.basicAuth = basicAuth(ctx, policy, parts.basicAuth);
    if (parts.apiKeyAuth) security.apiKeyAuth = apiKeyAuth(ctx, policy, parts.apiKeyAuth);
    const login = parts.oidc && oidc(ctx, policy, parts.oidc);
    if (login) security.oidc = login;
    if (parts.jwt) security.jwt = jwt(ctx, policy, parts.jwt);
    if (parts.extAuth) security.extAuth = extAuth(ctx, policy, parts.extAuth);
    if (parts.authorization) security.authorization = authorization(parts.authorization);
    if (parts.csrf) security.csrf = csrf(parts.csrf);
    const out: SecurityPolicyIR = {};
    if (Object.keys(security).length > 1) out.security = security;
    const c = obj(spec.cors);
    if (c) out.cors = cors(c);
    return out;
  } catch (error) {
    if (error instanceof Problem) return { problem: error.message };
    throw error;
  }
}
