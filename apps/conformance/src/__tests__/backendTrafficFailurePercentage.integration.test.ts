// BackendTrafficPolicy `healthCheck.passive.failurePercentageThreshold` through real Envoy: five
// endpoints, two of which answer every request 500. With the threshold, outlier detection ejects
// an endpoint whose failures reach that percentage once it has 50 requests in an interval and
// five endpoints have (Envoy's failure_percentage_request_volume and _minimum_hosts defaults);
// the route without it keeps both failing endpoints. Two failing of five is what success-rate
// ejection (on by default) never ejects: 1.9 standard deviations below the mean is out of their
// reach, so only the failure percentage can take them out. Consecutive 5xx are set out of reach.
import type { Server } from 'node:http';
import type { EnvoyHandle } from '@egts/envoy-binary';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../internal/freePort.js';
import {
  closeAll,
  gatewayManifests,
  get,
  ok,
  policy,
  route,
  service,
  startBackend,
  startTranslated,
} from './backendTrafficFixture.js';

const passive = (extra: string) => `  loadBalancer: {type: RoundRobin}
  healthCheck:
    passive:
      interval: 2s
      consecutive5XxErrors: 100000
      baseEjectionTime: 300s
      maxEjectionPercent: 100
${extra}`;

describe('[envoy] BackendTrafficPolicy failurePercentageThreshold', () => {
  const servers: Server[] = [];
  let envoy: EnvoyHandle | undefined;
  let port = 0;
  let statuses: { kind: string; name: string; accepted: string | undefined }[] = [];

  /** A statistic of the cluster of route `name`. */
  const stat = async (name: string, key: string): Promise<number> => {
    if (envoy === undefined) throw new Error('no Envoy');
    const text = await envoy.admin(`/stats?filter=${key}$`);
    const line = text.split('\n').find((l) => l.includes(`/${name}/`) && l.includes(`${key}:`));
    if (line === undefined) throw new Error(`no ${key} for ${name} in\n${text}`);
    return Number(line.split(':').pop());
  };

  beforeAll(async () => {
    port = await freePort();
    const backendPort = await freePort();
    for (let i = 1; i <= 5; i++)
      servers.push(
        await startBackend(
          `e${i}`,
          `127.0.0.${i}`,
          backendPort,
          i > 3 ? () => ({ status: 500 }) : ok,
        ),
      );
    const addresses = [1, 2, 3, 4, 5].map((i) => `127.0.0.${i}`);
    let text = gatewayManifests(port) + service('five', backendPort, addresses);
    text += route('percent', 'five', backendPort) + route('nopercent', 'five', backendPort);
    text += policy('percent', passive('      failurePercentageThreshold: 90\n'));
    text += policy('nopercent', passive(''));
    ({ envoy, statuses } = await startTranslated(text, 'failure-percentage.yaml'));
  }, 120_000);

  afterAll(async () => {
    await envoy?.stop();
    await closeAll(servers);
  });

  it('ejects the endpoints failing past the percentage, and only with it', async () => {
    for (const name of ['percent', 'nopercent'])
      expect(statuses).toContainEqual({ kind: 'BackendTrafficPolicy', name, accepted: 'Accepted' });
    // Requests to both routes, ten at a time, until the percent route ejected both failing
    // endpoints (or a minute went by).
    const deadline = Date.now() + 60_000;
    while (
      Date.now() < deadline &&
      (await stat('percent', 'outlier_detection.ejections_active')) < 2
    ) {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => get(port, i % 2 ? '/percent' : '/nopercent')),
      );
    }
    // Both failing endpoints out, for failing too often; none on the other route.
    expect(await stat('percent', 'outlier_detection.ejections_active')).toBe(2);
    expect(await stat('percent', 'outlier_detection.ejections_enforced_failure_percentage')).toBe(
      2,
    );
    expect(await stat('nopercent', 'outlier_detection.ejections_active')).toBe(0);
    // Once Envoy's worker threads have the ejections, every request gets a good endpoint.
    let streak = 0;
    const until = Date.now() + 30_000;
    while (Date.now() < until && streak < 10)
      streak = (await get(port, '/percent')).status === 200 ? streak + 1 : 0;
    expect(streak).toBe(10);
  });
});
