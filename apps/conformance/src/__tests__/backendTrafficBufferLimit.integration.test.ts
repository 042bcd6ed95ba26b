// BackendTrafficPolicy `connection.bufferLimit` through real Envoy: the per-connection buffer of
// upstream connections. A 4 MiB upload to a backend that reads it after a pause backs the upstream
// connection up (Envoy's upstream_flow_control_backed_up_total) far more often with a 1Ki limit
// than the same upload on a route without the setting (32Ki).
import { createServer, request, type Server } from 'node:http';
import type { EnvoyHandle } from '@egts/envoy-binary';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../internal/freePort.js';
import {
  closeAll,
  gatewayManifests,
  policy,
  route,
  service,
  startTranslated,
} from './backendTrafficFixture.js';

const BODY = Buffer.alloc(4 * 1024 * 1024, 'x');

describe('[envoy] BackendTrafficPolicy connection bufferLimit', () => {
  const servers: Server[] = [];
  let envoy: EnvoyHandle | undefined;
  let port = 0;
  let statuses: { kind: string; name: string; accepted: string | undefined }[] = [];

  beforeAll(async () => {
    port = await freePort();
    const backendPort = await freePort();
    const server = createServer((req, res) => {
      req.pause();
      setTimeout(() => {
        let n = 0;
        req.on('data', (chunk: Buffer) => {
          n += chunk.length;
        });
        req.on('end', () => res.end(String(n)));
        req.resume();
      }, 300);
    });
    await new Promise<void>((resolve) => server.listen(backendPort, '127.0.0.1', resolve));
    servers.push(server);
    const text = `${gatewayManifests(port)}${service('sink', backendPort, ['127.0.0.1'])}${route(
      'small',
      'sink',
      backendPort,
    )}${route('plain', 'sink', backendPort)}${policy('small', '  connection: {bufferLimit: 1Ki}\n')}`;
    ({ envoy, statuses } = await startTranslated(text, 'buffer-limit.yaml'));
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    await closeAll(servers);
  });

  const upload = (path: string) =>
    new Promise<string>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path, method: 'POST', agent: false },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => {
            body += c.toString();
          });
          res.on('end', () => resolve(`${res.statusCode}/${body}`));
        },
      );
      req.on('error', reject);
      req.end(BODY);
    });

  const backedUp = async (name: string) => {
    const text = (await envoy?.admin('/stats?filter=upstream_flow_control_backed_up_total$')) ?? '';
    const line = text.split('\n').find((l) => l.includes(`/${name}/`));
    return Number(line?.split(':').pop());
  };

  it('bufferLimit backs the upstream connection up sooner', async () => {
    expect(statuses).toContainEqual({
      kind: 'BackendTrafficPolicy',
      name: 'small',
      accepted: 'Accepted',
    });
    expect(await upload('/small')).toBe(`200/${BODY.length}`);
    expect(await upload('/plain')).toBe(`200/${BODY.length}`);
    // Seen: 256-258 times with 1Ki (about every 16Ki read), 65 without (32Ki).
    const small = await backedUp('small');
    const plain = await backedUp('plain');
    expect(plain).toBeGreaterThan(0);
    expect(small).toBeGreaterThan(2 * plain);
  }, 60_000);
});
