// OpenID provider discovery for SecurityPolicy oidc (OpenID Connect Discovery 1.0, section 4):
// a provider given by its issuer alone has its endpoints in `<issuer>/.well-known/openid-
// configuration`. Envoy Gateway's control plane fetches that document; so does egts, but outside
// translate(), which stays pure: a caller fetches the documents of the issuers oidcIssuers()
// names, then passes the result as TranslateOptions.oidcDiscovery. An issuer whose document could
// not be fetched is there with its error, and its policies are not accepted (routes fail closed).
import type { Resources } from '@egts/api';

/** The endpoints of an OpenID provider, from its discovery document. */
export interface OidcProviderEndpoints {
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly endSessionEndpoint?: string;
}

/** Discovery results by issuer: the endpoints, or why they could not be had. */
export type OidcDiscovery = ReadonlyMap<string, OidcProviderEndpoints | { readonly error: string }>;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Issuers of SecurityPolicies whose oidc provider lacks an endpoint, sorted. */
export function oidcIssuers(resources: Pick<Resources, 'securityPolicies'>): string[] {
  const issuers = new Set<string>();
  for (const policy of resources.securityPolicies) {
    const spec: unknown = policy.spec;
    const oidc = isObject(spec) ? spec.oidc : undefined;
    const provider = isObject(oidc) ? oidc.provider : undefined;
    if (!isObject(provider) || typeof provider.issuer !== 'string') continue;
    if (provider.authorizationEndpoint && provider.tokenEndpoint) continue;
    issuers.add(provider.issuer);
  }
  return [...issuers].sort();
}

/** The discovery document's URL: `/.well-known/openid-configuration` after the issuer's path. */
export const discoveryURL = (issuer: string): string =>
  `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;

export interface DiscoverOptions {
  /** How documents are fetched; default the global fetch. */
  readonly fetch?: (url: string, init: { signal: AbortSignal }) => Promise<Response>;
  /** Attempts per issuer before giving up (default 3), waiting `backoffMs` doubled between. */
  readonly attempts?: number;
  readonly backoffMs?: number;
  /** Timeout of one attempt (default 5 s). */
  readonly timeoutMs?: number;
  /** Earlier results: an issuer found there is not fetched again (failures are). */
  readonly known?: OidcDiscovery;
}

const endpointsOf = (issuer: string, doc: unknown): OidcProviderEndpoints => {
  if (!isObject(doc)) throw new Error('the discovery document is not a JSON object');
  // OpenID Connect Discovery 1.0, section 4.3: the document's issuer is the one asked for.
  if (
    typeof doc.issuer === 'string' &&
    doc.issuer.replace(/\/+$/, '') !== issuer.replace(/\/+$/, '')
  )
    throw new Error(`the discovery document names issuer ${doc.issuer}`);
  const { authorization_endpoint: auth, token_endpoint: token, end_session_endpoint: end } = doc;
  if (typeof auth !== 'string' || typeof token !== 'string')
    throw new Error('the discovery document has no authorization_endpoint or token_endpoint');
  return {
    authorizationEndpoint: auth,
    tokenEndpoint: token,
    ...(typeof end === 'string' ? { endSessionEndpoint: end } : {}),
  };
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function discoverOne(issuer: string, options: DiscoverOptions) {
  const get = options.fetch ?? ((url, init) => fetch(url, init));
  const attempts = options.attempts ?? 3;
  const url = discoveryURL(issuer);
  let error = 'not fetched';
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    if (attempt > 0) await sleep((options.backoffMs ?? 200) * 2 ** (attempt - 1));
    try {
      const response = await get(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 5_000) });
      if (!response.ok) {
        error = `${url}: HTTP ${response.status}`;
        continue;
      }
      return endpointsOf(issuer, await response.json());
    } catch (cause) {
      error = `${url}: ${cause instanceof Error ? cause.message : String(cause)}`;
    }
  }
  return { error };
}

/** Fetches the discovery document of each issuer (with retries), all at once. */
export async function discoverOidcProviders(
  issuers: readonly string[],
  options: DiscoverOptions = {},
): Promise<OidcDiscovery> {
  const results = await Promise.all(
    issuers.map(async (issuer) => {
      const known = options.known?.get(issuer);
      if (known && !('error' in known)) return [issuer, known] as const;
      return [issuer, await discoverOne(issuer, options)] as const;
    }),
  );
  return new Map(results);
}
