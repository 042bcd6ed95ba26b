// Writes computed statuses through each object's status subresource: only when the merged status
// differs from what is stored, with the object's resourceVersion (optimistic concurrency), and
// again from a fresh read on 409 Conflict (Kubernetes API conventions, "Concurrency Control").
import { isDeepStrictEqual } from 'node:util';
import type { KubeHttp } from './kubeHttp.js';
import { mergeStatus, rfc3339 } from './statusMerge.js';

export interface ComputedStatus {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  status: Record<string, unknown>;
}

export interface WriteOutcome {
  written: number;
  unchanged: number;
  conflicts: number;
  /** Objects gone (404) or whose kind we cannot place. */
  skipped: number;
  errors: string[];
}

/**
 * One status written or found unchanged, or not written (`gone`: the object was deleted; `failed`:
 * the API server refused or could not be reached), with the 409 Conflicts met on the way and how
 * long it took: what Envoy Gateway's status updater counts (`status_update_*`).
 */
export interface StatusUpdate {
  readonly kind: string;
  readonly outcome: 'written' | 'unchanged' | 'gone' | 'failed';
  readonly conflicts: number;
  readonly seconds: number;
}

const MAX_ATTEMPTS = 5;

export const objectPath = (
  apiVersion: string,
  plural: string,
  namespace: string | undefined,
  name: string,
): string => {
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return `${base}${namespace ? `/namespaces/${namespace}` : ''}/${plural}/${name}`;
};

export interface Stored {
  metadata: { resourceVersion?: string; generation?: number };
  status?: Record<string, unknown>;
}

/** Where a status's object lives, and the informer's copy of it when it has one. */
export interface StatusTarget {
  readonly path: string;
  readonly cached: Stored | undefined;
}

/**
 * Writes each status. `locate` places a status's object (undefined: a kind we do not write). The
 * informer's copy is compared first, so an unchanged status costs no request; a conflict (our copy
 * was stale) reads the object afresh.
 */
export const writeStatuses = async (
  http: KubeHttp,
  statuses: readonly ComputedStatus[],
  controllerName: string,
  locate: (status: ComputedStatus) => StatusTarget | undefined,
  now: () => Date = () => new Date(),
  onUpdate: (update: StatusUpdate) => void = () => {},
): Promise<WriteOutcome> => {
  const outcome: WriteOutcome = { written: 0, unchanged: 0, conflicts: 0, skipped: 0, errors: [] };
  for (const computed of statuses) {
    const target = locate(computed);
    if (!target) {
      outcome.skipped++;
      continue;
    }
    const started = performance.now();
    const conflicts = outcome.conflicts;
    let result: StatusUpdate['outcome'] = 'failed';
    try {
      result = await writeOne(http, computed, target, controllerName, now, outcome);
    } finally {
      onUpdate({
        kind: computed.kind,
        outcome: result,
        conflicts: outcome.conflicts - conflicts,
        seconds: (performance.now() - started) / 1000,
      });
    }
  }
  return outcome;
};

/** Writes one status (counted into `outcome`), reading the object again after a conflict. */
async function writeOne(
  http: KubeHttp,
  computed: ComputedStatus,
  target: StatusTarget,
  controllerName: string,
  now: () => Date,
  outcome: WriteOutcome,
): Promise<StatusUpdate['outcome']> {
  const { path } = target;
  let cached = target.cached;
  for (let attempt = 1; ; attempt++) {
    let stored: Stored;
    if (cached) {
      stored = cached;
      cached = undefined;
    } else {
      const got = await http.request<Stored>('GET', path);
      if (got.status === 404) {
        outcome.skipped++;
        return 'gone';
      }
      if (got.status !== 200) {
        outcome.errors.push(`GET ${path}: ${got.status} ${got.text.slice(0, 200)}`);
        return 'failed';
      }
      stored = got.body;
    }
    const status = mergeStatus(
      stored.status,
      computed.status,
      controllerName,
      stored.metadata.generation,
      rfc3339(now()),
    );
    if (isDeepStrictEqual(status, stored.status ?? {})) {
      outcome.unchanged++;
      return 'unchanged';
    }
    // PUT of the whole object to /status: the API server takes only its status, and rejects it
    // with 409 when resourceVersion is no longer current.
    const put = await http.request('PUT', `${path}/status`, { ...stored, status });
    if (put.status === 200 || put.status === 201) {
      outcome.written++;
      return 'written';
    }
    if (put.status === 409 && attempt < MAX_ATTEMPTS) {
      outcome.conflicts++;
      continue;
    }
    if (put.status === 404) {
      outcome.skipped++;
      return 'gone';
    }
    outcome.errors.push(`PUT ${path}/status: ${put.status} ${put.text.slice(0, 200)}`);
    return 'failed';
  }
}
