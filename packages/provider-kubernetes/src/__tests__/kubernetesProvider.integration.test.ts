// The provider against a real kube-apiserver + etcd (@egts/kube-testenv): snapshots from informers,
// statuses written through translate(), recovery from cut watches and a crashed API server, and
// Lease leader election between two replicas.
import { resourceKinds } from '@egts/api';
import { translate } from '@egts/gatewayapi-translator';
import { type KubeTestEnv, kubeTestEnvUnavailable, startKubeTestEnv } from '@egts/kube-testenv';
import { KubeConfig } from '@kubernetes/client-node';
import type { Subscription } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createKubernetesProvider,
  type KubernetesProvider,
  type KubernetesSnapshot,
  type LeaderElection,
  type StatusUpdate,
  startLeaderElection,
} from '../index.js';

const unavailable = kubeTestEnvUnavailable();
if (unavailable) console.warn(`skipping provider-kubernetes integration tests: ${unavailable}`);

const CONTROLLER = 'gateway.envoyproxy.io/gatewayclass-controller';
const GW = 'gateway.networking.k8s.io/v1';
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Polls until `check` returns a value (not undefined) or throws its last error at the deadline. */
const eventually = async <T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw lastError ?? new Error('condition not met in time');
    await sleep(200);
  }
};

interface Cond {
  type: string;
  status: string;
  reason: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}
const cond = (conditions: Cond[] | undefined, type: string) =>
  conditions?.find((c) => c.type === type);

const namespace = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels },
});
const gatewayClass = (name: string, controllerName = CONTROLLER) => ({
  apiVersion: GW,
  kind: 'GatewayClass',
  metadata: { name },
  spec: { controllerName },
});
const gateway = (ns: string, name: string, className: string) => ({
  apiVersion: GW,
  kind: 'Gateway',
  metadata: { namespace: ns, name },
  spec: {
    gatewayClassName: className,
    listeners: [
      { name: 'http', protocol: 'HTTP', port: 80, allowedRoutes: { namespaces: { from: 'All' } } },
    ],
  },
});
const backend = (ns: string, name: string, ip: string) => [
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: ns, name },
    spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
  },
  {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: ns, name: `${name}-1`, labels: { 'kubernetes.io/service-name': name } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [ip], conditions: { ready: true } }],
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  },
];
const httpRoute = (
  ns: string,
  name: string,
  gw: { ns: string; name: string },
  service: string,
) => ({
  apiVersion: GW,
  kind: 'HTTPRoute',
  metadata: { namespace: ns, name },
  spec: {
    parentRefs: [{ namespace: gw.ns, name: gw.name }],
    hostnames: [`${name}.example.com`],
    rules: [{ backendRefs: [{ name: service, port: 80 }] }],
  },
});

describe.skipIf(unavailable !== undefined)(
  'Kubernetes provider against a real API server (integration)',
  () => {
    let env: KubeTestEnv;
    let kubeConfig: KubeConfig;
    const running: Array<() => Promise<void>> = [];

    /** A provider wired to translate() and writeStatus, as `egts server` wires it. */
    const startReplica = (
      leaderElection?: LeaderElection,
      watch?: Parameters<typeof createKubernetesProvider>[0]['watch'],
    ) => {
      const provider = createKubernetesProvider({
        kubeConfig,
        controllerName: CONTROLLER,
        debounceMs: 50,
        backoff: { initialMs: 100, maxMs: 2_000 },
        ...(leaderElection ? { leaderElection } : {}),
        ...(watch ? { watch } : {}),
      });
      const snapshots: KubernetesSnapshot[] = [];
      const writes: Array<Awaited<ReturnType<KubernetesProvider['writeStatus']>>> = [];
      const subscription: Subscription = provider.resources$.subscribe((snapshot) => {
        snapshots.push(snapshot);
        const { statuses } = translate(snapshot.resources, { controllerName: CONTROLLER });
        void provider.writeStatus(statuses).then((outcome) => writes.push(outcome));
      });
      const stop = async () => {
        subscription.unsubscribe();
        await provider.close();
        await leaderElection?.stop();
      };
      running.push(stop);
      return { provider, snapshots, writes, stop };
    };

    const get = async <T = { metadata: { generation: number }; status?: Record<string, unknown> }>(
      path: string,
    ) => {
      const res = await env.request('GET', path);
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
      return res.json as T;
    };
    type Parent = { controllerName: string; parentRef: { name: string }; conditions: Cond[] };
    const routeParents = async (ns: string, name: string) =>
      ((await get(`/apis/${GW}/namespaces/${ns}/httproutes/${name}`)).status?.parents ??
        []) as Parent[];
    const ourParent = async (ns: string, name: string) =>
      (await routeParents(ns, name)).find((p) => p.controllerName === CONTROLLER);

    beforeAll(async () => {
      env = await startKubeTestEnv();
      kubeConfig = new KubeConfig();
      kubeConfig.loadFromString(env.kubeconfig);
      await env.apply([
        namespace('app', { team: 'a' }),
        namespace('other', { team: 'b' }),
        gatewayClass('egts'),
        gatewayClass('not-ours', 'example.com/other-controller'),
        gateway('app', 'gw', 'egts'),
        gateway('app', 'foreign-gw', 'not-ours'),
        ...backend('app', 'echo', '10.1.0.1'),
        httpRoute('app', 'route', { ns: 'app', name: 'gw' }, 'echo'),
        httpRoute('app', 'foreign-route', { ns: 'app', name: 'foreign-gw' }, 'echo'),
      ]);
    }, 180_000);

    afterEach(async () => {
      for (const stop of running.splice(0).reverse()) await stop();
    });

    afterAll(async () => {
      await env?.stop();
    });

    it('publishes what concerns our GatewayClasses and writes the statuses translate() computes', async () => {
      // Another controller's parent entry and condition type must survive our writes.
      const foreignParent = {
        parentRef: {
          group: 'gateway.networking.k8s.io',
          kind: 'Gateway',
          namespace: 'app',
          name: 'gw',
        },
        controllerName: 'example.com/other-controller',
        conditions: [
          {
            type: 'Accepted',
            status: 'False',
            reason: 'NotAllowed',
            message: 'theirs',
            lastTransitionTime: '2026-01-01T00:00:00Z',
          },
        ],
      };
      const route = await get<Record<string, unknown>>(
        `/apis/${GW}/namespaces/app/httproutes/route`,
      );
      const seeded = await env.request(
        'PUT',
        `/apis/${GW}/namespaces/app/httproutes/route/status`,
        {
          ...route,
          status: { parents: [foreignParent] },
        },
      );
      expect(seeded.status).toBe(200);

      const { snapshots, writes } = startReplica();
      const snapshot = await eventually(async () => snapshots.at(-1));
      expect(snapshot.resources.gatewayClasses.map((c) => c.metadata.name)).toEqual(['egts']);
      expect(snapshot.resources.gateways.map((g) => g.metadata.name)).toEqual(['gw']);
      expect(snapshot.resources.httpRoutes.map((r) => r.metadata.name)).toEqual(['route']);
      expect(snapshot.resources.services.map((s) => s.metadata.name)).toContain('echo');
      expect(snapshot.resources.endpointSlices.map((s) => s.metadata.name)).toContain('echo-1');
      expect(snapshot.resources.namespaces.map((n) => n.metadata.name)).toEqual(
        expect.arrayContaining(['app', 'other', 'default']),
      );

      const classStatus = await eventually(async () => {
        const gc = await get<{ status?: { conditions?: Cond[] } }>(
          `/apis/${GW}/gatewayclasses/egts`,
        );
        return cond(gc.status?.conditions, 'Accepted')?.status === 'True' ? gc : undefined;
      });
      expect(cond(classStatus.status?.conditions, 'Accepted')?.lastTransitionTime).toMatch(
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
      );
      const gw = await eventually(async () => {
        const g = await get<{
          metadata: { generation: number };
          status?: { conditions?: Cond[]; listeners?: { name: string; attachedRoutes: number }[] };
        }>(`/apis/${GW}/namespaces/app/gateways/gw`);
        return cond(g.status?.conditions, 'Accepted')?.status === 'True' &&
          g.status?.listeners?.[0]?.attachedRoutes === 1
          ? g
          : undefined;
      });
      expect(cond(gw.status?.conditions, 'Accepted')?.observedGeneration).toBe(
        gw.metadata.generation,
      );
      const parents = await eventually(async () => {
        const all = await routeParents('app', 'route');
        return all.some((p) => p.controllerName === CONTROLLER) ? all : undefined;
      });
      expect(parents).toHaveLength(2);
      expect(parents.find((p) => p.controllerName === 'example.com/other-controller')).toEqual(
        foreignParent,
      );
      const ours = parents.find((p) => p.controllerName === CONTROLLER);
      expect(cond(ours?.conditions, 'Accepted')).toMatchObject({
        status: 'True',
        observedGeneration: 1,
      });
      expect(cond(ours?.conditions, 'ResolvedRefs')).toMatchObject({ status: 'True' });

      // Not ours: never written.
      const foreignGw = await get(`/apis/${GW}/namespaces/app/gateways/foreign-gw`);
      expect(foreignGw.status?.conditions).toEqual(
        (await get(`/apis/${GW}/namespaces/app/gateways/foreign-gw`)).status?.conditions,
      );
      expect(JSON.stringify(foreignGw.status ?? {})).not.toContain('"reason":"Accepted"');
      expect(await routeParents('app', 'foreign-route')).toEqual([]);

      // Writing the same statuses again is a no-op: nothing changed, so nothing is written.
      await eventually(async () => (writes.some((w) => (w?.written ?? 0) > 0) ? true : undefined));
      const { statuses } = translate(
        snapshots.at(-1)?.resources as KubernetesSnapshot['resources'],
        { controllerName: CONTROLLER },
      );
      const rv = (
        await get<{ metadata: { resourceVersion: string } }>(
          `/apis/${GW}/namespaces/app/httproutes/route`,
        )
      ).metadata.resourceVersion;
      const again = startReplica();
      const outcome = await again.provider.writeStatus(statuses);
      expect(outcome).toMatchObject({ written: 0, errors: [] });
      expect(
        (
          await get<{ metadata: { resourceVersion: string } }>(
            `/apis/${GW}/namespaces/app/httproutes/route`,
          )
        ).metadata.resourceVersion,
      ).toBe(rv);
    }, 120_000);

    it('follows an edited route: conditions change, observedGeneration moves, unchanged conditions keep their time', async () => {
      startReplica();
      const before = await eventually(async () => {
        const p = await ourParent('app', 'route');
        return cond(p?.conditions, 'ResolvedRefs')?.status === 'True' ? p : undefined;
      });
      const route = httpRoute('app', 'route', { ns: 'app', name: 'gw' }, 'missing-service');
      await env.apply([route]);
      const after = await eventually(async () => {
        const p = await ourParent('app', 'route');
        return cond(p?.conditions, 'ResolvedRefs')?.status === 'False' ? p : undefined;
      });
      expect(cond(after.conditions, 'ResolvedRefs')).toMatchObject({
        reason: 'BackendNotFound',
        observedGeneration: 2,
      });
      expect(cond(after.conditions, 'Accepted')).toMatchObject({
        status: 'True',
        observedGeneration: 2,
        lastTransitionTime: cond(before.conditions, 'Accepted')?.lastTransitionTime,
      });
      await env.apply([httpRoute('app', 'route', { ns: 'app', name: 'gw' }, 'echo')]);
      await eventually(async () => {
        const p = await ourParent('app', 'route');
        return cond(p?.conditions, 'ResolvedRefs')?.status === 'True' ? p : undefined;
      });
    }, 120_000);

    it('recovers from cut watches and from an API server crash, and catches up on what changed meanwhile', async () => {
      const { provider, snapshots } = startReplica();
      await eventually(async () => snapshots.at(-1));
      provider.cutWatches();
      await env.apply([httpRoute('app', 'after-cut', { ns: 'app', name: 'gw' }, 'echo')]);
      await eventually(async () =>
        snapshots.at(-1)?.resources.httpRoutes.some((r) => r.metadata.name === 'after-cut')
          ? true
          : undefined,
      );
      const watchesBefore = provider.health().informers.HTTPRoute?.watches ?? 0;

      await env.restartApiServer();
      await env.apply([httpRoute('app', 'after-crash', { ns: 'app', name: 'gw' }, 'echo')]);
      await eventually(
        async () =>
          snapshots.at(-1)?.resources.httpRoutes.some((r) => r.metadata.name === 'after-crash')
            ? true
            : undefined,
        60_000,
      );
      const parent = await eventually(async () => {
        const p = await ourParent('app', 'after-crash');
        return cond(p?.conditions, 'Accepted')?.status === 'True' ? p : undefined;
      }, 60_000);
      expect(parent.controllerName).toBe(CONTROLLER);
      const health = provider.health();
      expect(health.synced).toBe(true);
      expect(health.live).toBe(true);
      expect(health.informers.HTTPRoute?.watches ?? 0).toBeGreaterThan(watchesBefore);
      // The restarted API server's watch cache starts at etcd's latest revision, so watches resuming
      // from an older resourceVersion get 410 Gone: those informers relisted instead.
      const informers = Object.values(health.informers);
      expect(informers.reduce((n, s) => n + s.gone, 0)).toBeGreaterThan(0);
      expect(health.informers.HTTPRoute?.lists ?? 0).toBeGreaterThanOrEqual(1);
      // Kinds whose CRD is not installed here are empty, not errors.
      expect(health.informers.ServiceImport?.notServed).toBe(true);
    }, 180_000);

    it('watches only the namespaces asked for (a list, or a label selector)', async () => {
      await env.apply([
        ...backend('other', 'echo', '10.1.0.2'),
        httpRoute('other', 'cross', { ns: 'app', name: 'gw' }, 'echo'),
      ]);
      const byList = startReplica(undefined, { type: 'namespaces', namespaces: ['app'] });
      const bySelector = startReplica(undefined, { type: 'namespaceSelector', selector: 'team=b' });
      const listed = await eventually(async () => byList.snapshots.at(-1));
      expect(new Set(listed.resources.httpRoutes.map((r) => r.metadata.namespace))).toEqual(
        new Set(['app']),
      );
      const selected = await eventually(async () => bySelector.snapshots.at(-1));
      expect(
        selected.resources.services.map((s) => `${s.metadata.namespace}/${s.metadata.name}`),
      ).toEqual(['other/echo']);
      // The route in `other` attaches to a Gateway in `app`, which the selector leaves out: not ours to publish.
      expect(selected.resources.gateways).toEqual([]);
      expect(selected.resources.httpRoutes).toEqual([]);
    }, 120_000);

    it('a kind it may not read (RBAC) is reported and retried, and does not hold up the others', async () => {
      const readAll = (withSecrets: boolean) => ({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'egts-limited' },
        rules: [
          {
            apiGroups: [
              '',
              'discovery.k8s.io',
              'gateway.networking.k8s.io',
              'gateway.envoyproxy.io',
              'multicluster.x-k8s.io',
              'certificates.k8s.io',
            ],
            // Every kind the provider reads, secrets only when granted.
            resources: resourceKinds
              .map(({ definition }) => definition.plural)
              .filter((plural) => withSecrets || plural !== 'secrets'),
            verbs: ['get', 'list', 'watch'],
          },
        ],
      });
      await env.apply([
        {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name: 'limited', namespace: 'default' },
        },
        readAll(false),
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          metadata: { name: 'egts-limited' },
          roleRef: {
            apiGroup: 'rbac.authorization.k8s.io',
            kind: 'ClusterRole',
            name: 'egts-limited',
          },
          subjects: [{ kind: 'ServiceAccount', name: 'limited', namespace: 'default' }],
        },
      ]);
      const tokenRequest = await env.request(
        'POST',
        '/api/v1/namespaces/default/serviceaccounts/limited/token',
        {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: { expirationSeconds: 3600 },
        },
      );
      expect(tokenRequest.status, tokenRequest.text).toBe(201);
      const limited = new KubeConfig();
      limited.loadFromOptions({
        clusters: [kubeConfig.getCurrentCluster()],
        users: [
          {
            name: 'limited',
            token: (tokenRequest.json as { status: { token: string } }).status.token,
          },
        ],
        contexts: [
          { name: 'limited', cluster: kubeConfig.getCurrentCluster()?.name, user: 'limited' },
        ],
        currentContext: 'limited',
      });
      const provider = createKubernetesProvider({
        kubeConfig: limited,
        controllerName: CONTROLLER,
        debounceMs: 50,
        backoff: { initialMs: 100, maxMs: 1_000 },
      });
      const snapshots: KubernetesSnapshot[] = [];
      const subscription = provider.resources$.subscribe((s) => snapshots.push(s));
      running.push(async () => {
        subscription.unsubscribe();
        await provider.close();
      });
      const first = await eventually(async () => snapshots.at(-1));
      expect(first.resources.gateways.map((g) => g.metadata.name)).toContain('gw');
      expect(first.resources.secrets).toEqual([]);
      expect(first.problems.map((p) => p.message).join('\n')).toMatch(
        /cannot list or watch secrets: .*403/,
      );
      expect(provider.health().informers.Secret?.forbidden).toBe(true);

      // Granted: the next retry lists them and the problem goes.
      await env.apply([
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'tls', namespace: 'app' },
          type: 'Opaque',
          data: { a: 'Yg==' },
        },
        readAll(true),
      ]);
      const granted = await eventually(async () => {
        const last = snapshots.at(-1);
        return last?.resources.secrets.some((s) => s.metadata.name === 'tls') ? last : undefined;
      });
      expect(granted.problems.filter((p) => p.message.includes('cannot list'))).toEqual([]);
      expect(provider.health().informers.Secret?.forbidden).toBe(false);
    }, 120_000);

    it('reports each status update: written, unchanged, or gone', async () => {
      await env.apply([httpRoute('app', 'counted', { ns: 'app', name: 'gw' }, 'echo')]);
      const updates: StatusUpdate[] = [];
      const provider = createKubernetesProvider({
        kubeConfig,
        controllerName: CONTROLLER,
        debounceMs: 50,
        onStatusUpdate: (update) => updates.push(update),
      });
      let latest: KubernetesSnapshot | undefined;
      const subscription = provider.resources$.subscribe((snapshot) => {
        latest = snapshot;
        const { statuses } = translate(snapshot.resources, { controllerName: CONTROLLER });
        void provider.writeStatus(statuses);
      });
      running.push(async () => {
        subscription.unsubscribe();
        await provider.close();
      });
      // The new route's parents are written: one HTTPRoute update written, timed.
      const written = await eventually(async () =>
        updates.find((u) => u.kind === 'HTTPRoute' && u.outcome === 'written'),
      );
      expect(written.seconds).toBeGreaterThan(0);
      expect(written.conflicts).toBe(0);
      // The same statuses again: every one unchanged, nothing written.
      const { statuses } = translate(latest?.resources as KubernetesSnapshot['resources'], {
        controllerName: CONTROLLER,
      });
      updates.length = 0;
      await provider.writeStatus(statuses);
      expect(updates.length).toBe(statuses.length);
      expect(new Set(updates.map((u) => u.outcome))).toEqual(new Set(['unchanged']));
      expect(updates.map((u) => u.kind)).toContain('Gateway');
      // A status for a route deleted meanwhile: gone.
      updates.length = 0;
      await provider.writeStatus([
        {
          apiVersion: GW,
          kind: 'HTTPRoute',
          metadata: { namespace: 'app', name: 'deleted-meanwhile' },
          status: { parents: [] },
        },
      ]);
      expect(updates).toMatchObject([{ kind: 'HTTPRoute', outcome: 'gone', conflicts: 0 }]);
    }, 120_000);

    it('two replicas: only the leader writes status; the other takes over when it stops or its Lease lapses', async () => {
      const elect = (identity: string) =>
        startLeaderElection({
          kubeConfig,
          namespace: 'default',
          name: 'egts-test-leader',
          identity,
          leaseDurationMs: 3_000,
          renewDeadlineMs: 2_000,
          retryPeriodMs: 250,
        });
      const a = startReplica(elect('replica-a'));
      await sleep(500);
      const b = startReplica(elect('replica-b'));
      const leaseHolder = async () =>
        (
          await get<{ spec: { holderIdentity?: string } }>(
            '/apis/coordination.k8s.io/v1/namespaces/default/leases/egts-test-leader',
          )
        ).spec.holderIdentity;
      expect(await eventually(leaseHolder)).toBe('replica-a');

      await env.apply([httpRoute('app', 'leader-route', { ns: 'app', name: 'gw' }, 'echo')]);
      await eventually(async () => ((await ourParent('app', 'leader-route')) ? true : undefined));
      await eventually(async () =>
        b.snapshots.at(-1)?.resources.httpRoutes.some((r) => r.metadata.name === 'leader-route')
          ? true
          : undefined,
      );
      // The follower computed the same statuses but wrote nothing.
      expect(b.writes.length).toBeGreaterThan(0);
      expect(b.writes.every((w) => w === undefined)).toBe(true);
      expect(a.writes.some((w) => (w?.written ?? 0) > 0)).toBe(true);

      // The leader stops and releases the Lease: b leads and writes what changes next.
      await a.stop();
      expect(
        await eventually(
          async () => ((await leaseHolder()) === 'replica-b' ? 'replica-b' : undefined),
          30_000,
        ),
      ).toBe('replica-b');
      await env.apply([
        httpRoute('app', 'leader-route', { ns: 'app', name: 'gw' }, 'missing-service'),
      ]);
      await eventually(async () => {
        const p = await ourParent('app', 'leader-route');
        return cond(p?.conditions, 'ResolvedRefs')?.status === 'False' ? true : undefined;
      });
      expect(b.writes.some((w) => (w?.written ?? 0) > 0)).toBe(true);
      await b.stop();

      // A leader that died without releasing: its Lease must lapse first.
      const lease = await get<Record<string, unknown> & { spec: Record<string, unknown> }>(
        '/apis/coordination.k8s.io/v1/namespaces/default/leases/egts-test-leader',
      );
      await env.request(
        'PUT',
        '/apis/coordination.k8s.io/v1/namespaces/default/leases/egts-test-leader',
        {
          ...lease,
          spec: {
            ...lease.spec,
            holderIdentity: 'crashed-replica',
            leaseDurationSeconds: 2,
            renewTime: new Date().toISOString().replace('Z', '000Z'),
          },
        },
      );
      const started = Date.now();
      const c = elect('replica-c');
      running.push(() => c.stop());
      await eventually(async () => (c.isLeader() ? true : undefined), 30_000);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
      expect(await leaseHolder()).toBe('replica-c');
    }, 180_000);
  },
);
