// A list + watch of one collection that is not a translator input, e.g. the proxy Deployments whose
// availability a Gateway's Programmed condition waits for. The same never-trusted informer as the
// provider's (resume, relist on 410, backoff, periodic resync), publishing the whole collection.
import type { KubeConfig } from '@kubernetes/client-node';
import { type Observable, ReplaySubject } from 'rxjs';
import { KubeHttp } from './internal/kubeHttp.js';
import { type KubeObject, Reflector } from './internal/reflector.js';

export interface WatchObjectsOptions {
  readonly kubeConfig: KubeConfig;
  /** The collection, e.g. `/apis/apps/v1/namespaces/envoy-gateway-system/deployments`. */
  readonly path: string;
  /** A label selector as the API server takes it, e.g. `app.kubernetes.io/managed-by=egts`. */
  readonly labelSelector?: string;
  /** Quiet time after the last change before publishing; default 100 ms. */
  readonly debounceMs?: number;
  readonly log?: (message: string) => void;
}

export interface ObjectWatch {
  /** Every object of the collection, once listed and then after each change. */
  readonly objects$: Observable<readonly KubeObject[]>;
  /** Stops watching; completes objects$. */
  stop(): Promise<void>;
}

export type { KubeObject };

export const watchObjects = (options: WatchObjectsOptions): ObjectWatch => {
  const subject = new ReplaySubject<readonly KubeObject[]>(1);
  let timer: NodeJS.Timeout | undefined;
  const publish = () => {
    timer = undefined;
    if (reflector.stats.synced) subject.next([...reflector.store.values()]);
  };
  const reflector: Reflector = new Reflector(new KubeHttp(options.kubeConfig), {
    paths: [options.path],
    ...(options.labelSelector
      ? { query: `labelSelector=${encodeURIComponent(options.labelSelector)}` }
      : {}),
    resyncMs: 600_000,
    watchTimeoutSeconds: 300,
    backoff: { initialMs: 250, maxMs: 30_000 },
    onChange: () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(publish, options.debounceMs ?? 100);
    },
    log: options.log ?? (() => {}),
  });
  reflector.start();
  return {
    objects$: subject.asObservable(),
    stop: async () => {
      if (timer) clearTimeout(timer);
      await reflector.stop();
      subject.complete();
    },
  };
};
