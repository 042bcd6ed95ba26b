// A local stand-in for the Keycloak of Envoy Gateway's OIDC e2e test: a real, certified OpenID
// provider (the `oidc-provider` package) at Keycloak's paths for realm `master`
// (`/realms/master/protocol/openid-connect/{auth,token,certs,logout}`), with the test's user
// (oidcuser / oidcpassword) and clients (oidctest, oidctest-foo, oidctest-bar, as the suite's
// setup Job creates them), and a login page shaped like Keycloak's (form `kc-form-login`,
// fields `username` and `password`). Access tokens are JWTs signed with the provider's key, so a
// JWT provider reading its JWKS verifies what the OIDC login forwards, as with Keycloak.
import { generateKeyPairSync } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type ServerResponse,
} from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { createSecureContext } from 'node:tls';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { StandInServer } from './cluster.js';
import { listenLocally } from './listenLocally.js';

export const OIDC_ISSUER = 'http://keycloak.gateway-conformance-infra/realms/master';
const REALM = '/realms/master';
const PROTOCOL = `${REALM}/protocol/openid-connect`;
const LOGIN = `${REALM}/login-actions`;
/** The resource server the access tokens are for (the protected application). */
const RESOURCE = 'http://www.example.com';
const USER = { username: 'oidcuser', password: 'oidcpassword' };

/**
 * egts's own client whose token responses leave out `expires_in` (RFC 6749 §5.1: RECOMMENDED,
 * not required), so that the relying party's default token lifetime applies.
 */
export const NO_EXPIRY_CLIENT = 'egts-no-expiry';

/** The clients of the suite's setup Job: secret `<client>-client-secret`, callback per path. */
const CLIENTS = [
  ['oidctest', '/myapp'],
  ['oidctest-foo', '/foo'],
  ['oidctest-bar', '/bar'],
  [NO_EXPIRY_CLIENT, '/egts-ttl'],
].map(([id, path]) => ({
  client_id: id!,
  client_secret: `${id}-client-secret`,
  redirect_uris: [`http://www.example.com${path}/oauth2/callback`],
  post_logout_redirect_uris: ['http://www.example.com/'],
  grant_types: ['authorization_code', 'refresh_token'],
  token_endpoint_auth_method: 'client_secret_basic' as const,
}));

const signingKey = () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: 'egts-oidc', alg: 'RS256', use: 'sig' };
};

const configuration = (): Configuration => ({
  clients: CLIENTS,
  jwks: { keys: [signingKey()] as NonNullable<Configuration['jwks']>['keys'] },
  cookies: { keys: ['egts-conformance-oidc'] },
  routes: {
    authorization: `${PROTOCOL}/auth`,
    token: `${PROTOCOL}/token`,
    jwks: `${PROTOCOL}/certs`,
    end_session: `${PROTOCOL}/logout`,
    userinfo: `${PROTOCOL}/userinfo`,
  },
  interactions: { url: (_ctx, interaction) => `${LOGIN}/${interaction.uid}` },
  findAccount: (_ctx, sub) => ({
    accountId: sub,
    claims: () => ({ sub, email: `${sub}@example.com`, preferred_username: sub }),
  }),
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true },
    // JWT access tokens for the application, as Keycloak issues.
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'api',
        audience: RESOURCE,
        accessTokenFormat: 'jwt',
        accessTokenTTL: 3600,
      }),
    },
  },
  // Keycloak gives its confidential clients a refresh token with every code exchange.
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  // The user agreed to every client once (Keycloak's clients have consent off): no consent page.
  loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
    const { client, session, provider } = ctx.oidc;
    if (!client || !session?.accountId) return undefined;
    const existing = session.grantIdFor(client.clientId);
    if (existing) return provider.Grant.find(existing);
    const grant = new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
    grant.addOIDCScope('openid email profile offline_access');
    grant.addOIDCClaims(['sub', 'email', 'preferred_username']);
    grant.addResourceScope(RESOURCE, 'api');
    await grant.save();
    session.ensureClientContainer(client.clientId);
    session.grantIdFor(client.clientId, grant.jti);
    return grant;
  },
});

const loginPage = (uid: string, error = '') => `<!doctype html>
<html><body>
${error ? `<p id="input-error">${error}</p>` : ''}
<form id="kc-form-login" action="${LOGIN}/${uid}" method="post">
  <input id="username" name="username" type="text">
  <input id="password" name="password" type="password">
  <input id="kc-login" type="submit" value="Sign In">
</form>
</body></html>`;

const readForm = (req: IncomingMessage): Promise<URLSearchParams> =>
  new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });

/** GET shows the login form; POST checks the user and hands the login back to the provider. */
async function interaction(provider: Provider, req: IncomingMessage, res: ServerResponse) {
  const details = await provider.interactionDetails(req, res);
  if (req.method !== 'POST') {
    res.writeHead(200, { 'content-type': 'text/html' }).end(loginPage(details.uid));
    return;
  }
  const form = await readForm(req);
  if (form.get('username') !== USER.username || form.get('password') !== USER.password) {
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end(loginPage(details.uid, 'Invalid username or password.'));
    return;
  }
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId: USER.username } },
    { mergeWithLastSubmission: false },
  );
}

/** Keycloak's HTTPS container port (KC_HTTPS_PORT). */
const HTTPS_PORT = 8443;

/**
 * The provider on Keycloak's HTTP port and on its HTTPS port, as Keycloak serves both. The HTTPS
 * port presents the certificate the Deployment mounts, read at each handshake (`certificate`):
 * the Secret may be applied after the Deployment, as a pod waits for its mounted Secret.
 */
export const startOpenIdProvider = async (
  certificate: () => { cert: Buffer; key: Buffer } | undefined,
): Promise<StandInServer> => {
  const provider = new Provider(OIDC_ISSUER, configuration());
  // Envoy in front says how the client reached it (X-Forwarded-Proto).
  provider.proxy = true;
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as Record<string, unknown> | undefined;
    if (ctx.oidc?.route === 'token' && ctx.oidc.client?.clientId === NO_EXPIRY_CLIENT && body)
      delete body.expires_in;
  });
  const callback = provider.callback();
  const serve: RequestListener = (req, res) => {
    if (req.url?.startsWith(`${LOGIN}/`)) {
      interaction(provider, req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
        res.end(error instanceof Error ? error.message : String(error));
      });
      return;
    }
    // Keycloak serves discovery under the realm (the issuer's path); oidc-provider at its root.
    if (req.url === `${REALM}/.well-known/openid-configuration`)
      req.url = '/.well-known/openid-configuration';
    callback(req, res);
  };
  const http = await listenLocally(createServer(serve));
  const https = await listenLocally(
    createTlsServer(
      {
        SNICallback: (_name, done) => {
          const tls = certificate();
          if (tls) done(null, createSecureContext(tls));
          else done(new Error('the Deployment mounts no serving certificate'));
        },
      },
      serve,
    ),
  );
  return {
    port: http.port,
    ports: { [HTTPS_PORT]: https.port },
    close: async () => {
      await Promise.all([http.close(), https.close()]);
    },
  };
};
