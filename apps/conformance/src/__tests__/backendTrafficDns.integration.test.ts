// BackendTrafficPolicy `dns` and `loadBalancer.slowStart` through real Envoy, on Backends named by
// hostname (STRICT_DNS clusters) that Envoy resolves through a local DNS stand-in logging every
// question; each against a route without the setting:
// - dnsRefreshRate 250ms: the name is asked again and again; Envoy's default (5 s) asks once;
// - respectDnsTtl: a 2 s TTL, not the 30 s refresh rate, decides when the name is asked again;
// - lookupFamily: IPv4 asks A only and reaches the IPv4 server, IPv6 asks AAAA only and reaches
//   the server on ::1, IPv4AndIPv6 asks both and reaches both;
// - slowStart: an endpoint the name gains later gets a small share of the requests for the
//   window; without slow start, its round robin half.
import type { Server } from 'node:http';
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
  sleep,
  startBackend,
  startTranslated,
} from './backendTrafficFixture.js';
import { type RecordingDns, resolveThrough, startRecordingDns } from './recordingDns.js';

/** A Backend `<name>.egts.test:<port>` and a route `/<name>` to it. */
const named = (name: string, port: number) => `---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: {name: ${name}, namespace: default}
spec: {endpoints: [{fqdn: {hostname: ${name}.egts.test, port: ${port}}}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules: [{matches: [{path: {type: PathPrefix, value: /${name}}}], backendRefs: [{group: gateway.envoyproxy.io, kind: Backend, name: ${name}}]}]
`;

const SLOW_START_WINDOW_MS = 20_000;
const roundRobin = '  loadBalancer: {type: RoundRobin}\n';

describe('[envoy] BackendTrafficPolicy dns and slowStart', () => {
  const servers: Server[] = [];
  let dns: RecordingDns | undefined;
  let envoy: EnvoyHandle | undefined;
  let port = 0;
  let startedAt = 0;
  let statuses: { kind: string; name: string; accepted: string | undefined }[] = [];

  const host = (name: string) => `${name}.egts.test`;

  beforeAll(async () => {
    port = await freePort();
    const [familyPort = 0, warmPort = 0] = await Promise.all([freePort(), freePort()]);
    servers.push(
      await startBackend('four', '127.0.0.1', familyPort, ok),
      await startBackend('six', '::1', familyPort, ok),
      await startBackend('old', '127.0.0.1', warmPort, ok),
      await startBackend('new', '127.0.0.2', warmPort, ok),
    );
    dns = await startRecordingDns();
    const both = { a: ['127.0.0.1'], aaaa: ['::1'] };
    for (const name of ['fast', 'plain', 'v4', 'v6', 'both']) dns.records.set(host(name), both);
    for (const name of ['ttl', 'nottl']) dns.records.set(host(name), { ...both, ttl: 2 });
    for (const name of ['warming', 'cold']) dns.records.set(host(name), { a: ['127.0.0.1'] });
    let text = gatewayManifests(port);
    for (const name of ['fast', 'plain', 'ttl', 'nottl', 'v4', 'v6', 'both'])
      text += named(name, familyPort);
    for (const name of ['warming', 'cold']) text += named(name, warmPort);
    text += policy('fast', '  dns: {dnsRefreshRate: 250ms}\n');
    text += policy('ttl', '  dns: {dnsRefreshRate: 30s, respectDnsTtl: true}\n');
    text += policy('nottl', '  dns: {dnsRefreshRate: 30s}\n');
    text += policy('v4', '  dns: {lookupFamily: IPv4}\n');
    text += policy('v6', '  dns: {lookupFamily: IPv6}\n');
    text += policy('both', `  dns: {lookupFamily: IPv4AndIPv6}\n${roundRobin}`);
    const warming = `  loadBalancer: {type: RoundRobin, slowStart: {window: ${SLOW_START_WINDOW_MS / 1000}s}}\n`;
    // With active checks Envoy starts an endpoint's slow start when a check first passes it.
    const checked = `  dns: {dnsRefreshRate: 250ms}
  healthCheck: {active: {type: HTTP, interval: 1s, timeout: 1s, unhealthyThreshold: 3, healthyThreshold: 1, http: {path: /healthz}}}
`;
    text += policy('warming', `${checked}${warming}`);
    text += policy('cold', `${checked}${roundRobin}`);
    startedAt = Date.now();
    ({ envoy, statuses } = await startTranslated(text, 'dns.yaml', resolveThrough(dns.port)));
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    await dns?.close();
    await closeAll(servers);
  });

  /** Backends answering `n` requests to `/<name>`, by name, counted. */
  const answers = async (name: string, n: number) => {
    const counts: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      const who = backendOf(await get(port, `/${name}`)) ?? 'none';
      counts[who] = (counts[who] ?? 0) + 1;
    }
    return counts;
  };

  it('policies are accepted', () => {
    for (const name of ['fast', 'ttl', 'nottl', 'v4', 'v6', 'both', 'warming', 'cold'])
      expect(statuses).toContainEqual({ kind: 'BackendTrafficPolicy', name, accepted: 'Accepted' });
  });

  it('dnsRefreshRate and respectDnsTtl decide how often a name is resolved', async () => {
    const since = Date.now();
    await sleep(5_000);
    const count = (name: string) => dns?.asked(host(name), since, 'A').length ?? 0;
    // Every 250 ms (fewer under load); Envoy's default, every 5 s.
    expect(count('fast')).toBeGreaterThanOrEqual(6);
    expect(count('plain')).toBeLessThanOrEqual(2);
    // Every 2 s, the records' TTL; the 30 s refresh rate alone: not again.
    expect(count('ttl')).toBeGreaterThanOrEqual(2);
    expect(count('nottl')).toBe(0);
  });

  it('lookupFamily picks the address families asked and reached', async () => {
    const types = (name: string) => [...new Set(dns?.asked(host(name)).map((q) => q.type))].sort();
    expect({
      v4: types('v4'),
      v6: types('v6'),
      both: types('both'),
      plain: types('plain'),
    }).toEqual({ v4: ['A'], v6: ['AAAA'], both: ['A', 'AAAA'], plain: ['A'] });
    expect(await answers('v4', 4)).toEqual({ four: 4 });
    expect(await answers('v6', 4)).toEqual({ six: 4 });
    expect(await answers('plain', 4)).toEqual({ four: 4 });
    expect(await answers('both', 4)).toEqual({ four: 2, six: 2 });
  });

  it('slowStart gives an endpoint added later a small share for the window', async () => {
    // The first endpoint was in slow start from Envoy's start: past its window first.
    await sleep(Math.max(0, startedAt + SLOW_START_WINDOW_MS + 1_000 - Date.now()));
    for (const name of ['warming', 'cold'])
      dns?.records.set(host(name), { a: ['127.0.0.1', '127.0.0.2'] });
    // Until both endpoints of both routes passed their checks.
    const healthy = async (name: string) =>
      ((await envoy?.admin('/clusters')) ?? '')
        .split('\n')
        .filter((l) => l.includes(`/${name}/`) && l.endsWith('::health_flags::healthy')).length;
    for (let i = 0; i < 200 && ((await healthy('warming')) < 2 || (await healthy('cold')) < 2); i++)
      await sleep(50);
    // Time for Envoy's worker threads to take the endpoint in.
    await sleep(2_000);
    const warming = await answers('warming', 40);
    const cold = await answers('cold', 40);
    // Some seconds into its 20 s window the new endpoint weighs 10% (Envoy's minimum) to 40% of
    // the old one; without slow start, round robin gives it every other request.
    expect(warming.new ?? 0).toBeLessThanOrEqual(14);
    expect(cold.new ?? 0).toBeGreaterThanOrEqual(18);
  });
});
