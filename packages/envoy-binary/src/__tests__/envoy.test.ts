// Real Envoy (integration): a bootstrap built with @egts/envoy-api validates and serves HTTP.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bootstrap, HttpConnectionManager, packAny, Router, toEnvoyJson } from '@egts/envoy-api';
import { afterEach, describe, expect, it } from 'vitest';
import { type EnvoyHandle, findEnvoy, startEnvoy, validateEnvoyConfig } from '../index.js';

const directResponseBootstrap = (body: string, status = 200): object => {
  const hcm = HttpConnectionManager.fromPartial({
    statPrefix: 'ingress',
    routeConfig: {
      name: 'local',
      virtualHosts: [
        {
          name: 'all',
          domains: ['*'],
          routes: [
            { match: { prefix: '/' }, directResponse: { status, body: { inlineString: body } } },
          ],
        },
      ],
    },
    httpFilters: [
      { name: 'envoy.filters.http.router', typedConfig: packAny(Router, Router.fromPartial({})) },
    ],
  });
  const bootstrap = Bootstrap.fromPartial({
    node: { id: 'test', cluster: 'test' },
    staticResources: {
      listeners: [
        {
          name: 'http',
          address: { socketAddress: { address: '127.0.0.1', portValue: 0 } },
          filterChains: [
            {
              filters: [
                {
                  name: 'envoy.filters.network.http_connection_manager',
                  typedConfig: packAny(HttpConnectionManager, hcm),
                },
              ],
            },
          ],
        },
      ],
    },
  });
  return toEnvoyJson(Bootstrap, bootstrap) as object;
};

describe('findEnvoy', () => {
  it('prefers ENVOY_PATH and rejects a bad one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'egts-find-'));
    try {
      const fake = join(dir, 'envoy');
      writeFileSync(fake, '#!/bin/sh\n');
      chmodSync(fake, 0o755);
      expect(findEnvoy({ env: { ENVOY_PATH: fake } })).toBe(fake);
      expect(() => findEnvoy({ env: { ENVOY_PATH: join(dir, 'missing') } })).toThrow(
        /ENVOY_PATH=.*missing/,
      );
      // No venv above an empty temp dir, nothing on PATH: the error names all three places.
      expect(() => findEnvoy({ env: { PATH: dir.concat('/none') }, searchFrom: [dir] })).toThrow(
        /ENVOY_PATH.*envoy-venv.*PATH/,
      );
      expect(findEnvoy({ env: { PATH: dir }, searchFrom: [dir] })).toBe(fake);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('real Envoy', () => {
  let envoy: EnvoyHandle | undefined;
  afterEach(async () => {
    await envoy?.stop();
    envoy = undefined;
  });

  it('validates a bootstrap built with the generated types, and rejects a broken one', async () => {
    expect(await validateEnvoyConfig(directResponseBootstrap('ok'))).toMatchObject({ valid: true });
    const broken = await validateEnvoyConfig(directResponseBootstrap('ok', 42));
    expect(broken.valid).toBe(false);
    expect(broken.output).toMatch(/status/i);
  });

  it('starts Envoy, which answers HTTP on loopback, and stops it', async () => {
    envoy = startEnvoy({ config: directResponseBootstrap('hello from envoy\n') });
    const adminUrl = await envoy.ready();
    expect(adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const port = (await envoy.listenerPorts()).get('http');
    expect(port).toBeGreaterThan(0);
    const response = await fetch(`http://127.0.0.1:${port}/anything`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('hello from envoy\n');
    await envoy.stop();
    expect(await envoy.exited).not.toBeUndefined();
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  });
});
