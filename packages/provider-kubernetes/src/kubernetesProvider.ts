// The Kubernetes resource provider: informers for every input kind publishing debounced Resources
// snapshots (DESIGN.md, "provider-kubernetes"), and status write-back that only the leader does.
import { isDeepStrictEqual } from 'node:util';
import {
  bundleResources,
  decodeResource,
  type Problem,
  type ProviderSnapshot,
  resourceKinds,
  type SourcedResource,
} from '@egts/api';
import type { KubeConfig } from '@kubernetes/client-node';
import { type Observable, ReplaySubject } from 'rxjs';
import { KubeHttp } from './internal/kubeHttp.js';
import { type KubeObject, Reflector, type ReflectorStats } from './internal/reflector.js';
import { keepOurs } from './internal/relevance.js';
import {
  type ComputedStatus,
  objectPath,
  type StatusTarget,
  type StatusUpdate,
  type Stored,
  type WriteOutcome,
  writeStatuses,
} from './internal/statusWriter.js';
import type { LeaderElection } from './leaderElection.js';

/** Which namespaces namespaced kinds are read from (Envoy Gateway's `watch` setting). */
export type WatchMode =
  | { readonly type: 'all' }
  | { readonly type: 'namespaces'; readonly namespaces: readonly string[] }
  /** A label selector as the API server takes it, e.g. `team=a,env in (prod)`. */
  | { readonly type: 'namespaceSelector'; readonly selector: string };

export interface KubernetesProviderOptions {
  readonly kubeConfig: KubeConfig;
  /** GatewayClasses with this spec.controllerName are ours. */
  readonly controllerName: string;
  /** Default: all namespaces. */
  readonly watch?: WatchMode;
  /** Quiet time after the last change before a snapshot; default 100 ms. */
  readonly debounceMs?: number;
  /** Every informer relists this often even when its watch looks healthy; default 10 min. */
  readonly resyncMs?: number;
  /** Server-side watch timeout (randomised up to twice this); default 300 s. */
  readonly watchTimeoutSeconds?: number;
  /** Reconnect backoff; default 250 ms doubling to 30 s, with jitter. */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** Status is written only while this replica leads; without it, always. */
  readonly leaderElection?: LeaderElection;
  /**
   * The kinds an extension server registers (EnvoyGateway `extensionManager` resources,
   * policyResources, backendResources): watched too, read unstructured into `extensionResources`.
   * Their resource path is the kind's lowercased plural (`ListenerContextExample` ->
   * `listenercontextexamples`), the name `kubectl` and CRDs use unless a CRD says otherwise.
   */
  readonly extensionKinds?: readonly { group: string; version: string; kind: string }[];
  /** Each status written, found unchanged or not written (for Envoy Gateway's `status_update_*`). */
  readonly onStatusUpdate?: (update: StatusUpdate) => void;
  readonly log?: (message: string) => void;
}

/** What the cluster says now (only what concerns our GatewayClasses), and every problem found. */
export type KubernetesSnapshot = ProviderSnapshot;

export interface ProviderHealth {
  /** Every informer has listed once and none has been out of touch for longer than `staleMs`. */
  readonly live: boolean;
  readonly synced: boolean;
  /** Per collection (`kind` or `kind@namespace`): counters and the last contact. */
  readonly informers: Readonly<Record<string, Readonly<ReflectorStats>>>;
}

export interface KubernetesProvider {
  /** The first snapshot once every informer has listed, then one per change of content. */
  readonly resources$: Observable<KubernetesSnapshot>;
  /**
   * Writes statuses (translate()'s `statuses`) when this replica leads; otherwise keeps the latest
   * to write on becoming leader. Calls are serialised; the latest pending set wins.
   */
  writeStatus(statuses: readonly ComputedStatus[]): Promise<WriteOutcome | undefined>;
  /** Liveness: informers synced and in touch with the API server. */
  health(staleMs?: number): ProviderHealth;
  /** Test hook and operator lever: cut every watch stream (they resume from their resourceVersion). */
  cutWatches(): void;
  /** Stops every informer; completes resources$. Idempotent. */
  close(): Promise<void>;
}

// Fields that change on every write and never matter to translation. Status is dropped for the
// kinds whose status we write, so that our own writes do not come back as new snapshots.
const stripped = (object: KubeObject, dropStatus: boolean): KubeObject => {
  const {
    managedFields: _m,
    resourceVersion: _r,
    ...metadata
  } = object.metadata as Record<string, unknown>;
  const { status, ...rest } = object;
  return {
    ...rest,
    ...(dropStatus || status === undefined ? {} : { status }),
    metadata,
  } as KubeObject;
};

const CORE_KINDS_WITH_STATUS = new Set(['Service']);

interface KindEntry {
  readonly kind: string;
  readonly group: string;
  readonly plural: string;
  readonly namespaced: boolean;
  /** Versions, the one we read best first. */
  readonly versions: readonly string[];
}

// ClusterTrustBundle (certificates.k8s.io/v1beta1) is a beta API most API servers do not serve:
// its informer then counts as synced and empty, and a reference to one stays unresolved.
const kinds: KindEntry[] = resourceKinds.map(({ definition }) => ({
  kind: definition.kind,
  group: definition.group,
  plural: definition.plural,
  namespaced: definition.namespaced,
  versions: [
    definition.storageVersion,
    ...Object.keys(definition.versions).filter((v) => v !== definition.storageVersion),
  ],
}));

/** An API server discovery document (`GET /apis/<group>/<version>`): APIResourceList. */
interface APIResourceList {
  resources?: { name: string; kind: string; namespaced?: boolean }[];
}

/**
 * The resource of `kind` in a discovery document: its plural name (what its CRD says, not a
 * guess from the kind) and scope. Subresources (`name/status`) are not it.
 */
export const discoveredResource = (
  list: APIResourceList | undefined,
  kind: string,
): { plural: string; namespaced: boolean } | undefined => {
  const found = (list?.resources ?? []).find((r) => r.kind === kind && !r.name.includes('/'));
  return found && { plural: found.name, namespaced: found.namespaced !== false };
};

const basePath = (group: string, version: string) =>
  group === '' ? `/api/${version}` : `/apis/${group}/${version}`;

export const createKubernetesProvider = (
  options: KubernetesProviderOptions,
): KubernetesProvider => {
  const http = new KubeHttp(options.kubeConfig);
  const log = options.log ?? (() => {});
  const watch = options.watch ?? { type: 'all' };
  const debounceMs = options.debounceMs ?? 100;
  const subject = new ReplaySubject<KubernetesSnapshot>(1);
  let last: KubernetesSnapshot | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  const schedule = () => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(snapshot, debounceMs);
  };
  const reflectorOptions = (paths: string[], query?: string) => ({
    paths,
    ...(query ? { query } : {}),
    resyncMs: options.resyncMs ?? 600_000,
    watchTimeoutSeconds: options.watchTimeoutSeconds ?? 300,
    backoff: options.backoff ?? { initialMs: 250, maxMs: 30_000 },
    onChange: schedule,
    log,
  });

  const extensionGvks = options.extensionKinds ?? [];
  const extensionKinds = new Set(extensionGvks.map((e) => `${e.group}/${e.kind}`));
  // One informer per kind, or per kind and namespace with a namespace list.
  const informers = new Map<string, { entry: KindEntry; reflector: Reflector }>();
  const addInformers = (entry: KindEntry): Reflector[] => {
    const added: Reflector[] = [];
    const scopes: Array<string | undefined> =
      entry.namespaced && watch.type === 'namespaces' ? [...watch.namespaces] : [undefined];
    for (const namespace of scopes) {
      const paths = entry.versions.map(
        (v) =>
          `${basePath(entry.group, v)}${namespace ? `/namespaces/${namespace}` : ''}/${entry.plural}`,
      );
      const key = namespace ? `${entry.kind}@${namespace}` : entry.kind;
      const reflector = new Reflector(http, reflectorOptions(paths));
      informers.set(key, { entry, reflector });
      added.push(reflector);
    }
    return added;
  };
  for (const entry of kinds) addInformers(entry);

  // An extension kind's resource path comes from API discovery (its CRD's plural and scope), as
  // a Kubernetes client's REST mapper finds it. The first snapshot waits for every kind's first
  // discovery; a kind not served yet (its CRD not installed) is reported and looked up again
  // with backoff, then watched once found.
  let discovering = extensionGvks.length;
  const undiscovered = new Map<string, string>();
  const discoveryTimers = new Set<NodeJS.Timeout>();
  const discover = async (gvk: (typeof extensionGvks)[number], delayMs = 250, first = true) => {
    const name = `${gvk.kind}.${gvk.version}.${gvk.group}`;
    let found: ReturnType<typeof discoveredResource>;
    let error = 'not served';
    try {
      const res = await http.request<APIResourceList>('GET', basePath(gvk.group, gvk.version));
      if (res.status === 200) found = discoveredResource(res.body, gvk.kind);
      else error = `${res.status} ${res.text.slice(0, 200)}`;
    } catch (e) {
      error = String(e);
    }
    if (closed) return;
    if (found) {
      undiscovered.delete(name);
      const entry = {
        kind: gvk.kind,
        group: gvk.group,
        versions: [gvk.version],
        ...found,
      };
      for (const reflector of addInformers(entry)) reflector.start();
    } else {
      if (!undiscovered.has(name)) log(`extension kind ${name}: ${error}; retrying`);
      undiscovered.set(name, error);
      const retry = setTimeout(() => {
        discoveryTimers.delete(retry);
        void discover(gvk, Math.min(delayMs * 2, 30_000), false);
      }, delayMs);
      discoveryTimers.add(retry);
    }
    if (first) discovering -= 1;
    schedule();
  };
  // With a selector, namespaced objects count only in the namespaces it selects; the API server
  // does the matching, so every label selector form works.
  const selected =
    watch.type === 'namespaceSelector'
      ? new Reflector(
          http,
          reflectorOptions(
            ['/api/v1/namespaces'],
            `labelSelector=${encodeURIComponent(watch.selector)}`,
          ),
        )
      : undefined;

  // Decoding is the costly part; a (uid, resourceVersion) seen before is not decoded again.
  const decoded = new Map<string, { resource?: SourcedResource; problems: Problem[] }>();

  const snapshot = () => {
    timer = undefined;
    if (closed || discovering > 0) return;
    const all = [...informers.values()].map((i) => i.reflector);
    if (selected) all.push(selected);
    if (!all.every((r) => r.stats.synced)) return; // The first snapshot waits for every list.
    const inScope = selected
      ? new Set([...selected.store.values()].map((n) => n.metadata.name))
      : undefined;
    const sourced: SourcedResource[] = [];
    const problems: Problem[] = [];
    const seen = new Set<string>();
    for (const { entry, reflector } of informers.values()) {
      for (const object of reflector.store.values()) {
        const meta = object.metadata;
        if (inScope && entry.namespaced && !inScope.has(meta.namespace ?? '')) continue;
        const cacheKey = `${entry.group}/${entry.kind}/${meta.namespace ?? ''}/${meta.name}/${meta.uid ?? ''}/${meta.resourceVersion ?? ''}`;
        seen.add(cacheKey);
        let result = decoded.get(cacheKey);
        if (!result) {
          const dropStatus = entry.group !== '' || !CORE_KINDS_WITH_STATUS.has(entry.kind);
          const decodedObject = decodeResource(stripped(object, dropStatus), {
            lenient: true,
            extensionKinds,
          });
          const where = {
            file: `kubernetes:${entry.kind}`,
            apiVersion: String(object.apiVersion ?? ''),
            kind: entry.kind,
            namespace: meta.namespace,
            name: meta.name,
          };
          result = {
            // The API server has validated and pruned what it stores: a field unknown to our
            // schemas is one egts does not read (most of a Service or Namespace), not a mistake.
            problems: decodedObject.problems
              .filter((p) => p.pruned !== true)
              .map((p) => ({ ...where, ...p })),
            ...(decodedObject.decoded
              ? {
                  resource: {
                    ...decodedObject.decoded,
                    file: where.file,
                    document: 1,
                  } as SourcedResource,
                }
              : {}),
          };
          decoded.set(cacheKey, result);
        }
        problems.push(...result.problems);
        if (result.resource) sourced.push(result.resource);
      }
    }
    for (const key of decoded.keys()) if (!seen.has(key)) decoded.delete(key);
    for (const [key, { entry, reflector }] of informers) {
      if (!reflector.stats.forbidden && !reflector.stats.unavailable) continue;
      problems.push({
        severity: 'error',
        file: `kubernetes:${key}`,
        kind: entry.kind,
        path: [],
        message: `cannot list or watch ${entry.plural}${entry.group ? `.${entry.group}` : ''}: ${reflector.stats.lastError ?? 'forbidden'}; retrying`,
      });
    }
    for (const [name, error] of undiscovered)
      problems.push({
        severity: 'error',
        file: 'kubernetes:discovery',
        kind: name.split('.')[0] ?? name,
        path: [],
        message: `extension kind ${name} is not served by the API server (${error}); retrying`,
      });
    const bundled = bundleResources(sourced);
    const next: KubernetesSnapshot = {
      resources: keepOurs(bundled.resources, options.controllerName),
      problems: [...problems, ...bundled.problems],
    };
    if (last && isDeepStrictEqual(last, next)) return;
    last = next;
    subject.next(next);
  };

  for (const { reflector } of informers.values()) reflector.start();
  selected?.start();
  for (const gvk of extensionGvks) void discover(gvk);

  // Status: the API path of each kind we read, at the version the API serves it in, and the
  // informer's copy of the object.
  const locate = (status: ComputedStatus): StatusTarget | undefined => {
    const group = status.apiVersion.includes('/') ? status.apiVersion.split('/')[0] : '';
    const namespace = status.metadata.namespace;
    const informer =
      informers.get(status.kind) ??
      (namespace ? informers.get(`${status.kind}@${namespace}`) : undefined);
    if (!informer || informer.entry.group !== group) return undefined;
    const served = informer.reflector.servedVersion() ?? informer.entry.versions[0];
    const ns = informer.entry.namespaced ? (namespace ?? 'default') : undefined;
    const cached = informer.reflector.store.get(`${ns ?? ''}/${status.metadata.name}`);
    return {
      path: objectPath(
        group ? `${group}/${served}` : String(served),
        informer.entry.plural,
        ns,
        status.metadata.name,
      ),
      cached: cached as Stored | undefined,
    };
  };

  let pending: readonly ComputedStatus[] | undefined;
  let writing: Promise<WriteOutcome | undefined> = Promise.resolve(undefined);
  // A write that fails on the network (the API server restarting) is retried with backoff; the
  // chain never holds a rejection, or every later write would be skipped.
  let retryMs = 250;
  let retryTimer: NodeJS.Timeout | undefined;
  const flush = (): Promise<WriteOutcome | undefined> => {
    writing = writing.then(async () => {
      if (closed || !pending) return undefined;
      if (options.leaderElection && !options.leaderElection.isLeader()) return undefined;
      const statuses = pending;
      pending = undefined;
      try {
        const outcome = await writeStatuses(
          http,
          statuses,
          options.controllerName,
          locate,
          undefined,
          options.onStatusUpdate,
        );
        for (const error of outcome.errors) log(`status: ${error}`);
        retryMs = 250;
        return outcome;
      } catch (error) {
        log(`status: write failed (${String(error)}); retrying in ${retryMs} ms`);
        pending ??= statuses;
        if (retryTimer) clearTimeout(retryTimer);
        retryTimer = setTimeout(() => void flush(), retryMs);
        retryMs = Math.min(retryMs * 2, 30_000);
        return undefined;
      }
    });
    return writing;
  };
  // A new leader writes the statuses computed while it was following.
  let latest: readonly ComputedStatus[] | undefined;
  const leadership = options.leaderElection?.isLeader$.subscribe((leading) => {
    if (leading && latest) {
      pending = latest;
      void flush();
    }
  });

  return {
    resources$: subject.asObservable(),
    writeStatus: (statuses) => {
      latest = statuses;
      pending = statuses;
      return flush();
    },
    health: (staleMs = 2 * (options.watchTimeoutSeconds ?? 300) * 1000 + 60_000) => {
      const stats: Record<string, ReflectorStats> = {};
      for (const [key, { reflector }] of informers) stats[key] = { ...reflector.stats };
      if (selected) stats['Namespace(selected)'] = { ...selected.stats };
      const values = Object.values(stats);
      const synced = values.every((s) => s.synced);
      const now = Date.now();
      return {
        synced,
        live: synced && values.every((s) => now - s.lastContact < staleMs),
        informers: stats,
      };
    },
    cutWatches: () => {
      for (const { reflector } of informers.values()) reflector.cutWatch();
      selected?.cutWatch();
    },
    close: async () => {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      if (retryTimer) clearTimeout(retryTimer);
      for (const t of discoveryTimers) clearTimeout(t);
      leadership?.unsubscribe();
      await Promise.all([...informers.values()].map((i) => i.reflector.stop()));
      await selected?.stop();
      await writing.catch(() => undefined);
      subject.complete();
    },
  };
};
