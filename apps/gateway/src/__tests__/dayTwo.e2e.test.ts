// Day-two commands against a running `egts run` with a real Envoy: `egts status` lists the
// statuses, filters them by kind and namespace, and fails when a route is not accepted (or was
// refused by the loader);
// `egts config proxy` prints what the Gateway's Envoy holds, from the proxy's own admin endpoint.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConfigProxy } from '../cli/configCommand.js';
import { runStatus } from '../cli/statusCommand.js';
import { type RunningCli, runCli, startCli } from './runCli.js';
import { Backends, freePort, gatewayWith, route, service, waitFor } from './throughEnvoy.js';

const dir = mkdtempSync(join(tmpdir(), 'egts-day-two-'));
const backends = new Backends();
let egts: RunningCli;
const admin = () => ({ host: '127.0.0.1', port: egts.adminPort });
const statusOf = (kind?: string, namespace?: string) =>
  runStatus(kind, { adminAddress: admin(), namespace, output: 'table' });

beforeAll(async () => {
  const backendPort = await backends.start('a');
  writeFileSync(
    join(dir, 'base.yaml'),
    gatewayWith(
      await freePort(),
      `${service('a', backendPort)}---\n${route('good', '/', 'a', backendPort)}`,
    ),
  );
  egts = await startCli([
    'run',
    '-f',
    dir,
    '--xds-address',
    '127.0.0.1:0',
    '--admin-address',
    '127.0.0.1:0',
  ]);
  await waitFor(
    'the route accepted',
    async () => (await statusOf('httproute')).stdout.includes('Accepted=True'),
    () => egts.output().slice(-4000),
  );
});

afterAll(async () => {
  await egts?.stop();
  backends.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('egts status', () => {
  it('lists every status and exits 0 when all is accepted', async () => {
    const result = await statusOf();
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n')[0]).toMatch(/^KIND\s+NAME\s+WHERE\s+CONDITIONS$/);
    expect(result.stdout).toMatch(/GatewayClass\s+eg\s+Accepted=True\(Accepted\)/);
    expect(result.stdout).toMatch(/Gateway\s+default\/eg\s+listener http\s+Accepted=True/);
    expect(result.stdout).toMatch(
      /HTTPRoute\s+default\/good\s+parent default\/eg\s+Accepted=True\(Accepted\) ResolvedRefs=True/,
    );
  });

  it('fails naming a route that is not accepted; a filter that leaves it out passes', async () => {
    writeFileSync(join(dir, 'broken.yaml'), route('broken', '/broken', 'missing', 8080));
    await waitFor(
      'the broken route in the statuses',
      async () => (await statusOf('HTTPRoute')).stdout.includes('default/broken'),
      () => egts.output().slice(-4000),
    );
    const routes = await statusOf('httproutes', 'default');
    expect(routes.exitCode).toBe(1);
    expect(routes.stderr).toContain(
      'HTTPRoute default/broken parent default/eg: ResolvedRefs=False BackendNotFound',
    );
    expect(routes.stdout).not.toContain('Gateway ');
    const gateways = await statusOf('gateway');
    expect(gateways.exitCode).toBe(0);
    expect(gateways.stdout).not.toContain('HTTPRoute');
    const elsewhere = await statusOf(undefined, 'other');
    expect(elsewhere).toMatchObject({ exitCode: 0, stdout: '' });
    expect(elsewhere.stderr).toContain('no resource statuses in namespace other');
    // The real command line: YAML output, and the exit code.
    const cli = runCli([
      'status',
      'HTTPRoute',
      '-o',
      'yaml',
      '--admin-address',
      `127.0.0.1:${egts.adminPort}`,
    ]);
    expect(cli.status).toBe(1);
    expect(cli.stdout).toContain('name: broken');
    expect(cli.stderr).toContain('BackendNotFound');
  });

  it('shows a route the loader refused as not accepted, naming its file and field', async () => {
    writeFileSync(
      join(dir, 'refused.yaml'),
      route('refused', '/refused', 'a', 8080).replace('PathPrefix', 'Prefix'),
    );
    await waitFor(
      'the refused route in the statuses',
      async () => (await statusOf('HTTPRoute')).stdout.includes('default/refused'),
      () => egts.output().slice(-4000),
    );
    const result = await statusOf('HTTPRoute');
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/HTTPRoute\s+default\/refused\s+Accepted=False\(Invalid\)/);
    const yaml = await runStatus('HTTPRoute', { adminAddress: admin(), output: 'yaml' });
    expect(yaml.stdout).toMatch(/refused\.yaml:\d+: spec\.rules\[0\]\.matches\[0\]\.path\.type: /);
  });

  it('says which address did not answer', async () => {
    const port = await freePort();
    await expect(
      runStatus(undefined, { adminAddress: { host: '127.0.0.1', port }, output: 'table' }),
    ).rejects.toThrow(`cannot reach http://127.0.0.1:${port}/statuses`);
  });
});

describe('egts config proxy', () => {
  const options = () => ({ namespace: 'default', type: 'all' as const, adminAddress: admin() });

  it("prints the Gateway's Envoy configuration, whole or one section", async () => {
    const whole = JSON.parse(await runConfigProxy('eg', options())) as {
      configs: Array<{ '@type': string }>;
    };
    const types = whole.configs.map((c) => c['@type'].split('.').at(-1));
    expect(types).toEqual(
      expect.arrayContaining(['BootstrapConfigDump', 'ListenersConfigDump', 'EndpointsConfigDump']),
    );
    const listeners = await runConfigProxy('default/eg', { ...options(), type: 'listener' });
    const parsed = JSON.parse(listeners) as { configs: Array<{ '@type': string }> };
    expect(parsed.configs.map((c) => c['@type'])).toEqual([
      'type.googleapis.com/envoy.admin.v3.ListenersConfigDump',
    ]);
    // The listener egts served over xDS, as Envoy holds it.
    expect(listeners).toContain('"name": "default/eg/http"');
  });

  it('names the proxies it knows when the Gateway has none', async () => {
    await expect(runConfigProxy('nope', options())).rejects.toThrow(
      'no proxy for Gateway default/nope at 127.0.0.1:',
    );
    await expect(runConfigProxy('nope', options())).rejects.toThrow('its proxies: default/eg');
  });
});
