// createOidcDiscoverer(): discovery beside a long-running translator. A fake fetch stands in for
// the providers; back-off is a few milliseconds so the retries happen within the test.
import { readFileSync } from 'node:fs';
import { loadResourcesFromText } from '@egts/api';
import { describe, expect, it } from 'vitest';
import { createTranslator } from '../createTranslator.js';
import { createOidcDiscoverer, type OidcDiscovery } from '../oidcDiscovery.js';

const doc = (issuer: string) => ({
  issuer,
  authorization_endpoint: `${issuer}/auth`,
  token_endpoint: `${issuer}/token`,
});

/** A fetch answering from `answer` (a document, or an HTTP status), counting calls per URL. */
function fakeFetch(answer: (url: string) => object | number) {
  const calls = new Map<string, number>();
  const fetch = async (url: string) => {
    calls.set(url, (calls.get(url) ?? 0) + 1);
    const found = answer(url);
    return typeof found === 'number'
      ? new Response('no', { status: found })
      : new Response(JSON.stringify(found), { headers: { 'content-type': 'application/json' } });
  };
  return { fetch, calls };
}

/** The next map the discoverer publishes. */
const next = (discoverer: ReturnType<typeof createOidcDiscoverer>) =>
  new Promise<OidcDiscovery>((resolve) => {
    const stop = discoverer.subscribe((map) => {
      stop();
      resolve(map);
    });
  });

const A = 'https://a.example/realm';
const B = 'https://b.example';
const url = (issuer: string) => `${issuer}/.well-known/openid-configuration`;

describe('createOidcDiscoverer', () => {
  it('fetches a new issuer in the background and publishes its endpoints', async () => {
    const { fetch, calls } = fakeFetch((u) =>
      doc(u.replace('/.well-known/openid-configuration', '')),
    );
    const discoverer = createOidcDiscoverer({ fetch });
    const published = next(discoverer);
    // want() answers at once, without the document: the fetch never delays a translation.
    expect(discoverer.want([A]).size).toBe(0);
    expect(discoverer.pending()).toBe(true);
    const map = await published;
    expect(map.get(A)).toEqual({
      authorizationEndpoint: `${A}/auth`,
      tokenEndpoint: `${A}/token`,
    });
    expect(discoverer.current()).toBe(map);
    expect(discoverer.pending()).toBe(false);
    expect(calls.get(url(A))).toBe(1);
    discoverer.close();
  });

  it('keeps a fetched document: the same issuers again fetch nothing and keep the map', async () => {
    const { fetch, calls } = fakeFetch((u) =>
      doc(u.replace('/.well-known/openid-configuration', '')),
    );
    const discoverer = createOidcDiscoverer({ fetch });
    discoverer.want([A]);
    await discoverer.settled(10_000);
    const first = discoverer.current();
    expect(discoverer.want([A])).toBe(first);
    expect(discoverer.want([A])).toBe(first);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls.get(url(A))).toBe(1);
    expect(discoverer.current()).toBe(first);
    // Another issuer: fetched alone, A kept.
    discoverer.want([A, B]);
    const both = await next(discoverer);
    expect([...both.keys()]).toEqual([A, B]);
    expect(calls.get(url(A))).toBe(1);
    expect(calls.get(url(B))).toBe(1);
    // An issuer no longer named is forgotten (a new map without it).
    const onlyB = discoverer.want([B]);
    expect([...onlyB.keys()]).toEqual([B]);
    discoverer.close();
  });

  it('retries a failed issuer with back-off and publishes the endpoints once it answers', async () => {
    let up = false;
    const { fetch, calls } = fakeFetch(() => (up ? doc(A) : 503));
    const discoverer = createOidcDiscoverer({ fetch, backoffMs: 20, maxBackoffMs: 40 });
    discoverer.want([A]);
    const failed = await next(discoverer);
    expect(failed.get(A)).toEqual({ error: `${url(A)}: HTTP 503` });
    // Further failures with the same error publish nothing new; the back-off is capped, so
    // several retries happen within a few hundred milliseconds.
    const published: OidcDiscovery[] = [];
    const stop = discoverer.subscribe((map) => published.push(map));
    const started = Date.now();
    while ((calls.get(url(A)) ?? 0) < 5 && Date.now() - started < 30_000)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(calls.get(url(A))).toBeGreaterThanOrEqual(5);
    expect(published).toEqual([]);
    expect(discoverer.current()).toBe(failed);
    up = true;
    const recovered = await next(discoverer);
    expect(recovered.get(A)).toEqual({
      authorizationEndpoint: `${A}/auth`,
      tokenEndpoint: `${A}/token`,
    });
    expect(published).toEqual([recovered]);
    // Once fetched, no more retries.
    const count = calls.get(url(A));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(calls.get(url(A))).toBe(count);
    stop();
    discoverer.close();
  });

  it('fetches a document again every refreshMs: a moved endpoint is published, a failure keeps it', async () => {
    let answer: object | number = doc(A);
    const { fetch, calls } = fakeFetch(() => answer);
    const discoverer = createOidcDiscoverer({ fetch, refreshMs: 30, backoffMs: 20 });
    const published: OidcDiscovery[] = [];
    const stop = discoverer.subscribe((map) => published.push(map));
    discoverer.want([A]);
    await discoverer.settled(10_000);
    const first = discoverer.current();
    const waitCalls = async (n: number) => {
      const started = Date.now();
      while ((calls.get(url(A)) ?? 0) < n && Date.now() - started < 30_000)
        await new Promise((resolve) => setTimeout(resolve, 5));
    };
    // Refreshes of an unchanged document publish nothing.
    await waitCalls(3);
    expect(published).toEqual([first]);
    // The provider moves its token endpoint: the next refresh publishes it.
    answer = { ...doc(A), token_endpoint: `${A}/token2` };
    const moved = await next(discoverer);
    expect(moved.get(A)).toEqual({
      authorizationEndpoint: `${A}/auth`,
      tokenEndpoint: `${A}/token2`,
    });
    // The provider fails: the document in use stays, retried until it answers again.
    answer = 503;
    const before = calls.get(url(A)) ?? 0;
    await waitCalls(before + 3);
    expect(discoverer.current()).toBe(moved);
    expect(published).toEqual([first, moved]);
    stop();
    discoverer.close();
  });

  it('waits for the first fetches when asked to, bounded', async () => {
    const never = () => new Promise<Response>(() => {});
    const discoverer = createOidcDiscoverer({ fetch: never });
    discoverer.want([A]);
    const started = Date.now();
    await discoverer.settled(100);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(discoverer.pending()).toBe(true);
    expect(discoverer.current().size).toBe(0);
    discoverer.close();
  });
});

describe('createTranslator with discovery as an input', () => {
  const { resources } = loadResourcesFromText(
    readFileSync(
      new URL('../../testdata/securitypolicy-oidc-bad-input.in.yaml', import.meta.url),
      'utf8',
    ),
    'test',
  );
  const accepted = (
    statuses: ReturnType<ReturnType<typeof createTranslator>['update']>['statuses'],
  ) => {
    const policy = statuses.find(
      (s) => s.kind === 'SecurityPolicy' && s.metadata.name === 'no-endpoints',
    );
    const ancestors = policy?.status.ancestors as {
      conditions: { type: string; status: string }[];
    }[];
    return ancestors[0]?.conditions.find((c) => c.type === 'Accepted')?.status;
  };

  it('translates everything again when the discovery map changes, and keeps it when omitted', () => {
    const translator = createTranslator();
    expect(accepted(translator.update(resources).statuses)).toBe('False');
    const found: OidcDiscovery = new Map([
      [
        'https://idp.example.com',
        {
          authorizationEndpoint: 'https://idp.example.com/auth',
          tokenEndpoint: 'https://idp.example.com/token',
        },
      ],
    ]);
    // Same resources, new discovery: a full translation, the policy now accepted.
    const update = translator.update(resources, { oidcDiscovery: found });
    expect(update.path).toBe('full');
    expect(accepted(update.statuses)).toBe('True');
    expect(update.changed).toEqual(new Set(['default/gw']));
    // Omitted, or the same map: the discovery stays.
    expect(accepted(translator.update(resources).statuses)).toBe('True');
    expect(accepted(translator.update(resources, { oidcDiscovery: found }).statuses)).toBe('True');
    // A failure replacing it: not accepted again.
    const failed: OidcDiscovery = new Map([['https://idp.example.com', { error: 'HTTP 503' }]]);
    expect(accepted(translator.update(resources, { oidcDiscovery: failed }).statuses)).toBe(
      'False',
    );
  });
});
