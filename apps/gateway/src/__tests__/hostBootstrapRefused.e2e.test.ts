// Host mode: an EnvoyProxy bootstrap Envoy refuses (`envoy --mode validate`) shows on the Gateway
// as Envoy Gateway shows it (e2e EnvoyProxyInvalidUpdate): Accepted False, InvalidParameters;
// fixing the bootstrap clears it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogging } from '../logging.js';
import type { RunningGateway } from '../run/gatewayOptions.js';
import { runHostGateway } from '../run/hostGateway.js';
import { freePort, waitFor } from './throughEnvoy.js';

const root = mkdtempSync(join(tmpdir(), 'egts-host-bootstrap-'));
const config = join(root, 'resources.yaml');
let gateway: RunningGateway | undefined;

const write = (listenerPort: number, bootstrap: string) =>
  writeFileSync(
    config,
    `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: eg}
spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyProxy
metadata: {name: proxy, namespace: default}
spec:
  bootstrap:
    type: Merge
    value: |
${bootstrap}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: eg, namespace: default}
spec:
  gatewayClassName: eg
  infrastructure:
    parametersRef: {group: gateway.envoyproxy.io, kind: EnvoyProxy, name: proxy}
  listeners: [{name: http, protocol: HTTP, port: ${listenerPort}}]
`,
  );

afterAll(async () => {
  await gateway?.close();
  rmSync(root, { recursive: true, force: true });
});

/** The Gateway's Accepted condition as the gateway shows it now. */
const accepted = () => {
  const entry = gateway?.statuses$.value.find((s) => s.kind === 'Gateway');
  const conditions = (entry?.status.conditions ?? []) as {
    type: string;
    status: string;
    reason: string;
    message: string;
  }[];
  return conditions.find((c) => c.type === 'Accepted');
};

describe('host mode: a bootstrap Envoy refuses (e2e)', () => {
  it('sets the Gateway Accepted False (InvalidParameters), and clears it once fixed', async () => {
    const listenerPort = await freePort();
    write(listenerPort, '      node:\n        no_such_field: 1');
    gateway = await runHostGateway({
      paths: [config],
      xds: { host: '127.0.0.1', port: 0 },
      admin: { host: '127.0.0.1', port: 0 },
      stateDir: join(root, 'state'),
      logging: createLogging({ default: 'warn' }),
    });
    await waitFor(
      'Accepted False on the Gateway',
      async () => accepted()?.status === 'False',
      () => JSON.stringify(accepted()),
      120_000,
    );
    expect(accepted()).toMatchObject({
      reason: 'InvalidParameters',
      message: expect.stringContaining('Envoy refuses it'),
    });
    write(listenerPort, '      node:\n        metadata: {team: a}');
    await waitFor(
      'Accepted True again',
      async () => accepted()?.status === 'True',
      () => JSON.stringify(accepted()),
      120_000,
    );
  }, 300_000);
});
