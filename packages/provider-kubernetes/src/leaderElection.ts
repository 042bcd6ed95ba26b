// Leader election with a coordination.k8s.io/v1 Lease, as client-go's leaderelection does it:
// every replica serves xDS, only the one holding the Lease writes status and infrastructure.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import { BehaviorSubject, distinctUntilChanged, type Observable } from 'rxjs';
import { KubeHttp } from './internal/kubeHttp.js';

export interface LeaderElectionOptions {
  readonly kubeConfig: KubeConfig;
  /** Namespace and name of the Lease, e.g. `envoy-gateway-system` / `5b9825d2.gateway.envoyproxy.io`. */
  readonly namespace: string;
  readonly name: string;
  /** This replica's identity; default `<hostname>_<uuid>`. */
  readonly identity?: string;
  /** How long a Lease is valid after its last renewal; default 15 s (client-go's default). */
  readonly leaseDurationMs?: number;
  /** The leader gives up when it could not renew for this long; default 10 s. Less than the duration. */
  readonly renewDeadlineMs?: number;
  /** How often to try to acquire or renew; default 2 s. */
  readonly retryPeriodMs?: number;
  readonly log?: (message: string) => void;
}

export interface LeaderElection {
  readonly identity: string;
  /** true while this replica holds the Lease; replays the current value. */
  readonly isLeader$: Observable<boolean>;
  isLeader(): boolean;
  /** Stops competing; a leader releases the Lease so another replica takes over at once. */
  stop(): Promise<void>;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: LeaseSpec;
}

// MicroTime: RFC 3339 with microseconds, as the Lease's acquireTime and renewTime are typed.
const microTime = (date: Date): string => `${date.toISOString().slice(0, 23)}000Z`;

export const startLeaderElection = (options: LeaderElectionOptions): LeaderElection => {
  const http = new KubeHttp(options.kubeConfig);
  const identity = options.identity ?? `${hostname()}_${randomUUID()}`;
  const leaseDurationMs = options.leaseDurationMs ?? 15_000;
  const renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
  const retryPeriodMs = options.retryPeriodMs ?? 2_000;
  const log = options.log ?? (() => {});
  const base = `/apis/coordination.k8s.io/v1/namespaces/${options.namespace}/leases`;
  const path = `${base}/${options.name}`;
  const leader = new BehaviorSubject(false);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let lastRenew = 0;
  let inflight: Promise<void> | undefined;
  // When we last saw the Lease record change. Expiry is judged by our own clock from that moment,
  // never from the holder's renewTime, so clock skew between replicas does not matter (client-go).
  let observed: { record: string; at: number } | undefined;

  const spec = (previous: LeaseSpec | undefined, now: Date): LeaseSpec => {
    const ours = previous?.holderIdentity === identity;
    return {
      holderIdentity: identity,
      leaseDurationSeconds: Math.max(1, Math.ceil(leaseDurationMs / 1000)),
      acquireTime: ours && previous?.acquireTime ? previous.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions:
        (previous?.leaseTransitions ?? 0) + (ours || !previous?.holderIdentity ? 0 : 1),
    };
  };

  /** One acquire-or-renew attempt; true when we hold the Lease afterwards. */
  const tryAcquireOrRenew = async (): Promise<boolean> => {
    const now = new Date();
    const got = await http.request<Lease>('GET', path);
    if (got.status === 404) {
      const lease: Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: options.name, namespace: options.namespace },
        spec: spec(undefined, now),
      };
      const created = await http.request('POST', base, lease);
      return created.status === 201;
    }
    if (got.status !== 200) throw new Error(`GET ${path}: ${got.status} ${got.text.slice(0, 200)}`);
    const current = got.body;
    const record = JSON.stringify(current.spec);
    if (observed?.record !== record) observed = { record, at: Date.now() };
    const holder = current.spec.holderIdentity ?? '';
    const duration = (current.spec.leaseDurationSeconds ?? 0) * 1000;
    if (holder !== '' && holder !== identity && observed.at + duration > Date.now()) {
      return false; // Someone else holds a Lease that has not expired.
    }
    const updated = await http.request('PUT', path, { ...current, spec: spec(current.spec, now) });
    // 409: another replica updated it first; it wins this round.
    return updated.status === 200;
  };

  const setLeader = (value: boolean) => {
    if (leader.value !== value) log(`${identity}: ${value ? 'became leader' : 'lost leadership'}`);
    leader.next(value);
  };

  const round = async (): Promise<void> => {
    if (stopped) return;
    try {
      const held = await tryAcquireOrRenew();
      if (held) {
        lastRenew = Date.now();
        setLeader(true);
      } else if (leader.value) {
        setLeader(false);
      }
    } catch (error) {
      log(
        `lease ${options.namespace}/${options.name}: ${error instanceof Error ? error.message : String(error)}`,
      );
      // A leader that cannot renew within the deadline steps down before its Lease can expire
      // for the others, so two replicas never both believe they lead.
      if (leader.value && Date.now() - lastRenew > renewDeadlineMs) setLeader(false);
    }
    if (!stopped) timer = setTimeout(run, retryPeriodMs);
  };
  const run = () => {
    inflight = round();
  };
  run();

  return {
    identity,
    isLeader$: leader.pipe(distinctUntilChanged()),
    isLeader: () => leader.value,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if (timer) clearTimeout(timer);
      await inflight;
      if (leader.value) {
        setLeader(false);
        // Release (client-go's ReleaseOnCancel): an empty holder lets the next replica take it now.
        try {
          const got = await http.request<Lease>('GET', path);
          if (got.status === 200 && got.body.spec.holderIdentity === identity) {
            const released: LeaseSpec = {
              ...got.body.spec,
              holderIdentity: '',
              leaseDurationSeconds: 1,
              renewTime: microTime(new Date()),
            };
            await http.request('PUT', path, { ...got.body, spec: released });
          }
        } catch (error) {
          log(`releasing the lease: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      leader.complete();
    },
  };
};
