// A NACK shown where a config server user looks (issue #16, item 2): `egts run --config-server`
// with its own real Envoy; a Secret update with a certificate Envoy refuses (a 1024-bit RSA key,
// which Node accepts) shows on the Gateway's status served by `GET /v1/statuses`, with Envoy's
// message, while route changes keep flowing; a fixed Secret clears it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_PLANE_REJECTED } from '../admin/rejectionProblems.js';
import { type RunningCli, startCli } from './runCli.js';
import { getThroughTls, selfSigned } from './selfSigned.js';
import { Backends, freePort, getThroughEnvoy, route, service, waitFor } from './throughEnvoy.js';

const dir = mkdtempSync(join(tmpdir(), 'egts-nack-config-server-'));
const tokenFile = join(dir, 'token');
const TOKEN = 'e2e-token-nack-0123456789';
const HOST = 'www.example.com';
const backends = new Backends();
let egts: RunningCli;
let httpPort = 0;
let listenerPort = 0;
let tlsPort = 0;
let backendPort = 0;

const secret = (rsaBits: number) => {
  const { cert, key } = selfSigned(HOST, rsaBits);
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  return `apiVersion: v1
kind: Secret
metadata: {name: cert, namespace: default}
type: kubernetes.io/tls
data: {tls.crt: ${b64(cert)}, tls.key: ${b64(key)}}
`;
};

const gateway = () => `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: eg, namespace: default}
spec:
  gatewayClassName: eg
  listeners:
  - {name: http, protocol: HTTP, port: ${listenerPort}}
  - name: https
    protocol: HTTPS
    port: ${tlsPort}
    hostname: ${HOST}
    tls: {mode: Terminate, certificateRefs: [{name: cert}]}
${service('app', backendPort)}`;

async function apply(manifest: string): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${httpPort}/v1/resources`, {
    method: 'POST',
    headers: { 'content-type': 'application/yaml', authorization: `Bearer ${TOKEN}` },
    body: manifest,
  });
  expect(res.status, await res.text()).toBe(200);
}

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

/** The Gateway's DataPlaneRejected condition as `GET /v1/statuses` serves it. */
async function rejected(): Promise<Condition | undefined> {
  const res = await fetch(`http://127.0.0.1:${httpPort}/v1/statuses`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  const { items } = (await res.json()) as {
    items: Array<{
      kind: string;
      metadata: { name: string };
      status: { conditions?: Condition[] };
    }>;
  };
  const gw = items.find((s) => s.kind === 'Gateway' && s.metadata.name === 'eg');
  return gw?.status.conditions?.find((c) => c.type === DATA_PLANE_REJECTED);
}

const until = (what: string, check: () => Promise<boolean>) =>
  waitFor(what, check, () => egts.output().slice(-4000), 90_000);

beforeAll(async () => {
  backendPort = await backends.start('app');
  listenerPort = await freePort();
  tlsPort = await freePort();
  writeFileSync(tokenFile, `${TOKEN}\n`);
  egts = await startCli([
    'run',
    '--config-server',
    '127.0.0.1:0',
    '--config-server-token-file',
    tokenFile,
    '--config-server-data',
    join(dir, 'data'),
    '--xds-address',
    '127.0.0.1:0',
    '--admin-address',
    '127.0.0.1:0',
  ]);
  const match = /"httpPort":(\d+)/.exec(egts.output());
  if (!match) throw new Error(`no config server port logged:\n${egts.output()}`);
  httpPort = Number(match[1]);
}, 180_000);

afterAll(async () => {
  await egts?.stop();
  backends.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a NACK on the config server statuses (e2e)', () => {
  it('shows Envoy message on the Gateway while the rest flows, and clears it once fixed', async () => {
    await apply(
      `${gateway()}---\n${secret(2048)}---\n${route('app', '/hello', 'app', backendPort)}`,
    );
    await until(
      'the route over HTTP',
      async () => (await getThroughEnvoy(listenerPort, '/hello')).status === 200,
    );
    await until(
      'the route over HTTPS',
      async () => (await getThroughTls(tlsPort, HOST, '/hello')) === 200,
    );
    expect(await rejected()).toBeUndefined();

    const started = performance.now();
    await apply(secret(1024));
    await until('DataPlaneRejected on the Gateway', async () => (await rejected()) !== undefined);
    console.log(
      `DataPlaneRejected served by the config server ${Math.round(performance.now() - started)} ms after the Secret write`,
    );
    const condition = await rejected();
    expect(condition).toMatchObject({ status: 'True', reason: 'Rejected' });
    expect(condition?.message).toContain('Secret default/cert');
    expect(condition?.message).toContain('2048-bit or larger');

    // The rest keeps flowing: the old certificate still serves, and a route change is served.
    expect(await getThroughTls(tlsPort, HOST, '/hello')).toBe(200);
    await apply(route('app', '/moved', 'app', backendPort));
    await until(
      'the edited route',
      async () =>
        (await getThroughEnvoy(listenerPort, '/moved')).status === 200 &&
        (await getThroughEnvoy(listenerPort, '/hello')).status === 404,
    );

    await apply(secret(2048));
    await until('DataPlaneRejected cleared', async () => (await rejected()) === undefined);
    expect(await getThroughTls(tlsPort, HOST, '/moved')).toBe(200);
  }, 300_000);
});
