// SecurityPolicy oidc with Envoy's OAuth2 filter: one instance per policy, disabled in the
// connection manager and enabled on the routes the policy protects; its client and HMAC secrets
// are SDS Secrets, its token endpoint a cluster of its own
// (https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/oauth2_filter).
import {
  CookieConfig_SameSite,
  HeaderMatcher,
  HttpFilter,
  OAuth2,
  OAuth2Config,
  OAuth2Config_AuthType,
  packAny,
  Secret,
} from '@egts/envoy-api';
import type { OIDC } from '@egts/ir';
import type { XdsMode } from '../../xdsResources.js';
import { addDestination } from '../cluster/destinationClusters.js';
import { durationMs, sdsSecret } from '../protoValues.js';
import type { HttpFilterTranslator } from './httpFilter.js';
import { enabledAsConfigured, instanceName, policiesWith, securityOf } from './securityPolicies.js';
import { serviceRetryPolicy } from './serviceRetry.js';

const NAME = 'envoy.filters.http.oauth2';
/** Envoy Gateway's timeout of token requests (a provider's requestTimeout overrides it). */
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

const SAME_SITE = {
  Strict: CookieConfig_SameSite.STRICT,
  Lax: CookieConfig_SameSite.LAX,
  None: CookieConfig_SameSite.NONE,
} as const;

/** The same SameSite attribute on each of the filter's cookies. */
const cookieConfigs = (sameSite: NonNullable<OIDC['sameSite']>) => {
  const config = { sameSite: SAME_SITE[sameSite] };
  return {
    bearerTokenCookieConfig: config,
    oauthHmacCookieConfig: config,
    oauthExpiresCookieConfig: config,
    idTokenCookieConfig: config,
    refreshTokenCookieConfig: config,
    oauthNonceCookieConfig: config,
    codeVerifierCookieConfig: config,
  };
};

const config = (policy: string, oidc: OIDC, mode: XdsMode): OAuth2Config => {
  const secrets = secretNames(policy);
  return OAuth2Config.fromPartial({
    tokenEndpoint: {
      uri: oidc.tokenEndpoint,
      cluster: oidc.tokenDestination.name,
      timeout: durationMs(oidc.tokenTimeoutMs ?? TOKEN_TIMEOUT_MS),
    },
    authorizationEndpoint: oidc.authorizationEndpoint,
    endSessionEndpoint: oidc.endSessionEndpoint ?? '',
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
        oauthNonce: cookie(oidc, 'OauthNonce'),
        codeVerifier: cookie(oidc, 'CodeVerifier'),
      },
      cookieDomain: oidc.cookieDomain ?? '',
    },
    redirectUri: oidc.redirectURL,
    redirectPathMatcher: { path: { exact: oidc.redirectPath, ignoreCase: false } },
    signoutPath: { path: { exact: oidc.logoutPath, ignoreCase: false } },
    forwardBearerToken: oidc.forwardAccessToken,
    ...(oidc.forwardIDTokenHeader ? { forwardIdToken: { header: oidc.forwardIDTokenHeader } } : {}),
    // A request already carrying a token goes on to the JWT filter, which verifies it.
    passThroughMatcher: oidc.passThroughAuthHeader
      ? [HeaderMatcher.fromPartial({ name: 'authorization', presentMatch: true })]
      : [],
    authScopes: oidc.scopes,
    resources: oidc.resources,
    authType: OAuth2Config_AuthType.BASIC_AUTH,
    useRefreshToken: oidc.refreshToken,
    ...(oidc.retry ? { retryPolicy: serviceRetryPolicy(oidc.retry) } : {}),
    ...(oidc.defaultTokenTTLMs !== undefined
      ? { defaultExpiresIn: durationMs(oidc.defaultTokenTTLMs) }
      : {}),
    ...(oidc.defaultRefreshTokenTTLMs !== undefined
      ? { defaultRefreshTokenExpiresIn: durationMs(oidc.defaultRefreshTokenTTLMs) }
      : {}),
    denyRedirectMatcher: oidc.denyRedirect.map(headerMatcher),
    ...(oidc.csrfTokenTTLMs !== undefined
      ? { csrfTokenExpiresIn: durationMs(oidc.csrfTokenTTLMs) }
      : {}),
    disableTokenEncryption: oidc.disableTokenEncryption,
    ...(oidc.sameSite ? { cookieConfigs: cookieConfigs(oidc.sameSite) } : {}),
  });
};

export const oauth2Filter: HttpFilterTranslator = {
  resourcesPerRoute: true,
  patchListener: (listeners, mode) =>
    policiesWith(listeners, 'oidc').map(({ policy, oidc }) =>
      HttpFilter.fromPartial({
        name: instanceName(NAME, policy),
        disabled: true,
        typedConfig: packAny(OAuth2, { config: config(policy, oidc, mode) }),
      }),
    ),
  routeConfigOf: securityOf,
  patchRoute: (route) =>
    route.security?.oidc === undefined
      ? undefined
      : { [instanceName(NAME, route.security.policy)]: enabledAsConfigured },
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
