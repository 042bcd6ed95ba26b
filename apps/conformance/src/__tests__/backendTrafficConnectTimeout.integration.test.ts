// BackendTrafficPolicy `timeout.tcp.connectTimeout` through real Envoy: the backend is a socket
// that listens with a backlog of 0 and never accepts (Python, as Node accepts by itself); one
// connection fills its queue, so Linux drops further SYNs and Envoy's connect hangs. With
// connectTimeout 300ms the request fails within a couple of seconds; the same backend without
// the setting takes Envoy Gateway's default (10s).
import { type ChildProcess, spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import type { EnvoyHandle } from '@egts/envoy-binary';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../internal/freePort.js';
import {
  gatewayManifests,
  get,
  policy,
  route,
  service,
  startTranslated,
} from './backendTrafficFixture.js';

const LISTENER = `
import socket, sys, time
s = socket.socket()
s.bind(('127.0.0.1', int(sys.argv[1])))
s.listen(0)
print('listening', flush=True)
time.sleep(600)
`;

describe('[envoy] BackendTrafficPolicy tcp connectTimeout', () => {
  let envoy: EnvoyHandle | undefined;
  let listener: ChildProcess | undefined;
  let filler: Socket | undefined;
  let port = 0;
  let statuses: { kind: string; name: string; accepted: string | undefined }[] = [];

  beforeAll(async () => {
    port = await freePort();
    const backendPort = await freePort();
    const child = spawn('python3', ['-c', LISTENER, String(backendPort)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    listener = child;
    await new Promise<void>((resolve, reject) => {
      child.stdout?.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`listener exited (${code})`)));
    });
    // Fill the accept queue: the next connection attempts hang.
    filler = connect(backendPort, '127.0.0.1');
    await new Promise((resolve) => filler?.once('connect', resolve));
    const text = `${gatewayManifests(port)}${service('stuck', backendPort, ['127.0.0.1'])}${route(
      'fast',
      'stuck',
      backendPort,
    )}${route('slow', 'stuck', backendPort)}${policy(
      'fast',
      '  timeout: {tcp: {connectTimeout: 300ms}}\n',
    )}`;
    ({ envoy, statuses } = await startTranslated(text, 'connect-timeout.yaml'));
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    filler?.destroy();
    listener?.kill();
  });

  const timed = async (path: string) => {
    const start = Date.now();
    const reply = await get(port, path);
    return { status: reply.status, seconds: (Date.now() - start) / 1000 };
  };

  it('connectTimeout fails a connection that hangs sooner than the default', async () => {
    expect(statuses).toContainEqual({
      kind: 'BackendTrafficPolicy',
      name: 'fast',
      accepted: 'Accepted',
    });
    const fast = await timed('/fast');
    const slow = await timed('/slow');
    expect(fast.status).toBe(503);
    expect(slow.status).toBe(503);
    // 300ms (under load, still far below the default); the default is 10s.
    expect(fast.seconds).toBeLessThan(5);
    expect(slow.seconds).toBeGreaterThanOrEqual(9);
  }, 60_000);
});
