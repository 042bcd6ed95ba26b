// BackendTrafficPolicy `retry.numAttemptsPerPriority` through real Envoy: a route's primary Service
// endpoint (priority 0) always answers 503 and its fallback Backend (priority 1) answers 200. With
// the setting (1 attempt per priority) the retry leaves priority 0 and lands on the fallback; without
// it every attempt stays on the healthy primary and the client gets its 503. Backends may not name a
// loopback address (Envoy Gateway rejects it), so the fallback listens on the machine's own IPv4.
import type { Server } from 'node:http';
import { networkInterfaces } from 'node:os';
import type { EnvoyHandle } from '@egts/envoy-binary';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../internal/freePort.js';
import {
  backendOf,
  closeAll,
  gatewayManifests,
  get,
  ok,
  policy,
  seen,
  service,
  startBackend,
  startTranslated,
} from './backendTrafficFixture.js';

/** The machine's first non-loopback IPv4 address. */
const hostAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a?.family === 'IPv4' && !a.internal)?.address;

/** A route to the primary Service and the fallback Backend. */
const routeWithFallback = (name: string, port: number) => `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /${name}}}]
    backendRefs:
    - {name: primary, port: ${port}}
    - {group: gateway.envoyproxy.io, kind: Backend, name: fallback}
`;

const retry = (perPriority: string) => `  retry:
    numRetries: 2
${perPriority}    retryOn: {httpStatusCodes: [503]}
`;

describe.skipIf(hostAddress === undefined)('[envoy] BackendTrafficPolicy retry priorities', () => {
  const servers: Server[] = [];
  let envoy: EnvoyHandle | undefined;
  let port = 0;
  let statuses: { kind: string; name: string; accepted: string | undefined }[] = [];

  beforeAll(async () => {
    const backendPort = await freePort();
    port = await freePort();
    servers.push(
      await startBackend('primary', '127.0.0.1', backendPort, () => ({ status: 503 })),
      await startBackend('fallback', hostAddress as string, backendPort, ok),
    );
    const text = `${gatewayManifests(port)}${service('primary', backendPort, ['127.0.0.1'])}---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: {name: fallback, namespace: default}
spec: {fallback: true, endpoints: [{ip: {address: ${hostAddress}, port: ${backendPort}}}]}
${routeWithFallback('priority', backendPort)}${routeWithFallback('same', backendPort)}${policy(
  'priority',
  retry('    numAttemptsPerPriority: 1\n'),
)}${policy('same', retry(''))}`;
    ({ envoy, statuses } = await startTranslated(text, 'retry-priority.yaml'));
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    await closeAll(servers);
  });

  it('numAttemptsPerPriority moves the retry of a 503 to the fallback priority', async () => {
    for (const name of ['priority', 'same'])
      expect(statuses).toContainEqual({ kind: 'BackendTrafficPolicy', name, accepted: 'Accepted' });
    const count = (backend: string, path: string) =>
      (seen.get(backend) ?? []).filter((url) => url === path).length;
    for (let i = 0; i < 5; i++) {
      const moved = await get(port, '/priority');
      expect(moved.status).toBe(200);
      expect(backendOf(moved)).toBe('fallback');
      // Without the setting the fallback priority gets no load while the primary is healthy.
      expect((await get(port, '/same')).status).toBe(503);
    }
    // One attempt on the primary, then the fallback; without: the first try and both retries.
    expect(count('primary', '/priority')).toBe(5);
    expect(count('fallback', '/priority')).toBe(5);
    expect(count('primary', '/same')).toBe(15);
    expect(count('fallback', '/same')).toBe(0);
  });
});
