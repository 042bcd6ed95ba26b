// Heavy (downloads an Envoy release from PyPI the first time, about 50 MB): EnvoyProxy
// `provider.host.envoyVersion` makes the host infra-manager run that Envoy release, installed
// into a virtualenv of its own and kept for later runs on this machine (in the temporary
// directory); Envoy's admin /server_info tells the release that runs. A release
// that cannot be installed is refused naming the field, and the fleet keeps its proxy.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** Another release than the one the project's venv holds (1.40.0). */
const RELEASE = '1.39.3';
const versionsDir = join(tmpdir(), 'egts-envoy-versions');

describe('host infra-manager: EnvoyProxy provider.host.envoyVersion', () => {
  let server: XdsServer | undefined;
  let manager: HostInfraManager | undefined;
  let backend: Backend | undefined;
  afterEach(async () => {
    await manager?.close();
    await server?.close();
    await backend?.close();
  });

  it('runs the Envoy release asked for, and refuses one it cannot install', async () => {
    backend = await startBackend('hello');
    const cache = createSnapshotCache();
    server = createXdsServer(cache);
    const xdsPort = await server.listen('127.0.0.1:0');
    const events: ProxyEvent[] = [];
    manager = createHostInfraManager({
      xds: { host: '127.0.0.1', port: xdsPort },
      backoff: { initialMs: 100, maxMs: 1_000 },
      envoyVersionsDir: versionsDir,
      onEvent: (event) => events.push(event),
    });
    const port = await ephemeralPort();
    cache.setSnapshot('default/a', createSnapshot(httpToBackend(port, backend.port)));
    const version = async () => {
      const [proxy] = manager?.proxies() ?? [];
      const info = (await (await fetch(`http://${proxy?.adminAddress}/server_info`)).json()) as {
        version: string;
      };
      return info.version;
    };
    const host = (envoyVersion: string) => ({
      provider: { type: 'Host', host: { envoyVersion } },
    });
    await manager.apply(infraIR(proxyInfra('default/a', port, host(RELEASE))));
    await eventually(async () => (await get(port)) === 'hello');
    expect(await version()).toContain(`/${RELEASE}/`);

    // No such release: refused naming the field; the proxy runs on with its release.
    await manager.apply(infraIR(proxyInfra('default/a', port, host('1.0.99'))));
    const refusal = events.find((e) => e.type === 'bootstrap-refused');
    expect(refusal && 'reason' in refusal ? refusal.reason : '').toMatch(
      /^spec\.provider\.host\.envoyVersion: Envoy 1\.0\.99 could not be installed/,
    );
    expect(await get(port)).toBe('hello');
    expect(await version()).toContain(`/${RELEASE}/`);
  }, 600_000);
});
