// One informer's list + watch loop for one collection (a kind, cluster-wide or in one namespace),
// keeping a store of its objects. It never trusts a watch (STYLE.md #16, client-go's Reflector):
// resumes from the last resourceVersion, relists on 410 Gone, re-watches with backoff after any
// error, aborts a stream that goes quiet, and relists periodically anyway.
import { setTimeout as sleep } from 'node:timers/promises';
import { type KubeHttp, KubeHttpError, type WatchEvent } from './kubeHttp.js';

export type KubeObject = Record<string, unknown> & {
  metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string };
};

export interface ReflectorStats {
  /** Has the first list completed (or the collection been found not served)? */
  synced: boolean;
  /** The API does not serve this collection (its CRD is absent): an empty, retried collection. */
  notServed: boolean;
  /** The API server refuses us this collection (401/403: RBAC); retried with backoff. */
  forbidden: boolean;
  /**
   * Its first list failed with the API server up (an error status, or no answer in time): it
   * counts as synced, empty, so as not to hold up the others; retried with backoff.
   */
  unavailable: boolean;
  /** Last time the API server answered a list or sent anything on a watch (ms since epoch). */
  lastContact: number;
  resourceVersion: string | undefined;
  lists: number;
  watches: number;
  events: number;
  /** 410 Gone answers (resourceVersion too old), each followed by a relist. */
  gone: number;
  errors: number;
  lastError: string | undefined;
}

export interface ReflectorOptions {
  /** e.g. `/apis/gateway.networking.k8s.io/v1/namespaces/ns/httproutes` */
  readonly paths: readonly string[];
  /** Extra query, e.g. `labelSelector=...`. */
  readonly query?: string;
  readonly resyncMs: number;
  readonly watchTimeoutSeconds: number;
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  readonly onChange: () => void;
  readonly log: (message: string) => void;
}

const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

interface ListBody {
  apiVersion?: string;
  kind?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  items?: KubeObject[];
}

export class Reflector {
  readonly store = new Map<string, KubeObject>();
  readonly stats: ReflectorStats = {
    synced: false,
    notServed: false,
    forbidden: false,
    unavailable: false,
    lastContact: 0,
    resourceVersion: undefined,
    lists: 0,
    watches: 0,
    events: 0,
    gone: 0,
    errors: 0,
    lastError: undefined,
  };
  readonly #http: KubeHttp;
  readonly #options: ReflectorOptions;
  readonly #stop = new AbortController();
  #path: string | undefined;
  #watchAbort: AbortController | undefined;
  #relistDue = false;
  #resync: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(http: KubeHttp, options: ReflectorOptions) {
    this.#http = http;
    this.#options = options;
  }

  start(): void {
    this.#running = this.#loop();
    // A periodic relist catches anything a watch silently lost (client-go's resync period).
    this.#resync = setInterval(() => this.relist(), this.#options.resyncMs);
    this.#resync.unref();
  }

  /** Ends the current watch and lists again (also what the periodic resync does). */
  relist(): void {
    this.#relistDue = true;
    this.#watchAbort?.abort();
  }

  /** The version in the path the API serves this collection at, once listed. */
  servedVersion(): string | undefined {
    const parts = this.#path?.split('/') ?? [];
    return parts[1] === 'api' ? parts[2] : parts[3];
  }

  /** Cuts the current watch stream only; the loop resumes from the last resourceVersion. */
  cutWatch(): void {
    this.#watchAbort?.abort();
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    this.#watchAbort?.abort();
    if (this.#resync) clearInterval(this.#resync);
    await this.#running;
  }

  #query(extra: string): string {
    const parts = [this.#options.query, extra].filter((p): p is string => !!p && p !== '');
    return parts.length ? `?${parts.join('&')}` : '';
  }

  /** Lists all pages, then swaps the store in one go (DELETED events missed meanwhile included). */
  async #list(): Promise<void> {
    let path = this.#path;
    let body: ListBody | undefined;
    if (!path) {
      // The first version the API serves (a CRD may serve only some of the versions we read).
      for (const candidate of this.#options.paths) {
        const res = await this.#http.request<ListBody>(
          'GET',
          `${candidate}${this.#query('limit=500')}`,
        );
        if (res.status === 404) continue;
        if (res.status !== 200)
          throw new KubeHttpError(
            res.status,
            `list ${candidate}: ${res.status} ${res.text.slice(0, 300)}`,
          );
        path = candidate;
        body = res.body;
        break;
      }
      if (!path) {
        const news = !this.stats.synced || !this.stats.notServed;
        if (news)
          this.#options.log(
            `${this.#options.paths.join(', ')}: not served by the API server; looking again later`,
          );
        this.stats.notServed = true;
        this.stats.synced = true;
        this.stats.lastContact = Date.now();
        this.store.clear();
        // Synced now, even empty: the provider's first snapshot waits for every collection, and
        // only onChange makes it look again. Without it, a collection found not served after all
        // the others had listed held up the first snapshot for good.
        if (news) this.#options.onChange();
        throw new NotServed();
      }
      this.#path = path;
    }
    const items: KubeObject[] = [];
    let next: string | undefined;
    do {
      if (!body) {
        const query = this.#query(
          `limit=500${next ? `&continue=${encodeURIComponent(next)}` : ''}`,
        );
        const res = await this.#http.request<ListBody>('GET', `${path}${query}`);
        if (res.status === 404) {
          this.#path = undefined;
          throw new NotServed();
        }
        if (res.status === 410) {
          // The continue token expired: start the list over (Kubernetes API concepts, "Retrieving large results sets in chunks").
          next = undefined;
          items.length = 0;
          continue;
        }
        if (res.status !== 200)
          throw new KubeHttpError(
            res.status,
            `list ${path}: ${res.status} ${res.text.slice(0, 300)}`,
          );
        body = res.body;
      }
      // Items of a built-in kind's list carry no apiVersion/kind (the list's TypeMeta says it).
      const apiVersion = body.apiVersion;
      const kind = body.kind?.replace(/List$/, '');
      for (const item of body.items ?? []) items.push({ apiVersion, kind, ...item });
      next = body.metadata?.continue || undefined;
      this.stats.resourceVersion = body.metadata?.resourceVersion;
      body = undefined;
    } while (next);
    this.stats.lists++;
    this.stats.lastContact = Date.now();
    this.stats.notServed = false;
    this.stats.forbidden = false;
    this.stats.unavailable = false;
    let changed = items.length !== this.store.size;
    const fresh = new Map<string, KubeObject>();
    for (const item of items) {
      const key = keyOf(item);
      if (this.store.get(key)?.metadata.resourceVersion !== item.metadata.resourceVersion)
        changed = true;
      fresh.set(key, item);
    }
    this.store.clear();
    for (const [key, item] of fresh) this.store.set(key, item);
    const first = !this.stats.synced;
    this.stats.synced = true;
    if (changed || first) this.#options.onChange();
  }

  #apply(event: WatchEvent): void {
    this.stats.events++;
    this.stats.lastContact = Date.now();
    if (event.type === 'ERROR') {
      const status = event.object as { code?: number; message?: string };
      if (status.code === 410) throw new Gone(status.message ?? 'resourceVersion too old');
      throw new Error(`watch error event: ${status.code} ${status.message}`);
    }
    const object = event.object as KubeObject;
    const rv = object.metadata?.resourceVersion;
    if (rv) this.stats.resourceVersion = rv;
    if (event.type === 'BOOKMARK') return;
    const key = keyOf(object);
    if (event.type === 'DELETED') this.store.delete(key);
    else this.store.set(key, object);
    this.#options.onChange();
  }

  async #loop(): Promise<void> {
    const { initialMs, maxMs } = this.#options.backoff;
    let failures = 0;
    let needList = true;
    while (!this.#stop.signal.aborted) {
      try {
        if (needList || this.#relistDue) {
          this.#relistDue = false;
          await this.#list();
          needList = false;
        }
        const path = this.#path as string;
        this.#watchAbort = new AbortController();
        const signal = AbortSignal.any([this.#stop.signal, this.#watchAbort.signal]);
        // Spread the server-side timeouts so that watches do not all end at once (client-go does so).
        const timeout = Math.round(this.#options.watchTimeoutSeconds * (1 + Math.random()));
        const query = this.#query(
          `watch=1&allowWatchBookmarks=true&timeoutSeconds=${timeout}&resourceVersion=${this.stats.resourceVersion ?? ''}`,
        );
        this.stats.watches++;
        await this.#http.watch(`${path}${query}`, {
          signal,
          // Bookmarks arrive about once a minute; twice the server timeout is a dead connection.
          idleTimeoutMs: (timeout + 30) * 1000,
          onOpen: () => {
            this.stats.lastContact = Date.now();
          },
          onEvent: (event) => this.#apply(event),
        });
        this.stats.lastContact = Date.now();
        failures = 0;
      } catch (error) {
        if (this.#stop.signal.aborted) break;
        if (this.#watchAbort?.signal.aborted && !(error instanceof Gone)) {
          // We cut it ourselves (relist or cutWatch): go again at once.
          failures = 0;
          continue;
        }
        if (error instanceof NotServed) {
          // Its CRD may be installed later: look again, slowly.
          await sleep(Math.min(maxMs, 10 * initialMs), undefined, {
            signal: this.#stop.signal,
          }).catch(() => {});
          needList = true;
          continue;
        }
        if (error instanceof Gone || (error instanceof KubeHttpError && error.status === 410)) {
          // 410 Gone: our resourceVersion was compacted away; only a fresh list can catch up.
          this.stats.gone++;
          needList = true;
          continue;
        }
        failures++;
        this.stats.errors++;
        this.stats.lastError = messageOf(error);
        if (error instanceof KubeHttpError && (error.status === 401 || error.status === 403)) {
          // Refused (RBAC): the other kinds must not wait for this one. It counts as synced with
          // what it had (nothing, at first), the provider reports it as a problem, and we retry.
          const first = !this.stats.synced || !this.stats.forbidden;
          this.stats.forbidden = true;
          this.stats.synced = true;
          if (first) this.#options.onChange();
        } else if (!this.stats.synced && answeredButFailed(error)) {
          // The API server is up but this first list failed (an error status, or no answer within
          // the request timeout): the other kinds must not wait for it either. Reported, retried.
          this.stats.unavailable = true;
          this.stats.synced = true;
          this.#options.onChange();
        }
        // A failed list is retried as a list; a failed watch resumes from the last resourceVersion.
        const delay = Math.min(maxMs, initialMs * 2 ** Math.min(failures - 1, 10));
        const jittered = delay * (0.5 + Math.random() / 2);
        this.#options.log(
          `${this.#path ?? this.#options.paths[0]}: ${messageOf(error)}; retry in ${Math.round(jittered)} ms`,
        );
        await sleep(jittered, undefined, { signal: this.#stop.signal }).catch(() => {});
      }
    }
  }
}

/**
 * A failure of this collection rather than of the connection: the API server answered with an
 * error status, or took the request and never answered (the request timeout). A refused or reset
 * connection fails every collection alike, so waiting for it holds up nothing more.
 */
const answeredButFailed = (error: unknown): boolean =>
  error instanceof KubeHttpError ||
  (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'));

class Gone extends Error {}
class NotServed extends Error {}
