// A resource the API server would refuse is refused by the file provider too (#16 item 10):
// reported with its file, kind and field, never served; its neighbours are served.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createFileProvider } from '../index.js';

const gateway = (name: string, port: number) =>
  JSON.stringify({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name, namespace: 'default' },
    spec: { gatewayClassName: 'eg', listeners: [{ name: 'http', protocol: 'HTTP', port }] },
  });

const route = (name: string, hostnames: string[]) =>
  JSON.stringify({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace: 'default' },
    spec: { parentRefs: [{ name: 'good' }], hostnames },
  });

describe('schema-invalid resources', () => {
  it('are refused and reported; the valid ones beside them are served', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'egts-provider-invalid-'));
    const many = Array.from({ length: 20_000 }, (_, i) => `h${i}.example.com`);
    writeFileSync(
      join(dir, 'good.yaml'),
      [gateway('good', 80), route('ok', ['a.example.com'])].join('\n---\n'),
    );
    writeFileSync(
      join(dir, 'bad.yaml'),
      [gateway('port70000', 70000), route('wide', many)].join('\n---\n'),
    );
    const provider = createFileProvider({ paths: [dir] });
    try {
      const { resources, problems } = await firstValueFrom(provider.resources$);
      expect(resources.gateways.map((g) => g.metadata.name)).toEqual(['good']);
      expect(resources.httpRoutes.map((r) => r.metadata.name)).toEqual(['ok']);
      const errors = problems.filter((p) => p.severity === 'error');
      expect(errors.map((p) => [p.file, p.kind, p.name, p.path.join('.')])).toEqual([
        [join(dir, 'bad.yaml'), 'Gateway', 'port70000', 'spec.listeners.0.port'],
        [join(dir, 'bad.yaml'), 'HTTPRoute', 'wide', 'spec.hostnames'],
      ]);
    } finally {
      await provider.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
