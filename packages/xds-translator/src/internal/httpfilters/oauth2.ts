// SecurityPolicy oidc with Envoy's OAuth2 filter: one instance per policy, disabled in the
// connection manager and enabled on the routes the policy protects; its client and HMAC secrets
// are SDS Secrets, its token endpoint a cluster of its own
// (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/oauth2_filter).
//
// The OAuth2 proto that @grpc/grpc-js-xds ships predates fields Envoy Gateway sets (the end
// session endpoint, ID token forwarding, cookie domain and attributes, the nonce and code
// verifier cookie names, token encryption). They are appended to the encoded config in protobuf
// wire format (oauth2Wire.ts), with the field numbers of the Envoy this project runs; a
// repeated embedded message merges into the first (protobuf encoding, "Last One Wins" for
// scalars, merge for messages), so `credentials` gains its extra fields that way.
import {
  type Any,
  FilterConfig,
  HeaderMatcher,
  HttpFilter,
  OAuth2,
  OAuth2Config,
  OAuth2Config_AuthType,
  packAny,
  Secret,
  typeUrlOf,
} from '@egts/envoy-api';
import type { OIDC } from '@egts/ir';
import type { XdsMode } from '../../xdsResources.js';
import { addDestination } from '../cluster/destinationClusters.js';
import { durationMs, sdsSecret } from '../protoValues.js';
import type { HttpFilterTranslator } from './httpFilter.js';
import { boolField, messageField, stringField, varintField } from './oauth2Wire.js';
import { instanceName, policiesWith } from './securityPolicies.js';

const NAME = 'envoy.filters.http.oauth2';
/** Envoy Gateway's timeout of token requests. */
const TOKEN_TIMEOUT_MS = 10_000;

const secretNames = (policy: string) => ({
  token: `oauth2/${policy}/client-secret`,
  hmac: `oauth2/${policy}/hmac`,
});

const cookie = (oidc: OIDC, base: string) => `${base}-${oidc.cookieSuffix}`;

const headerMatcher = (h: OIDC['denyRedirect'][number]): HeaderMatcher => {
  const match =
    h.type === 'Prefix'
      ? { prefix: h.value }
      : h.type === 'Suffix'
        ? { suffix: h.value }
        : h.type === 'RegularExpression'
          ? { safeRegex: { regex: h.value } }
          : { exact: h.value };
  return HeaderMatcher.fromPartial({ name: h.name, stringMatch: { ...match, ignoreCase: false } });
};

/** Envoy's CookieConfig.SameSite numbers. */
const SAME_SITE = { Strict: 1, Lax: 2, None: 3 } as const;

/** The fields the generated OAuth2Config lacks, in wire format (see the note at the top). */
const newerFields = (oidc: OIDC): Buffer[] => {
  const cookieNames = [
    stringField(6, cookie(oidc, 'OauthNonce')),
    stringField(7, cookie(oidc, 'CodeVerifier')),
  ];
  const credentials = [messageField(4, cookieNames)];
  if (oidc.cookieDomain) credentials.push(stringField(5, oidc.cookieDomain));
  const out = [messageField(3, credentials)];
  if (oidc.endSessionEndpoint) out.push(stringField(23, oidc.endSessionEndpoint));
  if (oidc.forwardIDTokenHeader)
    out.push(messageField(31, [stringField(1, oidc.forwardIDTokenHeader)]));
  if (oidc.disableTokenEncryption) out.push(boolField(26, true));
  if (oidc.csrfTokenTTLMs !== undefined) {
    const d = durationMs(oidc.csrfTokenTTLMs);
    out.push(messageField(24, [varintField(1, d.seconds), varintField(2, d.nanos)]));
  }
  if (oidc.sameSite) {
    const sameSite = SAME_SITE[oidc.sameSite];
    // The same attribute on each of the seven cookies (CookieConfigs fields 1-7).
    const configs = [1, 2, 3, 4, 5, 6, 7].map((field) =>
      messageField(field, [varintField(1, sameSite)]),
    );
    out.push(messageField(21, configs));
  }
  return out;
};

const config = (policy: string, oidc: OIDC, mode: XdsMode): OAuth2Config => {
  const secrets = secretNames(policy);
  return OAuth2Config.fromPartial({
    tokenEndpoint: {
      uri: oidc.tokenEndpoint,
      cluster: oidc.tokenDestination.name,
      timeout: durationMs(TOKEN_TIMEOUT_MS),
    },
    authorizationEndpoint: oidc.authorizationEndpoint,
    credentials: {
      clientId: oidc.clientID,
      tokenSecret: sdsSecret(secrets.token, mode),
      hmacSecret: sdsSecret(secrets.hmac, mode),
      cookieNames: {
        bearerToken: oidc.accessTokenCookie ?? cookie(oidc, 'AccessToken'),
        oauthHmac: cookie(oidc, 'OauthHMAC'),
        oauthExpires: cookie(oidc, 'OauthExpires'),
        idToken: oidc.idTokenCookie ?? cookie(oidc, 'IdToken'),
        refreshToken: cookie(oidc, 'RefreshToken'),
      },
    },
    redirectUri: oidc.redirectURL,
    redirectPathMatcher: { path: { exact: oidc.redirectPath, ignoreCase: false } },
    signoutPath: { path: { exact: oidc.logoutPath, ignoreCase: false } },
    forwardBearerToken: oidc.forwardAccessToken,
    // A request already carrying a token goes on to the JWT filter, which verifies it.
    passThroughMatcher: oidc.passThroughAuthHeader
      ? [HeaderMatcher.fromPartial({ name: 'authorization', presentMatch: true })]
      : [],
    authScopes: oidc.scopes,
    resources: oidc.resources,
    authType: OAuth2Config_AuthType.BASIC_AUTH,
    useRefreshToken: oidc.refreshToken,
    ...(oidc.defaultTokenTTLMs !== undefined
      ? { defaultExpiresIn: durationMs(oidc.defaultTokenTTLMs) }
      : {}),
    ...(oidc.defaultRefreshTokenTTLMs !== undefined
      ? { defaultRefreshTokenExpiresIn: durationMs(oidc.defaultRefreshTokenTTLMs) }
      : {}),
    denyRedirectMatcher: oidc.denyRedirect.map(headerMatcher),
  });
};

/** The filter's Any: the generated config followed by the newer fields. */
const oauth2Any = (policy: string, oidc: OIDC, mode: XdsMode): Any => {
  const encoded = Buffer.from(OAuth2Config.encode(config(policy, oidc, mode)).finish());
  const value = messageField(1, [encoded, ...newerFields(oidc)]);
  return { typeUrl: typeUrlOf(OAuth2), value };
};

/**
 * Enables the instance on a route. The OAuth2 filter's per-route message (OAuth2PerRoute) would
 * replace the whole config; an empty config only lifts `disabled`, which is what is meant.
 */
const ENABLED: Any = packAny(
  FilterConfig,
  FilterConfig.fromPartial({ config: { typeUrl: '', value: Buffer.alloc(0) } }),
);

export const oauth2Filter: HttpFilterTranslator = {
  patchListener: (listeners, mode) =>
    policiesWith(listeners, 'oidc').map(({ policy, oidc }) =>
      HttpFilter.fromPartial({
        name: instanceName(NAME, policy),
        disabled: true,
        typedConfig: oauth2Any(policy, oidc, mode),
      }),
    ),
  patchRoute: (route) =>
    route.security?.oidc === undefined
      ? undefined
      : { [instanceName(NAME, route.security.policy)]: ENABLED },
  addResources: (listener, out) => {
    for (const { policy, oidc } of policiesWith([listener], 'oidc')) {
      addDestination(oidc.tokenDestination, out, { single: true });
      const secrets = secretNames(policy);
      out.addSecret(
        Secret.fromPartial({
          name: secrets.token,
          genericSecret: { secret: { inlineString: oidc.clientSecret } },
        }),
      );
      out.addSecret(
        Secret.fromPartial({
          name: secrets.hmac,
          genericSecret: { secret: { inlineString: oidc.hmacSecret } },
        }),
      );
    }
  },
};
