// OpenID provider discovery for SecurityPolicy oidc (OpenID Connect Discovery 1.0, section 4):
// a provider given by its issuer alone has its endpoints in `<issuer>/.well-known/openid-
// configuration`. Envoy Gateway's control plane fetches that document; so does egts, but outside
// translate(), which stays pure: a caller fetches the documents of the issuers oidcIssuers()
// names, then passes the result as TranslateOptions.oidcDiscovery. An issuer whose document could
// not be fetched is there with its error, and its policies are not accepted (routes fail closed).
// A one-shot caller (`egts translate`) uses discoverOidcProviders(); a long-running control plane
// (`egts run`/`server`) uses createOidcDiscoverer(), which fetches in the background, retries
// failures with back-off, and hands each new result to createTranslator().update().

import { isDeepStrictEqual } from 'node:util';
import type { Resources } from '@egts/api';
import { isRecord } from '@egts/api';

/** The endpoints of an OpenID provider, from its discovery document. */
export interface OidcProviderEndpoints {
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly endSessionEndpoint?: string;
}

/** Discovery results by issuer: the endpoints, or why they could not be had. */
export type OidcDiscovery = ReadonlyMap<string, OidcProviderEndpoints | { readonly error: string }>;

/** Issuers of SecurityPolicies whose oidc provider lacks an endpoint, sorted. */
export function oidcIssuers(resources: Pick<Resources, 'securityPolicies'>): string[] {
  const issuers = new Set<string>();
  for (const policy of resources.securityPolicies) {
    const spec: unknown = policy.spec;
    const oidc = isRecord(spec) ? spec.oidc : undefined;
    const provider = isRecord(oidc) ? oidc.provider : undefined;
    if (!isRecord(provider) || typeof provider.issuer !== 'string') continue;
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
  if (!isRecord(doc)) throw new Error('the discovery document is not a JSON object');
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

type Result = OidcProviderEndpoints | { readonly error: string };

/** One attempt at an issuer's discovery document: its endpoints, or why not. */
async function fetchOnce(
  issuer: string,
  options: Pick<DiscoverOptions, 'fetch' | 'timeoutMs'>,
): Promise<Result> {
  const get = options.fetch ?? ((url, init) => fetch(url, init));
  const url = discoveryURL(issuer);
  try {
    const response = await get(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 5_000) });
    if (!response.ok) return { error: `${url}: HTTP ${response.status}` };
    return endpointsOf(issuer, await response.json());
  } catch (cause) {
    return { error: `${url}: ${cause instanceof Error ? cause.message : String(cause)}` };
  }
}

async function discoverOne(issuer: string, options: DiscoverOptions) {
  const attempts = options.attempts ?? 3;
  let result: Result = { error: 'not fetched' };
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    if (attempt > 0) await sleep((options.backoffMs ?? 200) * 2 ** (attempt - 1));
    result = await fetchOnce(issuer, options);
    if (!('error' in result)) return result;
  }
  return result;
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

export interface OidcDiscovererOptions {
  /** How documents are fetched; default the global fetch. */
  readonly fetch?: (url: string, init: { signal: AbortSignal }) => Promise<Response>;
  /** Timeout of one attempt (default 5 s). */
  readonly timeoutMs?: number;
  /** Wait before the first retry of a failed issuer (default 1 s), doubled after each failure. */
  readonly backoffMs?: number;
  /** The longest wait between retries (default 30 s). */
  readonly maxBackoffMs?: number;
  /**
   * How long a fetched document is used before it is fetched again (default 10 min): a provider
   * may move its endpoints. A refresh that fails keeps the document and is retried with back-off.
   */
  readonly refreshMs?: number;
}

/**
 * Discovery for a control plane that runs beside the translator (as Envoy Gateway's does): it is
 * told which issuers the resources name now (`want`), fetches each new one in the background,
 * keeps a fetched document and fetches it again every `refreshMs`, retries a failed issuer with
 * a capped back-off, and tells its listeners a new discovery map each time a result changes. The map is a new object only when
 * something in it changed, so a translator can compare it by identity.
 */
export interface OidcDiscoverer {
  /**
   * Sets the issuers wanted (oidcIssuers() of the latest resources): new ones are fetched, the
   * others forgotten. Returns the current map; never calls the listeners itself.
   */
  want(issuers: readonly string[]): OidcDiscovery;
  /** The results so far, of the wanted issuers: an issuer not fetched yet has no entry. */
  current(): OidcDiscovery;
  /** True while a wanted issuer has no result yet (its first attempt is in flight). */
  pending(): boolean;
  /** Resolves once no wanted issuer is pending, or after `timeoutMs`. */
  settled(timeoutMs: number): Promise<void>;
  /** Calls `listener` with each new map a fetch or retry produces; returns the unsubscribe. */
  subscribe(listener: (discovery: OidcDiscovery) => void): () => void;
  /** Stops every retry; results of fetches in flight are dropped. */
  close(): void;
}

interface Tracked {
  result?: Result;
  /** Failures in a row: the next retry waits backoffMs * 2^(failures-1), capped. */
  failures: number;
  timer?: ReturnType<typeof setTimeout> | undefined;
  /** Incremented when the issuer is forgotten or the discoverer closed: late results are dropped. */
  generation: number;
}

export function createOidcDiscoverer(options: OidcDiscovererOptions = {}): OidcDiscoverer {
  const tracked = new Map<string, Tracked>();
  const listeners = new Set<(discovery: OidcDiscovery) => void>();
  const waiters = new Set<() => void>();
  let current: OidcDiscovery = new Map();
  let closed = false;

  const rebuild = () => {
    const next = new Map<string, Result>();
    for (const [issuer, entry] of [...tracked].sort(([a], [b]) => (a < b ? -1 : 1)))
      if (entry.result) next.set(issuer, entry.result);
    current = next;
  };
  const isPending = () => [...tracked.values()].some((entry) => entry.result === undefined);
  const notifyWaiters = () => {
    if (isPending()) return;
    for (const resolve of waiters) resolve();
    waiters.clear();
  };

  const schedule = (issuer: string, entry: Tracked, wait: number) => {
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      attempt(issuer, entry);
    }, wait);
    entry.timer.unref?.();
  };
  const backoff = (entry: Tracked) =>
    Math.min(
      (options.backoffMs ?? 1_000) * 2 ** (entry.failures - 1),
      options.maxBackoffMs ?? 30_000,
    );

  const attempt = (issuer: string, entry: Tracked) => {
    const generation = entry.generation;
    void fetchOnce(issuer, options).then((result) => {
      if (closed || tracked.get(issuer) !== entry || entry.generation !== generation) return;
      const before = entry.result;
      if ('error' in result) {
        entry.failures += 1;
        schedule(issuer, entry, backoff(entry));
        // A refresh that fails keeps the document Envoy is using: the provider may be back soon,
        // and the routes keep working meanwhile.
        if (before && !('error' in before)) return;
      } else {
        entry.failures = 0;
        schedule(issuer, entry, options.refreshMs ?? 600_000);
      }
      entry.result = result;
      notifyWaiters();
      // A result equal to the previous one (a refresh, or a retry failing the same way) changes
      // nothing: no new map, no translation.
      if (before && isDeepStrictEqual(before, result)) return;
      rebuild();
      for (const listener of listeners) listener(current);
    });
  };

  return {
    want(issuers) {
      if (closed) return current;
      const wanted = new Set(issuers);
      let dropped = false;
      for (const [issuer, entry] of tracked) {
        if (wanted.has(issuer)) continue;
        if (entry.timer) clearTimeout(entry.timer);
        entry.generation += 1;
        tracked.delete(issuer);
        if (entry.result) dropped = true;
      }
      for (const issuer of wanted) {
        if (tracked.has(issuer)) continue;
        const entry: Tracked = { failures: 0, generation: 0 };
        tracked.set(issuer, entry);
        attempt(issuer, entry);
      }
      if (dropped) rebuild();
      notifyWaiters();
      return current;
    },
    current: () => current,
    pending: isPending,
    settled(timeoutMs) {
      if (!isPending() || closed) return Promise.resolve();
      return new Promise((resolve) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const done = () => {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        };
        waiters.add(done);
        timer = setTimeout(done, timeoutMs);
        timer.unref?.();
      });
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      closed = true;
      for (const entry of tracked.values()) if (entry.timer) clearTimeout(entry.timer);
      listeners.clear();
      for (const resolve of waiters) resolve();
      waiters.clear();
    },
  };
}
