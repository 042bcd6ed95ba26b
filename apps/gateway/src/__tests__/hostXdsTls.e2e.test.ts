// `egts run` serves its own proxies xDS over mTLS: certificates generated into the state
// directory on first start (keys 0600), Envoy connected with them (traffic flows), and a local
// client without them refused (issue #16, item 8).
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiscoveryRequest } from '@egts/envoy-api';
import { AggregatedDiscoveryServiceClient } from '@egts/envoy-api/services';
import { credentials } from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningCli, startCli } from './runCli.js';
import {
  Backends,
  freePort,
  gatewayWith,
  getThroughEnvoy,
  route,
  service,
  waitFor,
} from './throughEnvoy.js';

const dir = mkdtempSync(join(tmpdir(), 'egts-xds-tls-'));
const stateDir = join(dir, 'state');
const backends = new Backends();
let egts: RunningCli | undefined;

afterAll(() => {
  if (egts?.child.exitCode === null) egts.child.kill('SIGKILL');
  backends.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('host-mode xDS', () => {
  it('is mTLS with certificates made in the state directory, and refuses a plaintext client', async () => {
    const port = await backends.start('a');
    const listenerPort = await freePort();
    const xdsPort = await freePort();
    const config = join(dir, 'config');
    mkdirSync(config);
    writeFileSync(join(config, 'base.yaml'), gatewayWith(listenerPort, service('a', port)));
    writeFileSync(join(config, 'one.yaml'), route('one', '/one', 'a', port));
    egts = await startCli(
      [
        'run',
        '-f',
        config,
        '--xds-address',
        `127.0.0.1:${xdsPort}`,
        '--admin-address',
        '127.0.0.1:0',
      ],
      60_000,
      { EGTS_STATE_DIR: stateDir },
    );
    const running = egts;
    await waitFor(
      'route one over mTLS xDS',
      async () => (await getThroughEnvoy(listenerPort, '/one')).backend === 'a',
      () => running.output().slice(-4000),
      60_000,
    );
    for (const key of ['envoy-gateway/tls.key', 'envoy/tls.key'])
      expect(statSync(join(stateDir, 'xds-tls', key)).mode & 0o777).toBe(0o600);
    expect(statSync(join(stateDir, 'xds-tls')).mode & 0o777).toBe(0o700);

    // A local process without the client certificate: no stream, let alone the SDS secrets.
    const client = new AggregatedDiscoveryServiceClient(
      `127.0.0.1:${xdsPort}`,
      credentials.createInsecure(),
    );
    const stream = client.streamAggregatedResources();
    const outcome = new Promise<string>((resolve) => {
      stream.on('data', () => resolve('data'));
      stream.on('error', (error: Error & { code?: number }) => resolve(`error ${error.code}`));
    });
    stream.write(
      DiscoveryRequest.fromPartial({
        node: { id: 'intruder' },
        typeUrl: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
      }),
    );
    expect(await outcome).toMatch(/^error /);
    client.close();
  });
});
