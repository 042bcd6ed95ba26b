// Integration: EnvoyProxy `bootstrap` (Merge, JSONPatch) applied to the bootstrap the host
// infra-manager starts a real Envoy with; a bootstrap that does not apply, or that Envoy refuses
// (`envoy --mode validate`), is reported and the running proxy keeps its last good one.
import type { ProxyInfra } from '@egts/ir';
import {
  createSnapshot,
  createSnapshotCache,
  createXdsServer,
  type XdsServer,
} from '@egts/xds-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createHostInfraManager, type HostInfraManager, type ProxyEvent } from '../index.js';
import {
  type Backend,
  ephemeralPort,
  eventually,
  get,
  httpToBackend,
  infraIR,
  proxyInfra,
  startBackend,
} from './fixtures.js';

describe('host infra-manager: EnvoyProxy bootstrap', () => {
  let server: XdsServer | undefined;
  let manager: HostInfraManager | undefined;
  let backend: Backend | undefined;
  afterEach(async () => {
    await manager?.close();
    await server?.close();
    await backend?.close();
  });

  it('applies Merge and JSONPatch bootstraps and keeps the last good one when one is refused', async () => {
    backend = await startBackend('hello');
    const cache = createSnapshotCache();
    server = createXdsServer(cache);
    const xdsPort = await server.listen('127.0.0.1:0');
    const events: ProxyEvent[] = [];
    manager = createHostInfraManager({
      xds: { host: '127.0.0.1', port: xdsPort },
      backoff: { initialMs: 100, maxMs: 1_000 },
      onEvent: (event) => events.push(event),
    });
    const port = await ephemeralPort();
    cache.setSnapshot('default/a', createSnapshot(httpToBackend(port, backend.port)));
    const withBootstrap = (bootstrap: ProxyInfra['bootstrap']): ProxyInfra => ({
      ...proxyInfra('default/a', port),
      ...(bootstrap ? { bootstrap } : {}),
    });
    /** The node metadata Envoy runs with (admin /config_dump, its bootstrap). */
    const metadata = async (): Promise<unknown> => {
      const [proxy] = manager?.proxies() ?? [];
      const dump = JSON.parse(
        await (await fetch(`http://${proxy?.adminAddress}/config_dump`)).text(),
      ) as { configs: { bootstrap?: { node: { metadata?: unknown } } }[] };
      return dump.configs.find((c) => c.bootstrap)?.bootstrap?.node.metadata;
    };

    await manager.apply(
      infraIR(withBootstrap({ type: 'Merge', value: { node: { metadata: { team: 'a' } } } })),
    );
    await eventually(async () => (await get(port)) === 'hello');
    expect(await metadata()).toEqual({ team: 'a' });
    const pid = manager.proxies()[0]?.pid;

    // Envoy refuses an unknown field: the proxy runs on, untouched.
    await manager.apply(
      infraIR(withBootstrap({ type: 'Merge', value: { node: { no_such_field: 1 } } })),
    );
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'bootstrap-refused',
        proxy: 'default/a',
        reason: expect.stringContaining('spec.bootstrap: Envoy refuses it'),
      }),
    );
    expect(manager.proxies()[0]?.pid).toBe(pid);
    expect(await get(port)).toBe('hello');

    // A patch that cannot apply names its field.
    await manager.apply(
      infraIR(
        withBootstrap({
          type: 'JSONPatch',
          jsonPatches: [{ op: 'replace', path: '/no/such/path', value: 1 }],
        }),
      ),
    );
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'bootstrap-refused',
        reason: expect.stringContaining('spec.bootstrap.jsonPatches[0]'),
      }),
    );
    expect(manager.proxies()[0]?.pid).toBe(pid);
    expect(events.some((e) => e.type === 'bootstrap-accepted')).toBe(false);

    // A good patch (over Envoy's proto field names) restarts the proxy with it.
    await manager.apply(
      infraIR(
        withBootstrap({
          type: 'JSONPatch',
          jsonPatches: [{ op: 'add', path: '/node/metadata', value: { patched: 'yes' } }],
        }),
      ),
    );
    expect(manager.proxies()[0]?.pid).not.toBe(pid);
    await eventually(async () => (await get(port)) === 'hello');
    expect(await metadata()).toEqual({ patched: 'yes' });
    // The refusal is over (the app clears the Gateway's InvalidParameters condition on this).
    expect(events).toContainEqual({ type: 'bootstrap-accepted', proxy: 'default/a' });
  }, 180_000);
});
