// `egts server --config`: Envoy Gateway's static configuration decides the provider.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from './runCli.js';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const examples = join(appDir, '..', '..', 'examples', 'quickstart');
const dir = mkdtempSync(join(tmpdir(), 'egts-server-'));

describe('egts server', () => {
  it('names the field of a bad configuration and exits non-zero', () => {
    const config = join(dir, 'bad.yaml');
    writeFileSync(
      config,
      'apiVersion: gateway.envoyproxy.io/v1alpha1\nkind: EnvoyGateway\nprovider: {type: Nomad}\n',
    );
    const result = runCli(['server', '--config', config]);
    expect(result.stderr).toContain(`error: ${config}:3: EnvoyGateway: provider.type:`);
    expect(result.status).toBe(1);
  });

  it('serves a File provider from the configuration, with the admin address it names', async () => {
    const config = join(dir, 'file.yaml');
    writeFileSync(
      config,
      `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyGateway
provider:
  type: Custom
  custom:
    resource: {type: File, file: {paths: [${examples}]}}
admin: {address: {host: 127.0.0.1, port: 0}}
`,
    );
    const egts = await startCli(['server', '--config', config, '--xds-address', '127.0.0.1:0']);
    const adminPort = egts.adminPort;
    try {
      let statuses: Array<{ kind: string }> = [];
      for (let i = 0; i < 100 && statuses.length === 0; i++) {
        statuses = (await (
          await fetch(`http://127.0.0.1:${adminPort}/statuses`)
        ).json()) as typeof statuses;
        if (statuses.length === 0) await new Promise((r) => setTimeout(r, 50));
      }
      expect(statuses.map((s) => s.kind)).toContain('HTTPRoute');
      expect((await fetch(`http://127.0.0.1:${adminPort}/readyz`)).status).toBe(200);
      const metrics = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
      expect(metrics).toMatch(/egts_xds_snapshots_total\{gateway="default\/eg"\} 1/);
    } finally {
      await egts.stop();
    }
  });
});
