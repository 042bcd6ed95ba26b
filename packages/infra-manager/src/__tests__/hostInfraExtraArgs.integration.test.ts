// Integration: EnvoyProxy `extraArgs` reach the Envoy the host infra-manager starts, after the
// arguments egts sets; Envoy's admin /server_info shows the command line it runs with.
import {
  createSnapshot,
  createSnapshotCache,
  createXdsServer,
  type XdsServer,
} from '@egts/xds-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createHostInfraManager, type HostInfraManager } from '../index.js';
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

describe('host infra-manager: EnvoyProxy extraArgs', () => {
  let server: XdsServer | undefined;
  let manager: HostInfraManager | undefined;
  let backend: Backend | undefined;
  afterEach(async () => {
    await manager?.close();
    await server?.close();
    await backend?.close();
  });

  it('starts Envoy with the extra arguments', async () => {
    backend = await startBackend('hello');
    const cache = createSnapshotCache();
    server = createXdsServer(cache);
    const xdsPort = await server.listen('127.0.0.1:0');
    manager = createHostInfraManager({
      xds: { host: '127.0.0.1', port: xdsPort },
      backoff: { initialMs: 100, maxMs: 1_000 },
    });
    const port = await ephemeralPort();
    cache.setSnapshot('default/a', createSnapshot(httpToBackend(port, backend.port)));
    const serverInfo = async () => {
      const [proxy] = manager?.proxies() ?? [];
      return (await (await fetch(`http://${proxy?.adminAddress}/server_info`)).json()) as {
        command_line_options: { service_zone: string; drain_time: string };
      };
    };
    await manager.apply(
      infraIR(
        proxyInfra('default/a', port, {
          // Not --service-cluster: the xDS server keys a proxy's snapshot by its node cluster.
          extraArgs: ['--service-zone', 'z1', '--drain-time-s', '7'],
        }),
      ),
    );
    await eventually(async () => (await get(port)) === 'hello');
    expect((await serverInfo()).command_line_options).toMatchObject({
      service_zone: 'z1',
      drain_time: '7s',
    });
    // Without them, Envoy's defaults.
    await manager.apply(infraIR(proxyInfra('default/a', port)));
    await eventually(
      async () =>
        (await serverInfo().catch(() => undefined))?.command_line_options.service_zone === '',
    );
  }, 120_000);
});
